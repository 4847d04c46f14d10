#!/usr/bin/env node
// npm run chaos [-- --short] [--json]: the fleet as real processes, hostile records on every consumed topic,
// each service SIGKILLed once, the broker and Redis restarted; prints a table and exits 1 if a check fails.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const res = spawnSync(process.execPath, ['-r', '@swc-node/register', join(root, 'tools', 'chaos', 'src', 'chaos.main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
});
process.exit(res.status ?? 1);
