import { type z } from 'zod';

export interface FieldIssue {
  /** Dotted path with [index] for arrays, such as policy.stages[1].gates[0].metric; "(root)" for the value itself. */
  field: string;
  message: string;
}

export function issuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: issuePath(i.path), message: i.message }));
}

/** One line per problem, each naming the field: "policy.stages[0].minSamples: Too small: expected number to be >=0". */
export function formatIssues(error: z.ZodError): string {
  return fieldIssues(error)
    .map((i) => `${i.field}: ${i.message}`)
    .join('\n');
}
