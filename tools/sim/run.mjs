#!/usr/bin/env node
// npm run sim -- <name> [--json] [options]: runs one simulation in its own process.
// Simulations live in tools/sim/src/<name>.sim.ts; they are pure and seeded, and need no broker.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'tools', 'sim', 'src');
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.sim.ts'))
  .map((f) => f.replace(/\.sim\.ts$/, ''));
const [name, ...rest] = process.argv.slice(2);

if (name === undefined || name === '--help' || name === '-h') {
  process.stdout.write(`usage: npm run sim -- <name> [--json] [--help]\navailable: ${available.join(', ')}\n`);
  process.exit(name === undefined ? 2 : 0);
}
if (!available.includes(name)) {
  process.stderr.write(`unknown simulation: ${name}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
const res = spawnSync(process.execPath, ['-r', '@swc-node/register', join(dir, `${name}.sim.ts`), ...rest], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
});
process.exit(res.status ?? 1);
