import { isExactNumber } from './json-text';

export const REDACTED = '<redacted>';

/** Work left for fingerprinting, shared across calls so that their total cost stays bounded. */
export interface NodeBudget {
  left: number;
}

interface SerializeOptions {
  sortKeys: boolean;
  leaf: (v: unknown) => string;
  /** Stop once the text is longer than this. */
  maxChars?: number;
  budget?: NodeBudget;
}

/**
 * JSON text of a value, walked with an explicit stack so that any depth is safe and the work is
 * bounded by `maxChars` or the node budget. Returns undefined when the budget runs out.
 */
function serialize(value: unknown, o: SerializeOptions): string | undefined {
  let out = '';
  type Item = { v: unknown } | { lit: string };
  const stack: Item[] = [{ v: value }];
  const max = o.maxChars ?? Infinity;
  while (stack.length > 0 && out.length <= max) {
    const item = stack.pop() as Item;
    if ('lit' in item) {
      out += item.lit;
      continue;
    }
    if (o.budget && --o.budget.left < 0) return undefined;
    const v = item.v;
    if (v === null || typeof v !== 'object' || isExactNumber(v)) {
      out += o.leaf(v);
      continue;
    }
    const array = Array.isArray(v);
    const keys = array ? undefined : o.sortKeys ? Object.keys(v).sort() : Object.keys(v);
    const length = array ? v.length : (keys as string[]).length;
    stack.push({ lit: array ? ']' : '}' });
    for (let i = length - 1; i >= 0; i -= 1) {
      if (array) stack.push({ v: v[i] });
      else {
        const k = (keys as string[])[i] as string;
        stack.push({ v: (v as Record<string, unknown>)[k] });
        stack.push({ lit: `${JSON.stringify(k)}:` });
      }
      if (i > 0) stack.push({ lit: ',' });
    }
    out += array ? '[' : '{';
  }
  return out;
}

function renderLeaf(v: unknown, max: number): string {
  if (isExactNumber(v)) return v.text;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' ? JSON.stringify(v.length > max ? v.slice(0, max + 1) : v) : String(JSON.stringify(v));
}

/** A JSON rendering of a value for a difference report, cut at `max` characters. */
export function renderValue(value: unknown, max = 200): string {
  const out =
    value === null || typeof value !== 'object' || isExactNumber(value)
      ? renderLeaf(value, max)
      : (serialize(value, { sortKeys: false, leaf: (v) => renderLeaf(v, max), maxChars: max }) ?? '');
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/**
 * A canonical text of a value (keys sorted, -0 as 0), for equality and multiset matching;
 * undefined when the budget runs out first. Every node visited is taken from the budget.
 */
export function fingerprint(value: unknown, budget: NodeBudget): string | undefined {
  const leaf = (v: unknown) => (isExactNumber(v) ? `#${v.text}` : typeof v === 'number' && Object.is(v, -0) ? '0' : String(JSON.stringify(v)));
  return serialize(value, { sortKeys: true, leaf, budget });
}
