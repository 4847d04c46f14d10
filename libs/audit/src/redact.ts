import { advance, compileRules, matched } from '@penumbra/diff-core';

export const REDACTED = '[redacted]';

/** Paths redacted in every event of a type, whatever the experiment says. */
export const ALWAYS_REDACTED: Readonly<Record<string, readonly string[]>> = { 'control.v1': ['$.signature.value'] };

interface Frame {
  src: unknown;
  states: readonly number[];
  set: (v: unknown) => void;
}

/**
 * A copy of `value` with every member at one of `paths` (JSONPath subset: $.a.b, $.items[*].id,
 * $..email) replaced by "[redacted]". Iterative, so depth costs heap rather than stack; subtrees
 * no path can reach are shared, not copied.
 */
export function redactPaths(value: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0) return value;
  const rules = compileRules({ redact: paths });
  let result: unknown;
  const stack: Frame[] = [{ src: value, states: rules.root, set: (v) => (result = v) }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { src, states, set } = frame;
    if (matched(rules, states, 'redact')) {
      set(REDACTED);
    } else if (states.length === 0 || src === null || typeof src !== 'object') {
      set(src);
    } else if (Array.isArray(src)) {
      const out: unknown[] = new Array<unknown>(src.length);
      set(out);
      src.forEach((item: unknown, i) => stack.push({ src: item, states: advance(rules, states, i), set: (v) => (out[i] = v) }));
    } else {
      const out: Record<string, unknown> = {};
      set(out);
      const define = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      for (const [k, item] of Object.entries(src)) {
        // Defined now so that the copy keeps the original key order; the value lands when its frame is popped.
        define(k, undefined);
        stack.push({ src: item, states: advance(rules, states, k), set: (v) => define(k, v) });
      }
    }
  }
  return result;
}
