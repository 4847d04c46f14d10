// Shared by the local infrastructure scripts: pid files, port probes and the command dispatch.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

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

/** Runs argv[2] from the given actions; `up` prints its address, `status` sets the exit code. */
export async function dispatch(name, actions, describeError) {
  const cmd = process.argv[2];
  const action = actions[cmd];
  try {
    if (!action) {
      process.stderr.write(`usage: ${name} ${Object.keys(actions).join('|')} [--quiet]\n`);
      process.exitCode = 2;
      return;
    }
    const result = await action();
    if (cmd === 'up') process.stdout.write(`${result}\n`);
    if (cmd === 'status') process.exitCode = result ? 0 : 1;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
