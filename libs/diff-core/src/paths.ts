/** A path from the root, built only as far as it is needed (a node per descended container). */
export interface PathNode {
  parent: PathNode | null;
  seg: string | number;
}

export const ROOT: PathNode | null = null;

/** Whether a key matches /^[A-Za-z_$][\w$]*$/, without a regular expression (paths are built per difference). */
function isIdentifier(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/** JSONPath-style: $.items[2].price, $["odd key"] */
export function pathToString(node: PathNode | null): string {
  const segs: Array<string | number> = [];
  for (let n = node; n; n = n.parent) segs.push(n.seg);
  return segmentsToString(segs.reverse());
}

/** The same, from the keys and indexes in order from the root. */
export function segmentsToString(segs: ReadonlyArray<string | number>): string {
  let out = '$';
  for (const s of segs) out += typeof s === 'number' ? `[${s}]` : isIdentifier(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
  return out;
}

/** The path with array indexes generalized: $.items[2].price → $.items[*].price */
export function pathTemplate(path: string): string {
  return path.replace(/\[\d+\]/g, '[*]');
}
