import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CapturePublisher, createCaptureProxy } from '@penumbra/capture';
import { type OperatorSigner, TOPIC_KEYS, type TopicKey, operatorSignerFromJson, topicNames } from '@penumbra/contracts';
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
import { type KafkaClient, type ProducerPort, provisionTopics } from '@penumbra/kafka';
import { createMetricsRegistry, silentLogger } from '@penumbra/observability';
import { type DemoApi, type DemoScenario, startDemoApi } from './demo-api';

export interface DemoNames {
  runId: string;
  experimentId: string;
  topicPrefix: string;
  keyPrefix: string;
  groupPrefix: string;
  dir: string;
}

export function demoNames(root: string, scenario: DemoScenario, now = Date.now()): DemoNames {
  const runId = `${scenario}-${now.toString(36)}`;
  return {
    runId,
    experimentId: `shop-${runId}`,
    topicPrefix: `demo.${runId}.`,
    keyPrefix: `demo:${runId}:`,
    groupPrefix: `demo.${runId}.`,
    dir: join(root, '.penumbra', 'demo', runId),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface DemoStack {
  topics: Record<TopicKey, string>;
  apis: { primary: DemoApi; secondary: DemoApi; candidate: DemoApi };
  teeUrl: string;
  fleet: FleetSupervisor;
  /** Each service's HTTP port (/health, /metrics). */
  ports: Record<FleetService, number>;
  /** The operators' public keys (PENUMBRA_OPERATOR_KEYS_FILE) every service verifies experiments and control requests with. */
  keysFile: string;
  /** The demo operator's private key (PENUMBRA_OPERATOR_KEY_FILE). */
  operatorKeyFile: string;
  /** The audit-sink's public keys: what the audit's checkpoints are verified with. */
  auditKeysFile: string;
  /** Signs the demo's experiment and control requests. */
  operator: OperatorSigner;
  /** The console of the fleet, and the login it was given. */
  console: { url: string; user: string; token: string };
  stop(): Promise<void>;
}

const ONE_PARTITION = Object.fromEntries(TOPIC_KEYS.map((k) => [k, { partitions: 1 }]));

/**
 * Everything the demo runs on one machine: its own topics, the shop API three times, a capture
 * tee in front of the primary, and the five services as separate processes.
 */
export async function startDemoStack(input: {
  root: string;
  names: DemoNames;
  scenario: DemoScenario;
  kafka: KafkaClient;
  producer: ProducerPort;
  brokers: string[];
  redisUrl: string;
  progress: (text: string) => void;
  serviceEnv?: Partial<Record<FleetService, Record<string, string>>>;
  /** Further environment for every service (the chaos suite adds its GoReplay input). */
  env?: Record<string, string>;
}): Promise<DemoStack> {
  const { names, kafka, progress } = input;
  mkdirSync(names.dir, { recursive: true });
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const admin = await kafka.admin();
    try {
      await provisionTopics(admin, { prefix: names.topicPrefix, overrides: ONE_PARTITION });
    } finally {
      await admin.disconnect();
    }
    const topics = topicNames(names.topicPrefix);
    progress(`topics provisioned under "${names.topicPrefix}"`);

    const primary = await startDemoApi('primary', input.scenario);
    stops.push(() => primary.close());
    const secondary = await startDemoApi('secondary', input.scenario);
    stops.push(() => secondary.close());
    const candidate = await startDemoApi('candidate', input.scenario);
    stops.push(() => candidate.close());
    const publisher = new CapturePublisher({
      producer: input.producer,
      topic: topics.traffic,
      logger: silentLogger,
      registry: createMetricsRegistry('demo-capture', { defaultMetrics: false }),
    });
    const tee = createCaptureProxy({ upstream: primary.url, service: 'shop', publisher, attributes: (req) => ({ tenant: String(req.headers['x-tenant'] ?? 'unknown') }) });
    const teePort = await freePort();
    await new Promise<void>((resolve) => tee.server.listen(teePort, '127.0.0.1', () => resolve()));
    stops.push(() => tee.close());
    progress(`shop API: primary ${primary.url}, secondary ${secondary.url}, candidate ${candidate.url}; capture tee on http://127.0.0.1:${teePort}`);

    const operatorKeys = ensureOperatorKeyFiles(names.dir, 'demo-operator', ['operator'], 'demo-operator');
    const operator = operatorSignerFromJson(JSON.parse(readFileSync(operatorKeys.signingKeyFile, 'utf8')));
    const commandKeys = ensureCommandKeyFiles(names.dir, 'sentinel-demo');
    const auditKeys = ensureAuditKeyFiles(names.dir, 'audit-demo');
    // The console signs as the demo operator, for a user who logs in with a token made for this run.
    const consoleLogin = ensureConsoleUsersFile(names.dir, 'demo', operator.operator);
    const ports = Object.fromEntries(await Promise.all(FLEET_SERVICES.map(async (s) => [s, await freePort()] as const))) as Record<FleetService, number>;
    const log = createWriteStream(join(names.dir, 'fleet.log'));
    const fleet = new FleetSupervisor({
      root: input.root,
      ports,
      log,
      ...(input.serviceEnv ? { serviceEnv: input.serviceEnv } : {}),
      env: {
        KAFKA_BROKERS: input.brokers.join(','),
        TOPIC_PREFIX: names.topicPrefix,
        KAFKA_GROUP_PREFIX: names.groupPrefix,
        // The demo's candidate and secondary run on this machine: loopback must be listed to be replayed to.
        MIRROR_ALLOWED_TARGETS: '127.0.0.1/32',
        KAFKA_SESSION_TIMEOUT_MS: '10000',
        REDIS_URL: input.redisUrl,
        REDIS_KEY_PREFIX: names.keyPrefix,
        MIRROR_START_FROM: 'earliest',
        AGGREGATOR_WINDOW_MS: '1000',
        AGGREGATOR_PARTIAL_SNAPSHOT_MS: '500',
        SENTINEL_EVALUATE_INTERVAL_MS: '500',
        PENUMBRA_OPERATOR_KEYS_FILE: operatorKeys.keysFile,
        SENTINEL_SIGNING_KEY_FILE: commandKeys.signingKeyFile,
        PENUMBRA_COMMAND_KEYS_FILE: commandKeys.trustedKeysFile,
        AUDIT_TRANSACTIONAL_ID: `penumbra-audit-sink.demo.${names.runId}`,
        AUDIT_SIGNING_KEY_FILE: auditKeys.signingKeyFile,
        AUDIT_CHECKPOINT_INTERVAL_MS: '1000',
        CONSOLE_USERS_FILE: consoleLogin.usersFile,
        PENUMBRA_OPERATOR_KEY_FILE: operatorKeys.signingKeyFile,
        CONSOLE_PUSH_INTERVAL_MS: '500',
        LOG_LEVEL: 'warn',
        ...input.env,
      },
    });
    fleet.start();
    stops.push(async () => {
      await fleet.stop();
      await new Promise((r) => log.end(r));
    });
    progress(`fleet starting (logs: ${join(names.dir, 'fleet.log')})`);
    await waitForFleet(ports, 180_000);
    progress(`fleet ready: ${FLEET_SERVICES.join(', ')}`);
    const consoleUrl = `http://127.0.0.1:${ports.console}/`;
    return {
      topics,
      apis: { primary, secondary, candidate },
      teeUrl: `http://127.0.0.1:${teePort}`,
      fleet,
      ports,
      keysFile: operatorKeys.keysFile,
      operatorKeyFile: operatorKeys.signingKeyFile,
      auditKeysFile: auditKeys.trustedKeysFile,
      operator,
      console: { url: consoleUrl, user: consoleLogin.user, token: consoleLogin.token },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
