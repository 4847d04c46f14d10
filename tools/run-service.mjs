#!/usr/bin/env node
// npm run service -- <name>: runs one Penumbra service in the foreground from its TypeScript source,
// configured by the environment (see the README's Configuration section).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
const main = name ? join(root, 'apps', name, 'src', 'main.ts') : '';
if (!name || !existsSync(main) || name === 'cli') {
  process.stderr.write('usage: npm run service -- <traffic-mirror|comparator|aggregator|sentinel|audit-sink|console>\n');
  process.exit(2);
}
const child = spawn(process.execPath, ['-r', '@swc-node/register', main], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'), KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
