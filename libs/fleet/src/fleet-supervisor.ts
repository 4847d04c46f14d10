import { type ChildProcess, spawn } from 'node:child_process';
import { type Writable } from 'node:stream';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UnavailableError, backoffDelay } from '@penumbra/errors';

export const FLEET_SERVICES = ['traffic-mirror', 'comparator', 'aggregator', 'sentinel', 'audit-sink', 'console'] as const;
export type FleetService = (typeof FLEET_SERVICES)[number];

export interface FleetOptions {
  root: string;
  services?: readonly FleetService[];
  /** Environment shared by every service; each also gets its own HTTP_PORT. */
  env: Record<string, string>;
  /** Further environment for one service, over the shared one (its own Kafka principal, for example). */
  serviceEnv?: Partial<Record<FleetService, Record<string, string>>>;
  ports: Record<FleetService, number>;
  /** Where each service's log lines go, prefixed with its name. */
  log: Writable;
  /** Restarts of one service in a row before the supervisor gives up on it. @default 5 */
  maxRestarts?: number;
  /** A service that ran this long before exiting counts as healthy: its restart count starts over. @default 60000 */
  healthyAfterMs?: number;
  /** Injected for tests. */
  clock?: () => number;
  random?: () => number;
  onGiveUp?: (service: FleetService, code: number | null) => void;
  /** Node arguments that start a service; by default its TypeScript main under SWC. */
  argv?: (service: FleetService) => string[];
}

interface Member {
  service: FleetService;
  child: ChildProcess | undefined;
  restarts: number;
  stopping: boolean;
  exited: Promise<void>;
}

/** Compiled services when this code runs compiled (`npm run build`), else their TypeScript sources through SWC. */
function serviceArgv(root: string, service: FleetService): string[] {
  if (__filename.endsWith('.js')) return [join(root, 'dist', 'apps', service, 'src', 'main.js')];
  return ['-r', '@swc-node/register', join(root, 'apps', service, 'src', 'main.ts')];
}

const PAD = Math.max(...FLEET_SERVICES.map((s) => s.length));

/**
 * Runs the services as separate processes (compiled, or from their TypeScript sources), prefixes their log lines,
 * restarts a crashed one after a growing pause (bounded), and stops them all together.
 */
export class FleetSupervisor {
  private readonly members = new Map<FleetService, Member>();
  private stopped = false;

  constructor(private readonly options: FleetOptions) {}

  start(): void {
    for (const service of this.options.services ?? FLEET_SERVICES) this.launch(service, 0);
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.members].map(([s, m]) => [s, m.child?.pid]));
  }

  private launch(service: FleetService, restarts: number): void {
    const { root, env, ports, log } = this.options;
    const argv = this.options.argv?.(service) ?? serviceArgv(root, service);
    const child = spawn(process.execPath, argv, {
      cwd: root,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(root, 'tsconfig.base.json'),
        ...env,
        ...this.options.serviceEnv?.[service],
        HTTP_PORT: String(ports[service]),
        INSTANCE_ID: `${service}-${ports[service]}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `[${service.padEnd(PAD)}] `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => log.write(`${prefix}${line}\n`));
    }
    const clock = this.options.clock ?? Date.now;
    const startedAt = clock();
    const exited = new Promise<void>((resolve) => {
      // 'close', not 'exit': the last lines a service printed are logged before it counts as gone.
      child.once('close', (code) => {
        resolve();
        const member = this.members.get(service);
        if (this.stopped || member?.stopping) return;
        // A crash after a healthy run is a new incident, not the next step of a crash loop.
        const inARow = clock() - startedAt >= (this.options.healthyAfterMs ?? 60_000) ? 0 : restarts;
        const max = this.options.maxRestarts ?? 5;
        if (inARow >= max) {
          log.write(`${prefix}exited with ${String(code)}; gave up after ${max} restarts in a row\n`);
          this.options.onGiveUp?.(service, code);
          return;
        }
        const pauseMs = Math.max(250, backoffDelay(inARow + 1, { initialDelayMs: 500, maxDelayMs: 10_000, ...(this.options.random ? { random: this.options.random } : {}) }));
        log.write(`${prefix}exited with ${String(code)}; restarting in ${pauseMs} ms\n`);
        setTimeout(() => {
          if (!this.stopped) this.launch(service, inARow + 1);
        }, pauseMs).unref();
      });
    });
    this.members.set(service, { service, child, restarts, stopping: false, exited });
  }

  /** SIGTERM to every service at once (each finishes and commits its work); SIGKILL for any still running after the grace. */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.members.values()].map(async (member) => {
        member.stopping = true;
        const child = member.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await member.exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** Waits until every service answers 200 on /health/ready, or throws naming the ones that do not. */
export async function waitForFleet(ports: Partial<Record<FleetService, number>>, timeoutMs = 120_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(Object.keys(ports) as FleetService[]);
  while (pending.size > 0) {
    for (const service of [...pending]) {
      const ok = await fetch(`http://${host}:${ports[service]}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) pending.delete(service);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline)
      throw new UnavailableError(`not ready after ${Math.round(timeoutMs / 1000)} s: ${[...pending].join(', ')} (see their logs)`, { pending: [...pending], timeoutMs });
    await new Promise((r) => setTimeout(r, 500));
  }
}
