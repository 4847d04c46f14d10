import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Command } from 'commander';
import { DEFAULT_KAFKA_BROKERS } from '@penumbra/config';
import { FLEET_SERVICES, type FleetService, FleetSupervisor, ensureConsoleUsersFile, waitForFleet } from '@penumbra/fleet';
import { repoRoot } from '../local-stack';
import { type Output } from '../output';
import { operatorOf } from './fleet';

/** The console's environment: the caller's, a local operator key and a local login when none are given. */
function consoleEnv(): Record<string, string> {
  const env: Record<string, string> = { KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? DEFAULT_KAFKA_BROKERS, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' };
  const fleetKey = join(process.env['PENUMBRA_FLEET_DIR'] ?? join(repoRoot(), '.penumbra', 'fleet'), 'operator-key.json');
  if (process.env['PENUMBRA_OPERATOR_KEY_FILE'] === undefined && existsSync(fleetKey)) env['PENUMBRA_OPERATOR_KEY_FILE'] = fleetKey;
  if (process.env['CONSOLE_USERS_FILE'] === undefined) {
    const keyFile = env['PENUMBRA_OPERATOR_KEY_FILE'] ?? process.env['PENUMBRA_OPERATOR_KEY_FILE'];
    const dir = join(repoRoot(), '.penumbra', 'console');
    mkdirSync(dir, { recursive: true });
    env['CONSOLE_USERS_FILE'] = ensureConsoleUsersFile(dir, userInfo().username, keyFile === undefined ? userInfo().username : operatorOf(keyFile)).usersFile;
  }
  return env;
}

export function registerConsole(program: Command, out: Output): void {
  program
    .command('console')
    .description('the web console on the local stack (or KAFKA_BROKERS, REDIS_URL): experiments, gates, differences, audit, and signed control requests; until Ctrl-C')
    .option('--port <port>', 'HTTP port', '8090')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535) return out.fail(`--port "${opts.port}" is not a port`, 'use a number from 1 to 65535');
      const env: Record<string, string> = { ...consoleEnv(), HTTP_HOST: opts.host };
      const ports = { ...(Object.fromEntries(FLEET_SERVICES.map((s) => [s, 0])) as Record<FleetService, number>), console: port };
      const supervisor = new FleetSupervisor({ root: repoRoot(), env, ports, log: process.stdout, services: ['console'] });
      supervisor.start();
      try {
        await waitForFleet({ console: port }, 120_000, opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host);
        out.line(`console: http://${opts.host}:${port}/ (log in with a user and token of ${process.env['CONSOLE_USERS_FILE'] ?? env['CONSOLE_USERS_FILE']}) · Ctrl-C stops it`);
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
      } finally {
        await supervisor.stop();
      }
    });
}
