import { type DifferenceKind } from '@penumbra/contracts';
import { type DiffLimits, type JsonDiff, ABSENT, ARR, NUM, found, hasOwn, kindOf, numbersEqual } from './diff-values';
import { type PathNode, pathToString } from './paths';
import { fingerprint } from './render';
import { type CompiledRules, NO_STATES, advance, matched } from './rules';

interface Raw {
  path: PathNode | null;
  kind: DifferenceKind;
  a: unknown;
  b: unknown;
  redacted: boolean;
}

type Frame =
  | { t: 0; a: unknown; b: unknown; path: PathNode | null; states: readonly number[]; redacted: boolean; depth: number }
  | { t: 1; a: unknown[]; b: unknown[]; path: PathNode | null; redacted: boolean; diffsAt: number; omittedAt: number };

/**
 * Structural diff of two parsed JSON values, iterative (no recursion, so any depth is safe),
 * bounded in depth, nodes and listed differences, applying ignore, tolerance, unordered and
 * redact rules as it walks. diffJson uses it for depth bounds beyond its recursion limit, and
 * when the stack runs short; the property tests hold the two engines to the same results.
 */
export function diffJsonDeep(primary: unknown, candidate: unknown, rules: CompiledRules, limits: DiffLimits): JsonDiff {
  const raws: Raw[] = [];
  let omitted = 0;
  let nodes = 0;
  let tooLarge = false;
  const emit = (path: PathNode | null, kind: DifferenceKind, a: unknown, b: unknown, redacted: boolean): void => {
    if (raws.length < limits.maxDifferences) raws.push({ path, kind, a, b, redacted });
    else omitted += 1;
  };
  const hasRules = rules.rules.length > 0;
  const stack: Frame[] = [{ t: 0, a: primary, b: candidate, path: null, states: hasRules ? rules.root : NO_STATES, redacted: false, depth: 0 }];

  // Compares one child pair: equal primitives cost nothing; containers are pushed as frames.
  const child = (a: unknown, b: unknown, parent: PathNode | null, seg: string | number, states: readonly number[], redacted: boolean, depth: number): void => {
    nodes += 1;
    let childStates = NO_STATES;
    let tolerance: number | undefined;
    if (states.length > 0) {
      childStates = advance(rules, states, seg);
      if (childStates.length > 0) {
        if (matched(rules, childStates, 'ignore')) return;
        redacted ||= matched(rules, childStates, 'redact') !== undefined;
        tolerance = matched(rules, childStates, 'tolerance')?.tolerance;
      }
    }
    if (a === b) return;
    const ka = kindOf(a);
    const kb = kindOf(b);
    if (ka < ARR && kb < ARR) {
      if (ka !== kb) emit({ parent, seg }, 'type', a, b, redacted);
      else if (ka === NUM) {
        if (!numbersEqual(a, b, tolerance)) emit({ parent, seg }, 'changed', a, b, redacted);
      } else emit({ parent, seg }, 'changed', a, b, redacted);
      return;
    }
    stack.push({ t: 0, a, b, path: { parent, seg }, states: childStates, redacted, depth: depth + 1 });
  };

  while (stack.length > 0) {
    if (nodes > limits.maxNodes) {
      tooLarge = true;
      break;
    }
    const f = stack.pop() as Frame;
    if (f.t === 1) {
      settleOrder(f);
      continue;
    }
    if (f.depth > limits.maxDepth) {
      tooLarge = true;
      break;
    }
    const { a, b, path, states, redacted, depth } = f;
    if (depth === 0) {
      if (a === b) continue;
      const ka = kindOf(a);
      const kb = kindOf(b);
      if (ka !== kb) {
        emit(path, 'type', a, b, redacted);
        continue;
      }
      if (ka < ARR) {
        if (ka !== NUM || !numbersEqual(a, b, matched(rules, states, 'tolerance')?.tolerance)) emit(path, 'changed', a, b, redacted);
        continue;
      }
    } else if (kindOf(a) !== kindOf(b)) {
      emit(path, 'type', a, b, redacted);
      continue;
    }
    if (Array.isArray(a)) {
      const bArr = b as unknown[];
      if (states.length > 0 && matched(rules, states, 'unordered')) unorderedArrays(a, bArr, f);
      else orderedArrays(a, bArr, f);
      continue;
    }
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of Object.keys(ao)) {
      if (hasOwn.call(bo, k)) child(ao[k], bo[k], path, k, states, redacted, depth);
      else missingOrExtra(path, k, states, redacted, ao[k], ABSENT);
    }
    for (const k of Object.keys(bo)) if (!hasOwn.call(ao, k)) missingOrExtra(path, k, states, redacted, ABSENT, bo[k]);
  }

  function missingOrExtra(parent: PathNode | null, seg: string | number, states: readonly number[], redacted: boolean, a: unknown, b: unknown): void {
    nodes += 1;
    if (states.length > 0) {
      const childStates = advance(rules, states, seg);
      if (matched(rules, childStates, 'ignore')) return;
      redacted ||= matched(rules, childStates, 'redact') !== undefined;
    }
    emit({ parent, seg }, a === ABSENT ? 'extra' : 'missing', a, b, redacted);
  }

  function orderedArrays(a: unknown[], b: unknown[], f: Extract<Frame, { t: 0 }>): void {
    if (a.length === b.length && a.length > 1) stack.push({ t: 1, a, b, path: f.path, redacted: f.redacted, diffsAt: raws.length, omittedAt: omitted });
    const common = Math.min(a.length, b.length);
    for (let i = common - 1; i >= 0; i -= 1) child(a[i], b[i], f.path, i, f.states, f.redacted, f.depth);
    for (let i = common; i < a.length; i += 1) missingOrExtra(f.path, i, f.states, f.redacted, a[i], ABSENT);
    for (let i = common; i < b.length; i += 1) missingOrExtra(f.path, i, f.states, f.redacted, ABSENT, b[i]);
  }

  /** The index under `array` that a difference found below it sits in. */
  function indexUnder(array: PathNode | null, path: PathNode | null): number | undefined {
    for (let n = path; n; n = n.parent) if (n.parent === array) return typeof n.seg === 'number' ? n.seg : undefined;
    return undefined;
  }

  /**
   * Same elements in another order: one `order` difference instead of one per element. Only the
   * positions that differ are fingerprinted: they hold a reorder exactly when their elements on
   * the two sides are the same multiset.
   */
  function settleOrder(f: Extract<Frame, { t: 1 }>): void {
    if (raws.length === f.diffsAt && omitted === f.omittedAt) return;
    if (omitted > f.omittedAt) return;
    const positions = new Set<number>();
    for (let i = f.diffsAt; i < raws.length; i += 1) {
      const index = indexUnder(f.path, (raws[i] as Raw).path);
      if (index === undefined) return;
      positions.add(index);
    }
    if (positions.size < 2) return;
    const budget = { left: Math.max(0, limits.maxNodes - nodes) };
    const fa: Array<string | undefined> = [];
    const fb: Array<string | undefined> = [];
    for (const i of positions) {
      fa.push(fingerprint(f.a[i], budget));
      fb.push(fingerprint(f.b[i], budget));
    }
    nodes = limits.maxNodes - Math.max(0, budget.left);
    if (fa.includes(undefined) || fb.includes(undefined)) return;
    fa.sort();
    fb.sort();
    if (fa.some((v, i) => v !== fb[i])) return;
    raws.length = f.diffsAt;
    emit(f.path, 'order', f.a, f.b, f.redacted);
  }

  function unorderedArrays(a: unknown[], b: unknown[], f: Extract<Frame, { t: 0 }>): void {
    const budget = { left: Math.max(0, limits.maxNodes - nodes) };
    const fa = a.map((v) => fingerprint(v, budget));
    const fb = b.map((v) => fingerprint(v, budget));
    nodes = limits.maxNodes - Math.max(0, budget.left);
    if (fa.includes(undefined) || fb.includes(undefined)) {
      tooLarge = true;
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
    for (let k = 0; k < pairs; k += 1) child(a[unmatchedA[k] as number], b[unmatchedB[k] as number], f.path, unmatchedA[k] as number, f.states, f.redacted, f.depth);
    for (let k = pairs; k < unmatchedA.length; k += 1) missingOrExtra(f.path, unmatchedA[k] as number, f.states, f.redacted, a[unmatchedA[k] as number], ABSENT);
    for (let k = pairs; k < unmatchedB.length; k += 1) missingOrExtra(f.path, unmatchedB[k] as number, f.states, f.redacted, ABSENT, b[unmatchedB[k] as number]);
  }

  if (nodes > limits.maxNodes) tooLarge = true;
  const differences = raws.map((r) => found(pathToString(r.path), r.kind, r.a, r.b, r.redacted, limits.maxValueChars));
  return { differences, omitted, tooLarge };
}
