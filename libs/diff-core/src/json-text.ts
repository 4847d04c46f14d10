/**
 * Numbers JSON.parse would round (more than 15 significant digits, or beyond the double range)
 * are kept exactly: before parsing, such a literal is turned into a string carrying this marker.
 */
export const EXACT_NUMBER_MARK = '\u0000#';

export function isExactNumber(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(EXACT_NUMBER_MARK);
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: 'invalid' | 'too-deep'; message: string };

const NEEDS_EXACT = /\d{16,}|[eE][+-]?\d{3,}/;
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function significantDigits(token: string): number {
  const mantissa = token.replace(/^-/, '').split(/[eE]/)[0] ?? '';
  return mantissa.replace('.', '').replace(/^0+/, '').length;
}

/** Rewrites number literals that would lose precision into marked strings; leaves string contents alone. */
function markExactNumbers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i += 1;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \\ */) i += 2;
        else if (d === 34) break;
        else i += 1;
      }
      i += 1;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      NUMBER_TOKEN.lastIndex = i;
      const m = NUMBER_TOKEN.exec(text);
      if (m) {
        const token = m[0];
        if (significantDigits(token) > 15 || !Number.isFinite(Number(token))) {
          out += `${text.slice(last, i)}"\\u0000#${token}"`;
          last = i + token.length;
        }
        i += token.length;
        continue;
      }
    }
    i += 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** JSON.parse with exact big numbers; never throws. */
export function parseJsonText(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(NEEDS_EXACT.test(text) ? markExactNumbers(text) : text) };
  } catch (err) {
    if (err instanceof RangeError) return { ok: false, reason: 'too-deep', message: 'JSON nested too deeply to parse' };
    return { ok: false, reason: 'invalid', message: (err as Error).message };
  }
}

/** The literal of an exact number, normalized so that 1E+400 and 1e400 compare equal. */
export function exactNumberText(marked: string): string {
  return marked.slice(EXACT_NUMBER_MARK.length).replace(/E/, 'e').replace(/e\+/, 'e');
}
