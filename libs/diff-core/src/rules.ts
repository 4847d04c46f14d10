/**
 * Rule paths (JSONPath subset): $.a.b, $.items[*].price, $.items[0], $..updatedAt, $.a.*
 * compiled into steps, matched incrementally while the diff walks the tree: each node carries the
 * set of (rule, step) states that reached it.
 */
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
}

const SEGMENT = /\.\.([^.[\]]+)|\.([^.[\]]+)|\[(\*|\d+)\]/y;
const STATE_SHIFT = 1024;

export function parseRulePath(path: string): Step[] {
  if (!path.startsWith('$')) throw new Error(`rule path "${path}" must start with $`);
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    SEGMENT.lastIndex = i;
    const m = SEGMENT.exec(path);
    if (!m) throw new Error(`rule path "${path}" is not a JSONPath such as $.items[*].price (at character ${i})`);
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
  if (rules.length >= STATE_SHIFT) throw new Error(`at most ${STATE_SHIFT - 1} rules`);
  return { rules, root: rules.map((_, r) => r * STATE_SHIFT) };
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
