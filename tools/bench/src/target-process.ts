import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The benchmarks' JSON API (target-server.ts) in a process of its own. */
export async function startTarget(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'target-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
