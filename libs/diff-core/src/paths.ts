/** A path from the root, built only as far as it is needed (a node per descended container). */
export interface PathNode {
  parent: PathNode | null;
  seg: string | number;
}

export const ROOT: PathNode | null = null;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** JSONPath-style: $.items[2].price, $["odd key"] */
export function pathToString(node: PathNode | null): string {
  const segs: Array<string | number> = [];
  for (let n = node; n; n = n.parent) segs.push(n.seg);
  return segmentsToString(segs.reverse());
}

/** The same, from the keys and indexes in order from the root. */
export function segmentsToString(segs: ReadonlyArray<string | number>): string {
  let out = '$';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}

/** The path with array indexes generalized: $.items[2].price → $.items[*].price */
export function pathTemplate(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}
