import { type DifferenceKind } from '@penumbra/contracts';
import { type ExactNumber, isExactNumber } from './json-text';
import { renderValue, REDACTED } from './render';

/** What the two diff engines (recursive, and iterative for unbounded depth) share. */
export interface DiffLimits {
  maxDepth: number;
  maxNodes: number;
  maxDifferences: number;
  maxValueChars: number;
}

export const DEFAULT_LIMITS: DiffLimits = { maxDepth: 1000, maxNodes: 2_000_000, maxDifferences: 200, maxValueChars: 200 };

export interface FoundDifference {
  path: string;
  kind: DifferenceKind;
  primary?: string;
  candidate?: string;
}

export interface JsonDiff {
  differences: FoundDifference[];
  /** Differences found past maxDifferences, counted but not listed. */
  omitted: number;
  /** The values exceeded maxDepth or maxNodes: the comparison is incomplete. */
  tooLarge: boolean;
}

export const ABSENT = Symbol('absent');

export type Kind = 0 | 1 | 2 | 3 | 4 | 5;
export const NULL = 0,
  BOOL = 1,
  NUM = 2,
  STR = 3,
  ARR = 4,
  OBJ = 5;

export function kindOf(v: unknown): Kind {
  if (v === null) return NULL;
  switch (typeof v) {
    case 'boolean':
      return BOOL;
    case 'number':
      return NUM;
    case 'string':
      return STR;
    default:
      return Array.isArray(v) ? ARR : isExactNumber(v) ? NUM : OBJ;
  }
}

export const hasOwn = Object.prototype.hasOwnProperty;

export function numbersEqual(a: unknown, b: unknown, tolerance: number | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return true;
    return tolerance !== undefined && Math.abs(a - b) <= tolerance;
  }
  const ta = typeof a === 'number' ? String(a) : (a as ExactNumber).text;
  const tb = typeof b === 'number' ? String(b) : (b as ExactNumber).text;
  if (ta === tb) return true;
  if (/^-?\d+$/.test(ta) && /^-?\d+$/.test(tb)) {
    if (BigInt(ta) === BigInt(tb)) return true;
  }
  return tolerance !== undefined && Math.abs(Number(ta) - Number(tb)) <= tolerance;
}

/** A difference as found, rendered only if it is listed. */
export function found(path: string, kind: DifferenceKind, a: unknown, b: unknown, redacted: boolean, maxChars: number): FoundDifference {
  const d: FoundDifference = { path, kind };
  if (a !== ABSENT) d.primary = redacted ? REDACTED : renderValue(a, maxChars);
  if (b !== ABSENT) d.candidate = redacted ? REDACTED : renderValue(b, maxChars);
  return d;
}
