#!/usr/bin/env node
// The test command, by tier:
//   node tools/test.mjs            every tier, after lint, formatting and the type-check (npm test)
//   node tools/test.mjs unit       units only: no broker, no Redis, cached by Nx (npm run test:unit)
//   node tools/test.mjs int|e2e    integration or end-to-end tests (npm run test:int, test:e2e)
// Tiers that need Kafka start (or reuse) the local broker and stop what they started. Each project's
// totals are recorded per tier, so the run ends with one line: N passed, N failed, N skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBrokerList } from './lib/local-service.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kafkaScript = join(root, 'tools', 'kafka', 'local-kafka.mjs');
const results = join(root, '.penumbra', 'test-results');
const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const TIERS = ['unit', 'int', 'e2e'];

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const forwarded = dash >= 0 ? argv.slice(dash + 1) : [];
const chosen = own[0] ?? 'all';
if (![...TIERS, 'all'].includes(chosen) || own.length > 1) {
  process.stderr.write(`usage: node tools/test.mjs [${TIERS.join('|')}|all] [-- <jest arguments>]\n`);
  process.exit(2);
}
const tiers = chosen === 'all' ? TIERS : [chosen];

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };
const timings = [];

function step(title, cmd, args) {
  process.stdout.write(`\n=== ${title}\n`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  timings.push(`${title} ${seconds.toFixed(1)} s`);
  process.stdout.write(`=== ${title}: ${res.status === 0 ? 'ok' : 'FAILED'} in ${seconds.toFixed(1)} s\n`);
  return res.status === 0;
}

function startKafka() {
  if (env.KAFKA_BROKERS || env.TESTCONTAINERS === '1') return false;
  const before = spawnSync(process.execPath, [kafkaScript, 'status'], { encoding: 'utf8', env });
  const up = spawnSync(process.execPath, [kafkaScript, 'up', '--json'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] });
  let brokers;
  try {
    brokers = JSON.parse(up.stdout.trim().split('\n').pop() ?? '').address;
  } catch {
    brokers = undefined;
  }
  if (up.status !== 0 || !isBrokerList(brokers)) {
    process.stderr.write(`could not start the local Kafka broker (see above)${up.status === 0 ? `: malformed answer ${JSON.stringify(up.stdout)}` : ''}\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  env.KAFKA_BROKERS = brokers;
  return before.status !== 0;
}

for (const tier of tiers) rmSync(join(results, tier), { recursive: true, force: true });
const startedKafka = tiers.some((t) => t !== 'unit') ? startKafka() : false;

let ok = true;
try {
  if (chosen === 'all') {
    ok = step('lint', process.execPath, [nx, 'run-many', '-t', 'lint', '--parallel=2', '--outputStyle=stream']) && ok;
    ok = step('lint tools', process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'tools/**/*.mjs', '*.mjs']) && ok;
    ok = step('format', process.execPath, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.']) && ok;
    ok = step('type-check', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']) && ok;
  }
  for (const tier of tiers) {
    ok =
      step(`${tier} tests`, process.execPath, [nx, 'run-many', '-t', `test-${tier}`, '--parallel=1', '--outputStyle=stream', ...(forwarded.length ? ['--', ...forwarded] : [])]) &&
      ok;
  }
} finally {
  if (startedKafka) spawnSync(process.execPath, [kafkaScript, 'down'], { stdio: 'inherit', env });
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const tier of tiers) {
  const dir = join(results, tier);
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir)) {
    try {
      const r = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      passed += r.passed;
      failed += r.failed;
      skipped += r.skipped;
    } catch {
      failed += 1;
    }
  }
}
if (!ok && failed === 0) failed = 1;
if (passed + failed === 0) failed = 1;
process.stdout.write(`\ntimings: ${timings.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(ok && failed === 0 ? 0 : 1);
