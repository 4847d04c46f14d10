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
  let out = '$';
  for (let i = segs.length - 1; i >= 0; i -= 1) {
    const s = segs[i] as string | number;
    out += typeof s === 'number' ? `[${s}]` : IDENTIFIER.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The path with array indexes generalized: $.items[2].price → $.items[*].price */
export function pathTemplate(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}
