import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { findWorkspaceRoot } from '@penumbra/config';

/** Runs a TypeScript file of the workspace in its own Node process (SWC on load, path aliases resolved). */
export function spawnTs(file: string, env: Record<string, string>): ChildProcess {
  const root = findWorkspaceRoot(dirname(file));
  // BENCH_CPU_PROF_DIR profiles the child (NODE_OPTIONS may not carry --cpu-prof): one .cpuprofile per process, written at exit.
  const profile = process.env['BENCH_CPU_PROF_DIR'];
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  return spawn(process.execPath, [...flags, '-r', '@swc-node/register', file], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
