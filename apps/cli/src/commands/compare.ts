import { PenumbraError } from '@penumbra/errors';
import { readFileSync } from 'node:fs';
import { type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '@penumbra/contracts';
import { type FoundDifference, compileRules, diffJson, parseJsonText } from '@penumbra/diff-core';
import { type Output } from '../output';

const rulesFileSchema = z
  .object({
    ignore: z.array(z.string()).default([]),
    tolerance: z.record(z.string(), z.number().nonnegative()).default({}),
    unordered: z.array(z.string()).default([]),
    redact: z.array(z.string()).default([]),
  })
  .strict();

/** A rules or response file the command cannot use; the message names the file and what is wrong. */
class BadInput extends PenumbraError {
  constructor(message: string) {
    super(message, { code: 'COMPARE_INPUT_INVALID', retriable: false });
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new BadInput(`cannot read the ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function loadRules(path: string | undefined) {
  if (!path) return compileRules({});
  let raw: unknown;
  try {
    raw = parseYaml(readText(path, 'rules'));
  } catch (err) {
    if (err instanceof BadInput) throw err;
    throw new BadInput(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = rulesFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new BadInput(`${path} has bad rules:\n${formatIssues(parsed.error)}\n(keys: ignore, tolerance, unordered, redact)`);
  try {
    return compileRules({ ignore: parsed.data.ignore, tolerances: parsed.data.tolerance, unordered: parsed.data.unordered, redact: parsed.data.redact });
  } catch (err) {
    throw new BadInput(`${path}: ${(err as Error).message}`);
  }
}

/** Compares two bodies: structurally when both are JSON, as text when neither is. */
export function compareBodies(primary: string, candidate: string, rules = compileRules({})): FoundDifference[] {
  const a = parseJsonText(primary);
  const b = parseJsonText(candidate);
  if (a.ok && b.ok) return diffJson(a.value, b.value, rules, { maxDepth: 100_000, maxNodes: 50_000_000, maxDifferences: 10_000, maxValueChars: 200 }).differences;
  if (!a.ok && !b.ok) return primary === candidate ? [] : [{ path: '$', kind: 'changed', primary: primary.slice(0, 200), candidate: candidate.slice(0, 200) }];
  return [{ path: '$', kind: 'type', primary: a.ok ? 'JSON' : 'text (not JSON)', candidate: b.ok ? 'JSON' : 'text (not JSON)' }];
}

export function registerCompare(program: Command, out: Output): void {
  program
    .command('compare')
    .description('diff two response bodies with the comparator engine (exit 0 equal, 1 different, 2 bad input)')
    .requiredOption('--primary <file>', "the production response's body (JSON, or text)")
    .requiredOption('--candidate <file>', "the candidate response's body")
    .option('--rules <file>', 'YAML with ignore, tolerance, unordered and redact keys (JSONPath rules)')
    .option('--json', 'print {"equal", "differences": [{path, kind, primary, candidate}]}')
    .addHelpText('after', '\nExample rules file:\n  ignore: ["$..requestId"]\n  tolerance: { "$.total": 0.01 }\n  unordered: ["$.items"]\n  redact: ["$.customer.email"]')
    .action((opts: { primary: string; candidate: string; rules?: string; json?: boolean }) => {
      let differences: FoundDifference[];
      try {
        const rules = loadRules(opts.rules);
        differences = compareBodies(readText(opts.primary, 'primary'), readText(opts.candidate, 'candidate'), rules);
      } catch (err) {
        if (!(err instanceof BadInput)) throw err;
        out.fail(err.message);
        process.exitCode = 2;
        return;
      }
      const equal = differences.length === 0;
      if (opts.json) out.json({ equal, differences });
      else if (equal) out.line('equal');
      else {
        out.table(
          ['path', 'kind', 'primary', 'candidate'],
          differences.map((d) => [d.path, d.kind, d.primary ?? '', d.candidate ?? '']),
        );
        out.line(`${differences.length} difference${differences.length === 1 ? '' : 's'}`);
      }
      process.exitCode = equal ? 0 : 1;
    });
}
