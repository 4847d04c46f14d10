/**
 * A number JSON.parse would round (more than 15 significant digits, or beyond the double range),
 * kept as its literal. It is its own type, not a string: JSON.parse never yields a class instance,
 * so no string in an untrusted body can pass for a number.
 */
export class ExactNumber {
  /** The literal, normalized so that 1E+400 and 1e400 read the same. */
  readonly text: string;

  private constructor(literal: string) {
    this.text = literal.replace(/E/, 'e').replace(/e\+/, 'e');
    Object.freeze(this);
  }

  /** Only parseJsonText makes these, from number literals it has checked. */
  static fromLiteral(literal: string): ExactNumber {
    return new ExactNumber(literal);
  }
}

export function isExactNumber(v: unknown): v is ExactNumber {
  return v instanceof ExactNumber;
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: 'invalid' | 'too-deep'; message: string };

const NEEDS_EXACT = /\d{16,}|[eE][+-]?\d{3,}/;
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Big number literals travel through JSON.parse as strings with this prefix. */
const NUMBER_MARK = '\u0000#';
/** Value strings that already start with NUL get this prefix, so that none can pose as NUMBER_MARK. */
const STRING_MARK = '\u0000$';
const NUL_ESCAPE = '\\u0000';

function significantDigits(token: string): number {
  const mantissa = token.replace(/^-/, '').split(/[eE]/)[0] ?? '';
  return mantissa.replace('.', '').replace(/^0+/, '').length;
}

function isKey(text: string, afterQuote: number): boolean {
  let j = afterQuote;
  while (j < text.length && (text[j] === ' ' || text[j] === '\n' || text[j] === '\r' || text[j] === '\t')) j += 1;
  return text[j] === ':';
}

/**
 * Rewrites number literals that would lose precision into marked strings, and marks value strings
 * that start with NUL, leaving the contents of every string alone.
 */
function markExactNumbers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const open = i;
      i += 1;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \\ */) i += 2;
        else if (d === 34) break;
        else i += 1;
      }
      i += 1;
      if (text.startsWith(NUL_ESCAPE, open + 1) && !isKey(text, i)) {
        out += `${text.slice(last, open + 1)}\\u0000$`;
        last = open + 1;
      }
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

function unmark(v: string): unknown {
  if (v.startsWith(NUMBER_MARK)) return ExactNumber.fromLiteral(v.slice(NUMBER_MARK.length));
  return v.startsWith(STRING_MARK) ? v.slice(STRING_MARK.length) : v;
}

/** Replaces the marked strings of a parsed value, walking with an explicit stack (any depth). */
function unmarkAll(root: unknown): unknown {
  if (typeof root === 'string') return unmark(root);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const child = o[k];
      if (typeof child === 'string') {
        if (child.charCodeAt(0) !== 0) continue;
        // Assigning to "__proto__" would set the prototype instead of the property.
        if (k === '__proto__') Object.defineProperty(o, k, { value: unmark(child), writable: true, enumerable: true, configurable: true });
        else o[k] = unmark(child);
      } else if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return root;
}

/** JSON.parse with exact big numbers; never throws. */
export function parseJsonText(text: string): ParsedJson {
  try {
    if (!NEEDS_EXACT.test(text)) return { ok: true, value: JSON.parse(text) };
    const marked = markExactNumbers(text);
    return { ok: true, value: marked === text ? JSON.parse(text) : unmarkAll(JSON.parse(marked)) };
  } catch (err) {
    if (err instanceof RangeError) return { ok: false, reason: 'too-deep', message: 'JSON nested too deeply to parse' };
    return { ok: false, reason: 'invalid', message: (err as Error).message };
  }
}
