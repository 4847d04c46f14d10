import { execFile } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(120_000);

const root = join(__dirname, '..', '..', '..');
const TYPE_AWARE_OFF = JSON.stringify({
  '@typescript-eslint/no-floating-promises': 'off',
  '@typescript-eslint/no-misused-promises': 'off',
  '@typescript-eslint/switch-exhaustiveness-check': 'off',
  '@typescript-eslint/consistent-type-imports': 'off',
});

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

/** Runs the workspace's real ESLint on source text as if it lived at `file` (type-aware rules aside). */
function lintAs(file: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [
        join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--stdin',
        '--stdin-filename',
        file,
        '--format',
        'json',
        '--parser-options',
        'projectService:false',
        '--rule',
        TYPE_AWARE_OFF,
      ],
      { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } },
      (err, stdout, stderr) => {
        try {
          const [result] = JSON.parse(stdout) as Array<{ messages: LintMessage[] }>;
          resolve((result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`));
        } catch {
          reject(new Error(`eslint did not report: ${err?.message ?? ''} ${stderr}`));
        }
      },
    );
    child.stdin?.end(code);
  });
}

describe('module boundaries', () => {
  // The rule reads Nx's cached project graph and silently skips itself without one.
  beforeAll(
    () =>
      new Promise<void>((resolve, reject) => {
        execFile(process.execPath, [require.resolve('nx/bin/nx', { paths: [root] }), 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } }, (err) =>
          err ? reject(err) : resolve(),
        );
      }),
  );

  it('fails lint when a util library imports a data-access library', async () => {
    const errors = await lintAs('libs/config/src/probe.ts', "import { JsonLogger } from '@penumbra/observability';\nexport const x = JsonLogger;\n");
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: A project tagged with "type:util" can only depend on libs tagged with "type:util"/)]);
  });

  it('fails lint when a library is imported past its public index', async () => {
    const errors = await lintAs('libs/redis/src/probe.ts', "import { decodeRecord } from '@penumbra/kafka/src/decode';\nexport const x = decodeRecord;\n");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/public index|relative or absolute path|deep import/i);
  });

  it('passes lint for an allowed import through the index', async () => {
    expect(await lintAs('libs/redis/src/probe.ts', "import { ConfigError } from '@penumbra/errors';\nexport const x = ConfigError;\n")).toEqual([]);
  });

  it('keeps test libraries out of shipped code, and lets tests and their helpers use them', async () => {
    const probe = "import { waitFor } from '@penumbra/testing';\nexport const x = waitFor;\n";
    expect(await lintAs('apps/sentinel/src/probe.ts', probe)).toEqual([
      expect.stringMatching(/^@nx\/enforce-module-boundaries: A project tagged with "type:app" can only depend on libs tagged with/),
    ]);
    expect(await lintAs('libs/sdk/src/probe.ts', probe)).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: A project tagged with "type:feature"/)]);
    expect(await lintAs('apps/sentinel/src/probe.spec.ts', probe)).toEqual([]);
    expect(await lintAs('apps/sentinel/src/probe.spec-helpers.ts', probe)).toEqual([]);
  });
});
