import { createHash } from 'node:crypto';

type Task = { value: unknown } | string;

function primitive(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold NaN or Infinity');
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, undefined members dropped.
 * Two equal values always serialize to the same bytes, which hashing and signing rely on.
 * Iterative, so a value nested 100,000 deep costs heap rather than stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const tasks: Task[] = [{ value }];
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if (typeof task === 'string') {
      out.push(task);
      continue;
    }
    const v = task.value;
    if (v === null || typeof v !== 'object') {
      out.push(primitive(v));
    } else if (Array.isArray(v)) {
      out.push('[');
      tasks.push(']');
      for (let i = v.length - 1; i >= 0; i -= 1) {
        tasks.push({ value: v[i] === undefined ? null : v[i] });
        if (i > 0) tasks.push(',');
      }
    } else {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      out.push('{');
      tasks.push('}');
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const k = keys[i] as string;
        tasks.push({ value: record[k] });
        tasks.push(`${JSON.stringify(k)}:`);
        if (i > 0) tasks.push(',');
      }
    }
  }
  return out.join('');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
