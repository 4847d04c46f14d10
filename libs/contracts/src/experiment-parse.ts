import { PenumbraError } from '@penumbra/errors';
import { parseDocument } from 'yaml';
import { type ExperimentSpec, experimentSpecSchema } from './experiment-spec';
import { type FieldIssue, fieldIssues } from './issues';

export class ExperimentSpecError extends PenumbraError {
  constructor(
    readonly source: string,
    readonly issues: FieldIssue[],
  ) {
    super(`${source} is not a valid experiment:\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`, {
      code: 'EXPERIMENT_SPEC_INVALID',
      retriable: false,
      context: { source, fields: issues.map((i) => i.field) },
    });
  }
}

/** Parses an experiment from YAML or JSON text (JSON is YAML), fills defaults and names every bad field. */
export function parseExperimentSpec(text: string, source = 'experiment'): ExperimentSpec {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ExperimentSpecError(
      source,
      doc.errors.map((e) => ({ field: '(document)', message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  return validateExperimentSpec(doc.toJS({ maxAliasCount: 100 }), source);
}

export function validateExperimentSpec(value: unknown, source = 'experiment'): ExperimentSpec {
  const result = experimentSpecSchema.safeParse(value);
  if (!result.success) throw new ExperimentSpecError(source, fieldIssues(result.error));
  return result.data;
}
