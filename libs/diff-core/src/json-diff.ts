import { type DifferenceKind } from '@penumbra/contracts';
import { type DiffLimits, type JsonDiff, ABSENT, ARR, DEFAULT_LIMITS, type Kind, NUM, found, hasOwn, kindOf, numbersEqual } from './diff-values';
import { diffJsonDeep } from './json-diff-deep';
import { segmentsToString } from './paths';
import { fingerprint } from './render';
import { type CompiledRules, type RuleState, stepInto } from './rules';

export { type DiffLimits, type FoundDifference, type JsonDiff, DEFAULT_LIMITS } from './diff-values';

/**
 * Past this depth bound the iterative engine takes over. Recursion is what makes the common case
 * fast (no frame objects, no path built for subtrees that turn out equal); a walk this deep fits
 * Node's default stack, and where it does not, the iterative engine answers instead.
 */
export const RECURSION_LIMIT = 1000;

interface Raw {
  segs: Array<string | number>;
  kind: DifferenceKind;
  a: unknown;
  b: unknown;
  redacted: boolean;
}

/** The state of one comparison. A container at depth d has its path in segs[0..d-1]. */
class Walk {
  readonly raws: Raw[] = [];
  omitted = 0;
  nodes = 0;
  tooLarge = false;
  /** A depth or node bound was hit: nothing more is compared. */
  stopped = false;
  readonly segs: Array<string | number> = [];

  constructor(private readonly limits: DiffLimits) {}

  /** A difference at the path segs[0..length-1]; the path is copied only if it is listed. */
  emit(length: number, kind: DifferenceKind, a: unknown, b: unknown, redacted: boolean): void {
    if (this.raws.length < this.limits.maxDifferences) this.raws.push({ segs: this.segs.slice(0, length), kind, a, b, redacted });
    else this.omitted += 1;
  }

  /** One child pair of the container at `depth`: equal primitives cost nothing, containers are walked. */
  pair(a: unknown, b: unknown, seg: string | number, state: RuleState | null, redacted: boolean, depth: number): void {
    this.nodes += 1;
    let next: RuleState | null = null;
    let tolerance: number | undefined;
    if (state !== null) {
      next = stepInto(state, seg);
      if (next !== null) {
        if (next.ignore) return;
        if (next.redact) redacted = true;
        tolerance = next.tolerance;
      }
    }
    if (a === b) return;
    const ka = kindOf(a);
    const kb = kindOf(b);
    this.segs[depth] = seg;
    if (ka < ARR && kb < ARR) {
      if (ka !== kb) this.emit(depth + 1, 'type', a, b, redacted);
      else if (ka !== NUM || !numbersEqual(a, b, tolerance)) this.emit(depth + 1, 'changed', a, b, redacted);
      return;
    }
    this.container(a, b, ka, kb, next, redacted, depth + 1);
  }

  missingOrExtra(seg: string | number, state: RuleState | null, redacted: boolean, a: unknown, b: unknown, depth: number): void {
    this.nodes += 1;
    if (state !== null) {
      const next = stepInto(state, seg);
      if (next !== null) {
        if (next.ignore) return;
        if (next.redact) redacted = true;
      }
    }
    this.segs[depth] = seg;
    this.emit(depth + 1, a === ABSENT ? 'extra' : 'missing', a, b, redacted);
  }

  container(a: unknown, b: unknown, ka: Kind, kb: Kind, state: RuleState | null, redacted: boolean, depth: number): void {
    if (this.nodes > this.limits.maxNodes || depth > this.limits.maxDepth) {
      this.tooLarge = this.stopped = true;
      return;
    }
    if (ka !== kb) {
      this.emit(depth, 'type', a, b, redacted);
      return;
    }
    if (ka === ARR) {
      if (state !== null && state.unordered) this.unordered(a as unknown[], b as unknown[], state, redacted, depth);
      else this.ordered(a as unknown[], b as unknown[], state, redacted, depth);
      return;
    }
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = Object.keys(ao);
    const bKeys = Object.keys(bo);
    const n = keys.length;
    let i = 0;
    // Bodies of one API mostly list the same keys in the same order: then no key needs a lookup.
    if (n === bKeys.length) {
      for (; i < n; i += 1) {
        const k = keys[i] as string;
        if (k !== bKeys[i]) break;
        const av = ao[k];
        const bv = bo[k];
        // Equal values need no rule: nothing is reported either way.
        if (av === bv) this.nodes += 1;
        else {
          this.pair(av, bv, k, state, redacted, depth);
          if (this.stopped) return;
        }
      }
      if (i === n) return;
    }
    let shared = i;
    for (; i < n; i += 1) {
      const k = keys[i] as string;
      if (hasOwn.call(bo, k)) {
        shared += 1;
        this.pair(ao[k], bo[k], k, state, redacted, depth);
        if (this.stopped) return;
      } else this.missingOrExtra(k, state, redacted, ao[k], ABSENT, depth);
    }
    if (shared === bKeys.length) return;
    for (const k of bKeys) if (!hasOwn.call(ao, k)) this.missingOrExtra(k, state, redacted, ABSENT, bo[k], depth);
  }

