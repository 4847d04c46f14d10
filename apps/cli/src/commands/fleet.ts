import { DEFAULT_KAFKA_BROKERS } from '@penumbra/config';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  FLEET_SERVICES,
  type FleetService,
  FleetSupervisor,
  ensureAuditKeyFiles,
  ensureCommandKeyFiles,
  ensureConsoleUsersFile,
  ensureOperatorKeyFiles,
  waitForFleet,
} from '@penumbra/fleet';
import { repoRoot } from '../local-stack';
import { type Output } from '../output';

const stateDir = () => process.env['PENUMBRA_FLEET_DIR'] ?? join(repoRoot(), '.penumbra', 'fleet');
const pidFile = () => join(stateDir(), 'supervisor.pid');

function ports(): Record<FleetService, number> {
  const base = Number(process.env['PENUMBRA_FLEET_PORT_BASE'] ?? 7101);
  return Object.fromEntries(FLEET_SERVICES.map((s, i) => [s, base + i])) as Record<FleetService, number>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function supervisorPid(): number | undefined {
  if (!existsSync(pidFile())) return undefined;
  const pid = Number(readFileSync(pidFile(), 'utf8'));
  return Number.isInteger(pid) && alive(pid) ? pid : undefined;
}

/** The fleet's environment: the caller's, with local defaults and, when none are given, a local operator key and command signing keys. */
function fleetEnv(): Record<string, string> {
  const env: Record<string, string> = { KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? DEFAULT_KAFKA_BROKERS, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info' };
  // A local operator key: experiments and control requests are signed with it (PENUMBRA_OPERATOR_KEY_FILE), every service verifies them.
  if (process.env['PENUMBRA_OPERATOR_KEYS_FILE'] === undefined)
    env['PENUMBRA_OPERATOR_KEYS_FILE'] = ensureOperatorKeyFiles(
      stateDir(),
      process.env['PENUMBRA_ACTOR'] ?? userInfo().username,
      ['operator', 'approver'],
      'local-operator',
    ).keysFile;
  if (process.env['SENTINEL_SIGNING_KEY_FILE'] === undefined) {
    const commandKeys = ensureCommandKeyFiles(stateDir());
    env['SENTINEL_SIGNING_KEY_FILE'] = commandKeys.signingKeyFile;
    env['PENUMBRA_COMMAND_KEYS_FILE'] ??= process.env['PENUMBRA_COMMAND_KEYS_FILE'] ?? commandKeys.trustedKeysFile;
  }
  // The console signs as the local operator, for a user logging in with the token of console-users.json.
  const localKey = join(stateDir(), 'operator-key.json');
  if (process.env['PENUMBRA_OPERATOR_KEY_FILE'] === undefined && existsSync(localKey)) env['PENUMBRA_OPERATOR_KEY_FILE'] = localKey;
  if (process.env['CONSOLE_USERS_FILE'] === undefined) {
    const keyFile = env['PENUMBRA_OPERATOR_KEY_FILE'] ?? process.env['PENUMBRA_OPERATOR_KEY_FILE'];
    const operator = keyFile === undefined ? userInfo().username : operatorOf(keyFile);
    env['CONSOLE_USERS_FILE'] = ensureConsoleUsersFile(stateDir(), userInfo().username, operator).usersFile;
  }
  // A local applier (an SDK service on this machine) signs its acks with this pair.
  if (process.env['SENTINEL_APPLIER_KEYS_FILE'] === undefined)
    env['SENTINEL_APPLIER_KEYS_FILE'] = ensureCommandKeyFiles(join(stateDir(), 'applier'), 'applier-local').trustedKeysFile;
  // The audit-sink signs checkpoints of its chains; audit verify checks them with audit-keys.json.
  if (process.env['AUDIT_SIGNING_KEY_FILE'] === undefined) env['AUDIT_SIGNING_KEY_FILE'] = ensureAuditKeyFiles(stateDir()).signingKeyFile;
  return env;
}

/** The operator a key file names (one key, or the first of `keys`). */
export function operatorOf(keyFile: string): string {
  const raw = parseYaml(readFileSync(keyFile, 'utf8')) as { operator?: unknown; keys?: Array<{ operator?: unknown }> } | null;
  const name = raw?.operator ?? raw?.keys?.[0]?.operator;
  return typeof name === 'string' ? name : userInfo().username;
}

async function health(p: Record<FleetService, number>): Promise<Array<{ service: FleetService; port: number; ready: boolean; detail: string }>> {
  return Promise.all(
    FLEET_SERVICES.map(async (service) => {
      const r = await fetch(`http://127.0.0.1:${p[service]}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        async (res) => ({ ready: res.ok, detail: (await res.text()).slice(0, 200) }),
        (err: unknown) => ({ ready: false, detail: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err) }),
      );
      return { service, port: p[service], ...r };
    }),
  );
}

export function registerFleet(program: Command, out: Output): void {
  const fleet = program.command('fleet').description('the services and the console as separate processes on this machine, supervised, with prefixed logs');

  fleet
    .command('start')
    .description('start the fleet in the background (logs in .penumbra/fleet/fleet.log), or in the foreground with --foreground')
    .option('--foreground', 'run attached, with every service log line prefixed by its name, until Ctrl-C')
    .action(async (opts: { foreground?: boolean }) => {
      mkdirSync(stateDir(), { recursive: true });
      if (supervisorPid() !== undefined) return out.fail(`the fleet already runs (supervisor pid ${supervisorPid()})`, 'npx penumbra fleet status, or fleet stop');
      const env = fleetEnv();
      if (opts.foreground) {
        const supervisor = new FleetSupervisor({ root: repoRoot(), env, ports: ports(), log: process.stdout });
        writeFileSync(pidFile(), String(process.pid));
        supervisor.start();
        await new Promise<void>((resolve) => {
          for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
        });
        await supervisor.stop();
        rmSync(pidFile(), { force: true });
        return;
      }
      const log = openSync(join(stateDir(), 'fleet.log'), 'a');
      const child = spawn(process.execPath, [join(repoRoot(), 'apps', 'cli', 'bin', 'penumbra.cjs'), 'fleet', 'start', '--foreground'], {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, ...env },
      });
      child.unref();
      out.progress(`supervisor started (pid ${child.pid}); waiting for the services to be ready…`);
      await waitForFleet(ports(), 180_000);
      out.line(`the fleet is up: ${FLEET_SERVICES.map((s) => `${s} :${ports()[s]}`).join(', ')}`);
      out.line(`logs: ${join(stateDir(), 'fleet.log')} · status: npx penumbra fleet status · stop: npx penumbra fleet stop`);
      out.line(`console: http://127.0.0.1:${ports().console}/ (log in with a user and token of ${env['CONSOLE_USERS_FILE'] ?? 'CONSOLE_USERS_FILE'})`);
      if (process.env['PENUMBRA_OPERATOR_KEYS_FILE'] === undefined)
        out.line(`to apply experiments and send control requests: export PENUMBRA_OPERATOR_KEY_FILE=${join(stateDir(), 'operator-key.json')}`);
      if (process.env['AUDIT_SIGNING_KEY_FILE'] === undefined) out.line(`to verify the audit: export PENUMBRA_AUDIT_KEYS_FILE=${join(stateDir(), 'audit-keys.json')}`);
    });

  fleet
    .command('stop')
    .description('stop the fleet: each service finishes and commits the work in hand')
    .action(async () => {
      const pid = supervisorPid();
      if (pid === undefined) return out.line('the fleet is not running');
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 600 && alive(pid); i += 1) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) return out.fail(`the supervisor (pid ${pid}) is still stopping after 60 s`, 'look at .penumbra/fleet/fleet.log');
      rmSync(pidFile(), { force: true });
      out.line('the fleet is stopped');
    });

  fleet
    .command('status')
    .description("each service's readiness (Kafka, Redis, its consumers) from its /health/ready")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const pid = supervisorPid();
      const rows = await health(ports());
      if (opts.json) return out.json({ supervisor: pid ?? null, services: rows });
      out.line(pid === undefined ? 'supervisor: not running here' : `supervisor: pid ${pid}`);
      out.table(
        ['service', 'port', 'ready', 'detail'],
        rows.map((r) => [r.service, String(r.port), r.ready ? 'yes' : 'no', r.detail.replace(/\s+/g, ' ')]),
      );
      if (rows.some((r) => !r.ready)) process.exitCode = 1;
    });
}
