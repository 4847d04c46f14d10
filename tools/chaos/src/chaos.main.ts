// npm run chaos [-- --short] [--json]: the chaos suite against the real fleet, broker and a private Redis.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@penumbra/config';
import { runChaos } from './chaos-run';
import { evaluate, renderReport } from './report';

/** Whether the project's local broker is already up; the suite then leaves it up, else it stops the one it started. */
function localBrokerUp(script: string): boolean {
  if (process.env['KAFKA_BROKERS']) return true;
  try {
    return (JSON.parse(execFileSync(process.execPath, [script, 'status'], { encoding: 'utf8' })) as { reachable?: boolean }).reachable === true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--short' && a !== '--json');
  if (unknown.length > 0 || args.includes('--help')) {
    process.stderr.write('usage: npm run chaos [-- --short] [--json]\n');
    return 2;
  }
  const json = args.includes('--json');
  const root = findWorkspaceRoot(__dirname);
  const script = join(root, 'tools', 'kafka', 'local-kafka.mjs');
  const wasUp = localBrokerUp(script);
  const result = await runChaos({ root, short: args.includes('--short'), progress: (t) => process.stderr.write(`· ${t}\n`) }).finally(() => {
    if (!wasUp) execFileSync(process.execPath, [script, 'down', '--quiet'], { stdio: 'ignore' });
  });
  const checks = evaluate(result);
  process.stdout.write(`${renderReport(result, checks).join('\n')}\n`);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  if (json) process.stdout.write(`${JSON.stringify({ suite: 'chaos', passed: failed.length === 0, failed, checks, faults: result.faults, seconds: result.seconds })}\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`chaos: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
