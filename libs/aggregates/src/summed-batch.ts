import { type EventOps, type WindowOp } from './window-ops';

/** The apply script's summed form of a batch: its events' ids and offsets, and their effects combined. */
export interface SummedBatch {
  e: Array<[string, string]>;
  ops: WindowOp[];
  w: Array<[string, string, number]>;
}

type SummedOp = Exclude<WindowOp, ['x', string, string]>;

/**
 * Combines the effects of a batch's events as the apply script would, one op per key and field:
 * counters and sums added, the least minimum and greatest maximum, the last value with the latest
 * time (a later event on a tie), and per example list only the newest `maxExamples`, in order.
 * Undefined when a sum leaves the double range: only the events one by one let the script refuse
 * the batch for it.
 */
export function summedBatch(events: readonly EventOps[], index: (w: EventOps['windows'][number]) => [string, string, number], maxExamples: number): SummedBatch | undefined {
  const combined = new Map<string, Map<string, SummedOp>>();
  const examples = new Map<string, string[]>();
  const windows = new Map<string, Map<number, EventOps['windows'][number]>>();
  for (const e of events) {
    for (const op of e.ops) {
      if (op[0] === 'x') {
        const list = examples.get(op[1]) ?? [];
        list.push(op[2]);
        if (list.length > maxExamples) list.shift();
        examples.set(op[1], list);
        continue;
      }
      let fields = combined.get(op[1]);
      if (fields === undefined) combined.set(op[1], (fields = new Map()));
      const sum = fields.get(op[2]);
      // The sum is a copy, changed in place: the events' own ops stay as they are for the one-by-one form.
      if (sum === undefined || sum[0] !== op[0]) fields.set(op[2], [...op]);
      else fold(sum, op);
    }
    for (const w of e.windows) {
      let starts = windows.get(w.sliceKey);
      if (starts === undefined) windows.set(w.sliceKey, (starts = new Map()));
      starts.set(w.start, w);
    }
  }
  const ops: WindowOp[] = [];
  for (const fields of combined.values()) for (const op of fields.values()) ops.push(op);
  if (!ops.every((op) => op[0] === 'x' || Number.isFinite(op[3]))) return undefined;
  for (const [key, list] of examples) for (const field of list) ops.push(['x', key, field]);
  const w: SummedBatch['w'] = [];
  for (const starts of windows.values()) for (const window of starts.values()) w.push(index(window));
  return { e: events.map((e) => [e.id, e.offset]), ops, w };
}

/** Folds `op` into `sum`, an op of the same kind on the same key and field. */
function fold(sum: SummedOp, op: SummedOp): void {
  switch (op[0]) {
    case 'mn':
      if (op[3] < sum[3]) sum[3] = op[3];
      return;
    case 'mx':
      if (op[3] > sum[3]) sum[3] = op[3];
      return;
    case 'l':
      if (sum[0] === 'l' && op[4] >= sum[4]) {
        sum[3] = op[3];
        sum[4] = op[4];
      }
      return;
    default:
      sum[3] = (sum[3] as number) + op[3];
  }
}
