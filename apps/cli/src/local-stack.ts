import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@penumbra/config';

export function repoRoot(): string {
  return findWorkspaceRoot(__dirname);
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's infrastructure scripts (tools/kafka, tools/redis); their progress goes to stderr. */
export function runStackScript(component: 'kafka' | 'redis', action: 'up' | 'down' | 'status', options: { quiet?: boolean } = {}): Promise<ScriptResult> {
  const script = join(repoRoot(), 'tools', component, `local-${component}.mjs`);
  const args = [script, action, ...(options.quiet ? ['--quiet'] : [])];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { timeout: 600_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (!options.quiet) child.stderr?.pipe(process.stderr);
  });
}
