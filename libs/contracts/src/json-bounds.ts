/** Bounds on a parsed JSON value before anything walks it recursively (a schema, JSON.stringify, a hash). */
export interface JsonBounds {
  maxDepth: number;
  maxNodes: number;
}

/** Far above any event Penumbra writes; far below what breaks a recursive walk. */
export const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 256, maxNodes: 1_000_000 };

/**
 * Why `value` is out of bounds, or undefined when it is within them. Iterative: a value 100,000
 * levels deep costs heap here, never stack, and the walk stops at the first bound crossed.
 */
export function jsonBoundsViolation(value: unknown, bounds: JsonBounds = DEFAULT_JSON_BOUNDS): string | undefined {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  let nodes = 0;
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() ?? 1;
    nodes += 1;
    if (nodes > bounds.maxNodes) return `value has more than ${bounds.maxNodes} JSON nodes`;
    if (v === null || typeof v !== 'object') continue;
    if (depth > bounds.maxDepth) return `value is nested deeper than ${bounds.maxDepth} levels`;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      } else {
        nodes += 1;
        if (nodes > bounds.maxNodes) return `value has more than ${bounds.maxNodes} JSON nodes`;
      }
    }
  }
  return undefined;
}
