import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot, parseStackAnswer } from '@penumbra/config';
import { describeError } from '@penumbra/errors';

export function repoRoot(): string {
  return findWorkspaceRoot(__dirname);
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StackUp extends ScriptResult {
  /** The checked address (broker list or Redis URL) when `code` is 0. */
  address: string;
}

/** Runs one of the project's infrastructure scripts (tools/kafka, tools/redis); their progress goes to stderr. */
export interface StackOptions {
  quiet?: boolean;
  secure?: boolean;
  /** Kafka: 3 for the local three-broker cluster. */
  brokers?: number;
  /** Redis: the local three-master Redis Cluster. */
  cluster?: boolean;
}

export function runStackScript(component: 'kafka' | 'redis', action: 'up' | 'down' | 'status', options: StackOptions = {}): Promise<ScriptResult> {
  const script = join(repoRoot(), 'tools', component, `local-${component}.mjs`);
  const args = [
    script,
    action,
    ...(options.quiet ? ['--quiet'] : []),
    ...(action === 'up' ? ['--json'] : []),
    ...(options.secure ? ['--secure'] : []),
    ...(options.brokers !== undefined && options.brokers !== 1 ? ['--brokers', String(options.brokers)] : []),
    ...(options.cluster ? ['--cluster'] : []),
  ];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, args, { timeout: 600_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (!options.quiet) child.stderr?.pipe(process.stderr);
  });
}

/** Starts (or reuses) one local component and returns its address, validated as the services will parse it. */
export async function stackUp(component: 'kafka' | 'redis', options: StackOptions = {}): Promise<StackUp> {
  const res = await runStackScript(component, 'up', options);
  if (res.code !== 0) return { ...res, address: '' };
  try {
    return { ...res, address: parseStackAnswer(component, res.stdout) };
  } catch (err) {
    if (!options.quiet) process.stderr.write(`${describeError(err)}\n`);
    return { ...res, code: 1, stderr: `${res.stderr}${describeError(err)}\n`, address: '' };
  }
}
