import { exactNumberText, isExactNumber } from './json-text';

export const REDACTED = '<redacted>';

/**
 * A JSON rendering of a value, cut at `max` characters, walked iteratively so that a deeply
 * nested value costs at most `max` characters of work and never the call stack.
 */
export function renderValue(value: unknown, max = 200): string {
  let out = '';
  type Item = { v: unknown } | { lit: string };
  const stack: Item[] = [{ v: value }];
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop() as Item;
    if ('lit' in item) {
      out += item.lit;
      continue;
    }
    const v = item.v;
    if (isExactNumber(v)) out += exactNumberText(v);
    else if (v === null || typeof v !== 'object') out += typeof v === 'string' ? JSON.stringify(v.length > max ? v.slice(0, max + 1) : v) : String(JSON.stringify(v));
    else if (Array.isArray(v)) {
      stack.push({ lit: ']' });
      for (let i = v.length - 1; i >= 0; i -= 1) {
        stack.push({ v: v[i] });
        if (i > 0) stack.push({ lit: ',' });
      }
      out += '[';
    } else {
      const keys = Object.keys(v);
      stack.push({ lit: '}' });
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const k = keys[i] as string;
        stack.push({ v: (v as Record<string, unknown>)[k] });
        stack.push({ lit: `${JSON.stringify(k)}:` });
        if (i > 0) stack.push({ lit: ',' });
      }
      out += '{';
    }
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** Work left for fingerprinting, shared across calls so that their total cost stays bounded. */
export interface NodeBudget {
  left: number;
}

/**
 * A canonical text of a value (keys sorted), for equality and multiset matching; undefined when
 * the budget runs out first. Every node visited is taken from the budget.
 */
export function fingerprint(value: unknown, budget: NodeBudget): string | undefined {
  let out = '';
  type Item = { v: unknown } | { lit: string };
  const stack: Item[] = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop() as Item;
    if ('lit' in item) {
      out += item.lit;
      continue;
    }
    budget.left -= 1;
    if (budget.left < 0) return undefined;
    const v = item.v;
    if (isExactNumber(v)) out += `#${exactNumberText(v)}`;
    else if (v === null || typeof v !== 'object') out += typeof v === 'number' && Object.is(v, -0) ? '0' : String(JSON.stringify(v));
    else if (Array.isArray(v)) {
      stack.push({ lit: ']' });
      for (let i = v.length - 1; i >= 0; i -= 1) {
        stack.push({ v: v[i] });
        if (i > 0) stack.push({ lit: ',' });
      }
      out += '[';
    } else {
      const keys = Object.keys(v).sort();
      stack.push({ lit: '}' });
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const k = keys[i] as string;
        stack.push({ v: (v as Record<string, unknown>)[k] });
        stack.push({ lit: `${JSON.stringify(k)}:` });
        if (i > 0) stack.push({ lit: ',' });
      }
      out += '{';
    }
  }
  return out;
}
