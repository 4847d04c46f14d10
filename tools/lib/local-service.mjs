// Shared by the local infrastructure scripts: pid files, port probes, address checks and the command dispatch.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';

/** host:port items, comma-separated: the only shape a broker list may have (as KAFKA_BROKERS is parsed). */
const HOST_PORT = /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/;
export const isBrokerList = (v) => typeof v === 'string' && v.length > 0 && v.split(',').every((item) => HOST_PORT.test(item));
/** A redis:// or rediss:// URL with no whitespace or control characters. */
export const isRedisUrl = (v) => typeof v === 'string' && /^rediss?:\/\/[^\s\p{Cc}]+$/u.test(v);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether something accepts TCP connections on host:port. */
export function portOpen(port, host = '127.0.0.1') {
  return new Promise((res) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}

/** The pid in the file if that process is alive. */
export function livePid(pidFile) {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Where `up` records its answer, so callers never parse output that a child process shares with Maven or Java. */
export function answerFile(stateDir, component) {
  return join(stateDir, component, 'address.json');
}

/**
 * Runs argv[2] from the given actions; `up` prints its address (as `{"address": …}` with --json) and
 * writes it to `answerFile`, `status` sets the exit code. Only the answer ever goes to stdout.
 */
export async function dispatch(name, actions, describeError, options = {}) {
  const cmd = process.argv[2];
  const action = actions[cmd];
  try {
    if (!action) {
      process.stderr.write(`usage: ${name} ${Object.keys(actions).join('|')} [--quiet] [--json]\n`);
      process.exitCode = 2;
      return;
    }
    const result = await action();
    if (cmd === 'up') {
      if (options.validate && !options.validate(result)) throw new Error(`refusing to report a malformed address: ${JSON.stringify(result)}`);
      const answer = { address: result, ...(options.extra?.() ?? {}) };
      if (options.answerFile) {
        mkdirSync(dirname(options.answerFile), { recursive: true });
        writeFileSync(options.answerFile, JSON.stringify({ ...answer, at: new Date().toISOString() }) + '\n');
      }
      process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(answer)}\n` : `${result}\n`);
    }
    if (cmd === 'status') process.exitCode = result ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