  ordered(a: unknown[], b: unknown[], state: RuleState | null, redacted: boolean, depth: number): void {
    const diffsAt = this.raws.length;
    const omittedAt = this.omitted;
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i += 1) {
      const av = a[i];
      const bv = b[i];
      if (av === bv) this.nodes += 1;
      else {
        this.pair(av, bv, i, state, redacted, depth);
        if (this.stopped) return;
      }
    }
    for (let i = common; i < a.length; i += 1) this.missingOrExtra(i, state, redacted, a[i], ABSENT, depth);
    for (let i = common; i < b.length; i += 1) this.missingOrExtra(i, state, redacted, ABSENT, b[i], depth);
    if (a.length !== b.length || a.length < 2 || (this.raws.length === diffsAt && this.omitted === omittedAt)) return;
    if (this.nodes > this.limits.maxNodes) {
      this.tooLarge = this.stopped = true;
      return;
    }
    this.settleOrder(a, b, redacted, depth, diffsAt, omittedAt);
  }

  /**
   * Same elements in another order: one `order` difference instead of one per element. Only the
   * positions that differ are fingerprinted: they hold a reorder exactly when their elements on
   * the two sides are the same multiset.
   */
  settleOrder(a: unknown[], b: unknown[], redacted: boolean, depth: number, diffsAt: number, omittedAt: number): void {
    if (this.omitted > omittedAt) return;
    const first = (this.raws[diffsAt] as Raw).segs[depth];
    let i = diffsAt + 1;
    while (i < this.raws.length && (this.raws[i] as Raw).segs[depth] === first) i += 1;
    if (i === this.raws.length) return;
    const positions = new Set<number>();
    for (let i = diffsAt; i < this.raws.length; i += 1) {
      const index = (this.raws[i] as Raw).segs[depth];
      if (typeof index !== 'number') return;
      positions.add(index);
    }
    if (positions.size < 2) return;
    const budget = { left: Math.max(0, this.limits.maxNodes - this.nodes) };
    const fa: Array<string | undefined> = [];
    const fb: Array<string | undefined> = [];
    for (const i of positions) {
      fa.push(fingerprint(a[i], budget));
      fb.push(fingerprint(b[i], budget));
    }
    this.nodes = this.limits.maxNodes - Math.max(0, budget.left);
    if (fa.includes(undefined) || fb.includes(undefined)) return;
    fa.sort();
    fb.sort();
    if (fa.some((v, i) => v !== fb[i])) return;
    this.raws.length = diffsAt;
    this.emit(depth, 'order', a, b, redacted);
  }

  unordered(a: unknown[], b: unknown[], state: RuleState, redacted: boolean, depth: number): void {
    const budget = { left: Math.max(0, this.limits.maxNodes - this.nodes) };
    const fa = a.map((v) => fingerprint(v, budget));
    const fb = b.map((v) => fingerprint(v, budget));
    this.nodes = this.limits.maxNodes - Math.max(0, budget.left);
    if (fa.includes(undefined) || fb.includes(undefined)) {
      this.tooLarge = true;
      return;
    }
    const available = new Map<string, number[]>();
    fb.forEach((fp, j) => {
      const list = available.get(fp as string);
      if (list) list.push(j);
      else available.set(fp as string, [j]);
    });
    const unmatchedA: number[] = [];
    fa.forEach((fp, i) => {
      const list = available.get(fp as string);
      if (list && list.length > 0) list.shift();
      else unmatchedA.push(i);
    });
    const unmatchedB = [...available.values()].flat().sort((x, y) => x - y);
    const pairs = Math.min(unmatchedA.length, unmatchedB.length);
    for (let k = 0; k < pairs && !this.stopped; k += 1) this.pair(a[unmatchedA[k] as number], b[unmatchedB[k] as number], unmatchedA[k] as number, state, redacted, depth);
    for (let k = pairs; k < unmatchedA.length; k += 1) this.missingOrExtra(unmatchedA[k] as number, state, redacted, a[unmatchedA[k] as number], ABSENT, depth);
    for (let k = pairs; k < unmatchedB.length; k += 1) this.missingOrExtra(unmatchedB[k] as number, state, redacted, ABSENT, b[unmatchedB[k] as number], depth);
  }
}

/**
 * Structural diff of two parsed JSON values, bounded in depth, nodes and listed differences,
 * applying ignore, tolerance, unordered and redact rules as it walks. Recursive up to
 * RECURSION_LIMIT; a deeper bound is served by the iterative engine, with the same results.
 */
export function diffJson(primary: unknown, candidate: unknown, rules: CompiledRules, limits: DiffLimits = DEFAULT_LIMITS): JsonDiff {
  if (limits.maxDepth > RECURSION_LIMIT) return diffJsonDeep(primary, candidate, rules, limits);
  const w = new Walk(limits);
  try {
    if (primary !== candidate) {
      const ka = kindOf(primary);
      const kb = kindOf(candidate);
      if (ka !== kb) w.emit(0, 'type', primary, candidate, false);
      else if (ka < ARR) {
        if (ka !== NUM || !numbersEqual(primary, candidate, rules.start?.tolerance)) w.emit(0, 'changed', primary, candidate, false);
      } else w.container(primary, candidate, ka, kb, rules.start, false, 0);
    }
  } catch (err) {
    // Called with little stack left (a deep caller, code not yet optimized): the same answer, iteratively.
    if (err instanceof RangeError) return diffJsonDeep(primary, candidate, rules, limits);
    throw err;
  }
  if (w.nodes > limits.maxNodes) w.tooLarge = true;
  return { differences: w.raws.map((r) => found(segmentsToString(r.segs), r.kind, r.a, r.b, r.redacted, limits.maxValueChars)), omitted: w.omitted, tooLarge: w.tooLarge };
}
