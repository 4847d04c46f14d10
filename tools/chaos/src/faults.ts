import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, pingRedis, waitFor } from '@penumbra/testing';

const run = promisify(execFile);

export interface FaultOutcome {
  fault: string;
  outcome: string;
  ok: boolean;
  /** Why a fault was not injected (then `ok` says nothing about the fleet). */
  skipped?: string;
}

/**
 * A private redis-server on a free port that can be restarted on the same port with its data: an
 * append-only file synced on every write, so a restart is a restart, not a wipe.
 */
export class RestartableRedis {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(dir: string): Promise<RestartableRedis> {
    mkdirSync(dir, { recursive: true });
    const redis = new RestartableRedis(await freePort(), dir);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--loglevel', 'warning'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.on('error', () => undefined);
    this.child = child;
    await waitFor(() => pingRedis(this.url, 1_000), { timeoutMs: 30_000, intervalMs: 100, what: `redis-server on ${this.port}` });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

/**
 * Restarts the project's local broker (down, then up on the same state directory). Only the broker
 * the project's script manages on this port is restarted; an external cluster never is.
 */
export async function restartLocalBroker(root: string, brokers: string[]): Promise<FaultOutcome> {
  const script = join(root, 'tools', 'kafka', 'local-kafka.mjs');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['KAFKA_BROKERS'];
  const status = JSON.parse((await run(process.execPath, [script, 'status'], { env })).stdout.trim()) as { brokers: string; managed: boolean };
  if (!status.managed || status.brokers !== brokers.join(',')) {
    return { fault: 'broker restart', outcome: 'not injected', ok: true, skipped: `the brokers (${brokers.join(',')}) are not the local broker this project manages` };
  }
  await run(process.execPath, [script, 'down', '--quiet'], { env, timeout: 120_000 });
  await run(process.execPath, [script, 'up', '--quiet', '--json'], { env, timeout: 300_000 });
  return { fault: 'broker restart', outcome: 'stopped and started on the same state directory', ok: true };
}

/** SIGKILLs one process by id: the supervisor, not the suite, must bring it back. */
export function killProcess(pid: number): void {
  process.kill(pid, 'SIGKILL');
}
