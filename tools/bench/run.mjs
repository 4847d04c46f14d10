#!/usr/bin/env node
// npm run bench [-- <name> [--json]]: runs one benchmark, or all of them, each in its own process.
// Benchmarks live in tools/bench/src/<name>.bench.ts; they start what they measure on this machine.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'tools', 'bench', 'src');
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''));
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));

if (flags.includes('--help') || flags.includes('-h')) {
  process.stdout.write(`usage: npm run bench [-- <name>] [-- --json] [-- --minutes=N (soak)]\navailable: ${available.join(', ')}\n`);
  process.exit(0);
}
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark: ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
let failed = false;
for (const name of names.length ? names : available) {
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', join(dir, `${name}.bench.ts`), ...flags], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
  });
  failed ||= res.status !== 0;
}
process.exit(failed ? 1 : 0);
