/**
 * Rule paths (JSONPath subset): $.a.b, $.items[*].price, $.items[0], $..updatedAt, $.a.*
 * compiled into steps, matched incrementally while the diff walks the tree: each node carries the
 * set of (rule, step) states that reached it.
 */
import { InvalidInputError } from '@penumbra/errors';

export type RuleKind = 'ignore' | 'tolerance' | 'unordered' | 'redact';

type Step = { t: 'key'; name: string } | { t: 'anyKey' } | { t: 'index'; index: number } | { t: 'anyIndex' } | { t: 'descend'; name: string };

export interface CompiledRule {
  kind: RuleKind;
  path: string;
  steps: Step[];
  tolerance: number;
}

export interface CompiledRules {
  rules: CompiledRule[];
  /** States at the root: every rule at step 0. */
  root: readonly number[];
  /** The same states as an automaton built as the tree is walked; null when there are no rules. */
  start: RuleState | null;
}

/**
 * One set of states as a node of a lazily built deterministic automaton, with what the rules say
 * about a tree node in that set worked out once, so that walking a body costs at most one map
 * lookup per member instead of stepping every rule.
 */
export interface RuleState {
  readonly ignore: boolean;
  readonly redact: boolean;
  readonly unordered: boolean;
  readonly tolerance: number | undefined;
  /** Transitions on the keys and indexes some step names, computed on first use; every other key or index goes to `otherKey` or `otherIndex`. */
  readonly named: Map<string | number, RuleState | null | typeof PENDING>;
  otherKey: RuleState | null | undefined;
  otherIndex: RuleState | null | undefined;
  readonly states: readonly number[];
  readonly automaton: Automaton;
}

const SEGMENT = /\.\.([^.[\]]+)|\.([^.[\]]+)|\[(\*|\d+)\]/y;
const STATE_SHIFT = 1024;

export function parseRulePath(path: string): Step[] {
  if (!path.startsWith('$')) throw new InvalidInputError(`rule path "${path}" must start with $`, 'RULE_PATH_INVALID', { path });
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    SEGMENT.lastIndex = i;
    const m = SEGMENT.exec(path);
    if (!m) throw new InvalidInputError(`rule path "${path}" is not a JSONPath such as $.items[*].price (at character ${i})`, 'RULE_PATH_INVALID', { path, at: i });
    if (m[1] !== undefined) steps.push({ t: 'descend', name: m[1] });
    else if (m[2] !== undefined) steps.push(m[2] === '*' ? { t: 'anyKey' } : { t: 'key', name: m[2] });
    else steps.push(m[3] === '*' ? { t: 'anyIndex' } : { t: 'index', index: Number(m[3]) });
    i = SEGMENT.lastIndex;
  }
  return steps;
}

export interface RuleSet {
  ignore?: readonly string[];
  tolerances?: Readonly<Record<string, number>>;
  unordered?: readonly string[];
  redact?: readonly string[];
}

export function compileRules(set: RuleSet): CompiledRules {
  const rules: CompiledRule[] = [];
  const add = (kind: RuleKind, path: string, tolerance = 0) => rules.push({ kind, path, steps: parseRulePath(path), tolerance });
  set.ignore?.forEach((p) => add('ignore', p));
  Object.entries(set.tolerances ?? {}).forEach(([p, t]) => add('tolerance', p, t));
  set.unordered?.forEach((p) => add('unordered', p));
  set.redact?.forEach((p) => add('redact', p));
  if (rules.length >= STATE_SHIFT) throw new InvalidInputError(`at most ${STATE_SHIFT - 1} rules, got ${rules.length}`, 'TOO_MANY_RULES', { rules: rules.length });
  const compiled: CompiledRules = { rules, root: rules.map((_, r) => r * STATE_SHIFT), start: null };
  compiled.start = intern({ compiled, interned: new Map() }, compiled.root);
  return compiled;
}

export const NO_STATES: readonly number[] = [];

/** States after stepping from a node into its child `segment` (a key, or an index). */
export function advance(compiled: CompiledRules, states: readonly number[], segment: string | number): readonly number[] {
  if (states.length === 0) return NO_STATES;
  let next: number[] | undefined;
  const push = (s: number) => {
    next ??= [];
    if (!next.includes(s)) next.push(s);
  };
  for (const s of states) {
    const r = Math.floor(s / STATE_SHIFT);
    const i = s % STATE_SHIFT;
    const step = compiled.rules[r]?.steps[i];
    if (!step) continue;
    switch (step.t) {
      case 'key':
        if (segment === step.name) push(s + 1);
        break;
      case 'anyKey':
        if (typeof segment === 'string') push(s + 1);
        break;
      case 'index':
        if (segment === step.index) push(s + 1);
        break;
      case 'anyIndex':
        if (typeof segment === 'number') push(s + 1);
        break;
      case 'descend':
        push(s);
        if (segment === step.name) push(s + 1);
        break;
    }
  }
  return next ?? NO_STATES;
}

/** The first rule of a kind that a node's states complete, if any. */
export function matched(compiled: CompiledRules, states: readonly number[], kind: RuleKind): CompiledRule | undefined {
  for (const s of states) {
    const rule = compiled.rules[Math.floor(s / STATE_SHIFT)];
    if (rule && rule.kind === kind && s % STATE_SHIFT === rule.steps.length) return rule;
  }
  return undefined;
}

const PENDING = Symbol('pending');

interface Automaton {
  compiled: CompiledRules;
  interned: Map<string, RuleState>;
}

function intern(automaton: Automaton, states: readonly number[]): RuleState | null {
  if (states.length === 0) return null;
  const key = states.join(',');
  const known = automaton.interned.get(key);
  if (known) return known;
  const c = automaton.compiled;
  const named = new Map<string | number, RuleState | null | typeof PENDING>();
  for (const s of states) {
    const step = c.rules[Math.floor(s / STATE_SHIFT)]?.steps[s % STATE_SHIFT];
    if (step?.t === 'key' || step?.t === 'descend') named.set(step.name, PENDING);
    else if (step?.t === 'index') named.set(step.index, PENDING);
  }
  const state: RuleState = {
    ignore: matched(c, states, 'ignore') !== undefined,
    redact: matched(c, states, 'redact') !== undefined,
    unordered: matched(c, states, 'unordered') !== undefined,
    tolerance: matched(c, states, 'tolerance')?.tolerance,
    named,
    otherKey: undefined,
    otherIndex: undefined,
    states,
    automaton,
  };
  automaton.interned.set(key, state);
  return state;
}

/** The state of a child reached through `segment`; the same as `advance`, looked up instead of computed. */
export function stepInto(state: RuleState, segment: string | number): RuleState | null {
  const hit = state.named.get(segment);
  if (hit === PENDING) {
    const next = intern(state.automaton, advance(state.automaton.compiled, state.states, segment));
    state.named.set(segment, next);
    return next;
  }
  if (hit !== undefined) return hit;
  if (typeof segment === 'number') {
    if (state.otherIndex === undefined) state.otherIndex = intern(state.automaton, advance(state.automaton.compiled, state.states, segment));
    return state.otherIndex;
  }
  if (state.otherKey === undefined) state.otherKey = intern(state.automaton, advance(state.automaton.compiled, state.states, segment));
  return state.otherKey;
}
