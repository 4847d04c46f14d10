import { type EventOps, type WindowOp } from './window-ops';

/** The apply script's summed form of a batch: its events' ids and offsets, and their effects combined. */
export interface SummedBatch {
  e: Array<[string, string]>;
  ops: WindowOp[];
  w: Array<[string, string, number]>;
}

/**
 * Combines the effects of a batch's events as the apply script would, one op per key and field:
 * counters and sums added, the least minimum and greatest maximum, the last value with the latest
 * time (a later event on a tie), and per example list only the newest `maxExamples`, in order.
 * Undefined when a sum leaves the double range: only the events one by one let the script refuse
 * the batch for it.
 */
export function summedBatch(events: readonly EventOps[], indexed: (e: EventOps) => Array<[string, string, number]>, maxExamples: number): SummedBatch | undefined {
  const combined = new Map<string, Map<string, WindowOp>>();
  const examples = new Map<string, string[]>();
  const windows = new Map<string, [string, string, number]>();
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
      const prev = fields.get(op[2]);
      fields.set(op[2], prev === undefined ? op : combine(prev, op));
    }
    for (const w of indexed(e)) windows.set(`${w[0]}\u0000${w[1]}`, w);
  }
  const ops: WindowOp[] = [...combined.values()].flatMap((fields) => [...fields.values()]);
  if (!ops.every((op) => op[0] === 'x' || Number.isFinite(op[3]))) return undefined;
  for (const [key, list] of examples) for (const field of list) ops.push(['x', key, field]);
  return { e: events.map((e) => [e.id, e.offset]), ops, w: [...windows.values()] };
}

function combine(prev: WindowOp, op: Exclude<WindowOp, ['x', string, string]>): WindowOp {
  switch (op[0]) {
    case 'mn':
      return prev[0] === 'mn' && prev[3] <= op[3] ? prev : op;
    case 'mx':
      return prev[0] === 'mx' && prev[3] >= op[3] ? prev : op;
    case 'l':
      return prev[0] === 'l' && op[4] < prev[4] ? prev : op;
    default:
      return prev[0] === op[0] ? [op[0], op[1], op[2], prev[3] + op[3]] : op;
  }
}
