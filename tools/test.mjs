#!/usr/bin/env node
// The one test command: starts (or reuses) the local Kafka broker, then lint, type-check and every
// project's tests (units, integration against the real broker and Redis, end-to-end), then stops
// what it started and prints one total line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBrokerList } from './lib/local-service.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const kafkaScript = join(root, 'tools', 'kafka', 'local-kafka.mjs');
const summary = join(root, '.penumbra', 'test-summary.jsonl');
const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const extra = process.argv.slice(2);

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', PENUMBRA_TEST_SUMMARY: summary, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };

function step(title, cmd, args) {
  process.stdout.write(`\n=== ${title}\n`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  process.stdout.write(`=== ${title}: ${res.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return res.status === 0;
}

let startedKafka = false;
if (!env.KAFKA_BROKERS && env.TESTCONTAINERS !== '1') {
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
  startedKafka = before.status !== 0;
}

mkdirSync(dirname(summary), { recursive: true });
rmSync(summary, { force: true });

let ok = true;
try {
  ok = step('lint', process.execPath, [nx, 'run-many', '-t', 'lint', '--parallel=2', '--outputStyle=stream']) && ok;
  ok = step('lint tools', process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), 'tools/**/*.mjs', '*.mjs']) && ok;
  ok = step('format', process.execPath, [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', '.']) && ok;
  ok = step('type-check', process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']) && ok;
  ok = step('tests', process.execPath, [nx, 'run-many', '-t', 'test', '--parallel=1', '--outputStyle=stream', ...(extra.length ? ['--', ...extra] : [])]) && ok;
} finally {
  if (startedKafka) spawnSync(process.execPath, [kafkaScript, 'down'], { stdio: 'inherit' });
}

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  for (const line of readFileSync(summary, 'utf8').split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    passed += r.passed;
    failed += r.failed;
    skipped += r.skipped;
  }
} catch {
  failed += 1;
}
if (!ok && failed === 0) failed = 1;
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(ok && failed === 0 ? 0 : 1);
