#!/usr/bin/env node
// Local single-node Apache Kafka (KRaft, combined broker+controller) on loopback, no Docker.
// Fetches org.apache.kafka:kafka_2.13 and its runtime dependencies through Maven into a cache,
// formats storage once, starts the broker in the background and waits until it answers.
//
//   node tools/kafka/local-kafka.mjs up|down|status|logs [--quiet] [--json] [--secure [--extra-user NAME]…] [--brokers 3]
//
// `up` prints only the broker list on stdout (`{"address": …}` with --json) and records it in
// <state>/kafka/address.json; progress and Maven's output go to stderr and logs.
// `up --secure` starts it with SASL/SCRAM, the StandardAuthorizer, one user per principal of the ACL table
// and their ACLs for TOPIC_PREFIX and KAFKA_GROUP_PREFIX (state in <state>/kafka-secure; the answer adds
// `sasl: {mechanism, credentialsFile}`, the passwords being in that file only). --extra-user adds a user without ACLs.
//
// `up --brokers 3` starts a three-broker KRaft cluster instead, on PENUMBRA_KAFKA_PORT+2…+7 (see
// kafka-cluster.mjs), heaps of 512 MB; `down` stops it too, `down --brokers 3` only it.
//
// Environment: KAFKA_BROKERS (use that cluster instead; up/down do nothing), PENUMBRA_KAFKA_VERSION
// (default 3.9.1), PENUMBRA_KAFKA_PORT (default 9092), PENUMBRA_CACHE_DIR (default ~/.cache/penumbra),
// PENUMBRA_STATE_DIR (default .penumbra in the repository), KAFKA_HEAP_OPTS.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFile, dispatch, isBrokerList, livePid, portOpen, sleep } from '../lib/local-service.mjs';
import { CLUSTER_SIZE, clusterDown, clusterNodes, clusterUp } from './kafka-cluster.mjs';
import { aclPlan, applyAcls, ensureCredentials, scramFormatArgs, secureProps } from './secure.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = process.env.PENUMBRA_KAFKA_VERSION ?? '3.9.1';
const port = Number(process.env.PENUMBRA_KAFKA_PORT ?? '9092');
const controllerPort = port + 1;
const cacheDir = process.env.PENUMBRA_CACHE_DIR ?? join(homedir(), '.cache', 'penumbra');
const stateDir = process.env.PENUMBRA_STATE_DIR ?? join(repoRoot, '.penumbra');
const secure = process.argv.includes('--secure');
const extraUsers = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--extra-user' ? [a] : []));
const stateOf = (secured) => join(stateDir, secured ? 'kafka-secure' : 'kafka');
const kafkaState = stateOf(secure);
const libDir = join(cacheDir, 'kafka', version, 'libs');
const pidFile = join(kafkaState, 'kafka.pid');
const logFile = join(kafkaState, 'kafka.log');
const lockDir = join(kafkaState, 'start.lock');
const credentialsFile = join(kafkaState, 'credentials.json');
const quiet = process.argv.includes('--quiet');
const brokerCount = Number(process.argv[process.argv.indexOf('--brokers') + 1] ?? '1') || 1;
/** What `up --secure` adds to its answer. */
let answerExtra = {};

class SetupError extends Error {}

const say = (msg) => {
  if (!quiet) process.stderr.write(`[kafka] ${msg}\n`);
};

function requireTool(cmd, args, what, minMajor) {
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new SetupError(`${what} was not found. Install it first, for example: apt-get install -y ${cmd === 'mvn' ? 'maven' : 'openjdk-17-jre-headless'}`);
  }
  if (minMajor) {
    const text = `${res.stdout}${res.stderr}`;
    const m = /version "(\d+)/.exec(text);
    if (!m || Number(m[1]) < minMajor) {
      throw new SetupError(`${what} ${minMajor}+ is required, found: ${text.split('\n')[0]}. Install a newer JDK (apt-get install -y openjdk-17-jre-headless).`);
    }
  }
}

function fetchKafka() {
  if (existsSync(join(libDir, `kafka_2.13-${version}.jar`))) return;
  requireTool('java', ['-version'], 'Java', 17);
  requireTool('mvn', ['-v'], 'Apache Maven');
  say(`fetching Apache Kafka ${version} and its runtime dependencies through Maven (once)…`);
  const work = join(cacheDir, 'kafka', version);
  mkdirSync(work, { recursive: true });
  writeFileSync(
    join(work, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.penumbra.local</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`,
  );
  // Batch mode and no colour: Maven's escape codes once reached the broker address a caller read back.
  // Its output goes to a log (and stderr unless quiet), never to stdout, which carries only the answer.
  const mavenLog = join(work, 'maven.log');
  const res = spawnSync(
    'mvn',
    ['-B', '-q', '--no-transfer-progress', '-Dstyle.color=never', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'],
    {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, MAVEN_OPTS: `${process.env.MAVEN_OPTS ?? ''} -Djansi.passthrough=false -Djansi.strip=true`.trim(), TERM: 'dumb', NO_COLOR: '1' },
    },
  );
  // Some Maven builds still emit colour resets in batch mode; none of them reaches a log or a terminal.
  const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
  writeFileSync(mavenLog, output);
  if (!quiet && output.trim()) process.stderr.write(output.endsWith('\n') ? output : `${output}\n`);
  if (res.status !== 0) {
    rmSync(libDir, { recursive: true, force: true });
    throw new SetupError(
      `Maven could not fetch org.apache.kafka:kafka_2.13:${version}. Check that Maven Central is reachable and that the version exists (PENUMBRA_KAFKA_VERSION).\n${res.stdout ?? ''}${res.stderr ?? ''}`,
    );
  }
}

function readPid() {
  return livePid(pidFile);
}

function java(mainClass, args, opts = {}, logDir = kafkaState) {
  const cp = readdirSync(libDir)
    .filter((f) => f.endsWith('.jar'))
    .map((f) => join(libDir, f))
    .join(':');
  const heap = (process.env.KAFKA_HEAP_OPTS ?? (brokerCount > 1 ? '-Xms128m -Xmx512m' : '-Xms256m -Xmx1g')).split(/\s+/).filter(Boolean);
  return ['java', [...heap, '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${join(logDir, 'log4j.properties')}`, '-cp', cp, mainClass, ...args], opts];
}

function writeLog4j(dir) {
  writeFileSync(
    join(dir, 'log4j.properties'),
    [
      'log4j.rootLogger=WARN, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server.KafkaServer=INFO',
      'log4j.logger.kafka.server.BrokerServer=INFO',
      '',
    ].join('\n'),
  );
}

function writeConfig(credentials) {
  mkdirSync(kafkaState, { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(kafkaState, 'data'),
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': '1',
    'transaction.state.log.min.isr': '1',
    'transaction.state.log.num.partitions': '5',
    'group.initial.rebalance.delay.ms': '0',
    'log.cleaner.backoff.ms': '1000',
    'delete.topic.enable': 'true',
    ...(credentials ? secureProps(port, controllerPort, credentials) : {}),
  };
  writeFileSync(
    join(kafkaState, 'server.properties'),
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  writeLog4j(kafkaState);
}

function formatStorage(extraArgs = []) {
  if (existsSync(join(kafkaState, 'data', 'meta.properties'))) return;
  const [cmd, args] = java('kafka.tools.StorageTool', [
    'format',
    '--ignore-formatted',
    '--standalone',
    '-t',
    'penumbra-local-cluster-0001',
    '-c',
    join(kafkaState, 'server.properties'),
    ...extraArgs,
  ]);
  let res = spawnSync(cmd, args, { encoding: 'utf8' });
  if (res.status !== 0 && /standalone/.test(`${res.stderr}${res.stdout}`)) {
    res = spawnSync(
      cmd,
      args.filter((a) => a !== '--standalone'),
      { encoding: 'utf8' },
    );
  }
  if (res.status !== 0) throw new SetupError(`formatting Kafka storage failed:\n${res.stdout}${res.stderr}`);
}

async function acquireLock() {
  mkdirSync(kafkaState, { recursive: true });
  for (let i = 0; i < 600; i += 1) {
    try {
      mkdirSync(lockDir);
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch {
      await sleep(500);
    }
  }
  throw new SetupError(`another start holds ${lockDir} for 5 minutes; remove it if no start is running`);
}

async function up() {
  if (process.env.KAFKA_BROKERS) {
    const given = process.env.KAFKA_BROKERS.replace(/\s+/g, '');
    if (!isBrokerList(given))
      throw new SetupError(`KAFKA_BROKERS must be host:port items separated by commas, such as 127.0.0.1:9092 (got ${JSON.stringify(process.env.KAFKA_BROKERS)})`);
    say(`using KAFKA_BROKERS=${given}`);
    return given;
  }
  if (brokerCount !== 1 && brokerCount !== CLUSTER_SIZE) throw new SetupError(`--brokers takes 1 or ${CLUSTER_SIZE}`);
  if (brokerCount === CLUSTER_SIZE) {
    if (secure) throw new SetupError('--secure runs on the single broker only');
    const release = await acquireLock();
    try {
      return await clusterUp({ stateDir, basePort: port, java, fetchKafka, writeLog4j, say, fail: (m) => new SetupError(m) });
    } finally {
      release();
    }
  }
  const brokers = `127.0.0.1:${port}`;
  const release = await acquireLock();
  try {
    if (readPid() && (await portOpen(port))) {
      say(`already running on ${brokers}`);
      if (secure) await secureUp(brokers, false);
      return brokers;
    }
    if (livePid(join(stateOf(!secure), 'kafka.pid')) && (await portOpen(port))) {
      throw new SetupError(`the ${secure ? 'unsecured' : 'secure'} local broker runs on ${brokers}; stop it first (local-kafka.mjs down)`);
    }
    if (secure && (await portOpen(port))) throw new SetupError(`something already listens on ${brokers}; a secure broker needs the port to itself`);
    if (await portOpen(port)) {
      say(`something already listens on ${brokers}; using it as the broker`);
      return brokers;
    }
    fetchKafka();
    const plan = secure ? await secureUp(brokers, true) : undefined;
    writeConfig(plan?.credentials);
    formatStorage(plan ? scramFormatArgs(plan.credentials) : []);
    const out = openSync(logFile, 'a');
    const [cmd, args] = java('kafka.Kafka', [join(kafkaState, 'server.properties')]);
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    writeFileSync(pidFile, String(child.pid));
    child.unref();
    say(`starting broker (pid ${child.pid}) on ${brokers}…`);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (!readPid()) throw new SetupError(`the broker exited during start; see ${logFile}`);
      if (await portOpen(port)) {
        await sleep(500);
        if (plan) await applyAcls(brokers, plan.credentials, plan.bindings);
        say(`ready on ${brokers}${plan ? ` (SASL/SCRAM, ${plan.bindings.length} ACLs; credentials in ${credentialsFile})` : ''}`);
        return brokers;
      }
      await sleep(300);
    }
    throw new SetupError(`the broker did not answer on ${brokers} within 120 s; see ${logFile}`);
  } finally {
    release();
  }
}

/**
 * The ACL plan and credentials of the secure broker; with `before` false (already running) its ACLs are
 * applied again, for the prefixes of this call.
 */
async function secureUp(brokers, before) {
  const names = { topicPrefix: process.env.TOPIC_PREFIX ?? 'shadow.', groupPrefix: process.env.KAFKA_GROUP_PREFIX ?? 'penumbra.' };
  mkdirSync(kafkaState, { recursive: true });
  const plan = aclPlan(repoRoot, names);
  const credentials = ensureCredentials(credentialsFile, plan, extraUsers, brokers);
  answerExtra = { sasl: { mechanism: credentials.mechanism, credentialsFile } };
  if (!before) await applyAcls(brokers, credentials, plan.bindings);
  return { credentials, bindings: plan.bindings };
}

async function down() {
  if (process.env.KAFKA_BROKERS) return say('KAFKA_BROKERS is set: not stopping an external cluster');
  if (brokerCount === CLUSTER_SIZE) return say((await clusterDown(stateDir, port)) ? 'cluster stopped' : 'cluster not running');
  let stopped = false;
  for (const dir of [stateOf(false), stateOf(true)]) {
    const file = join(dir, 'kafka.pid');
    const pid = livePid(file);
    if (!pid) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && livePid(file)) await sleep(200);
    if (livePid(file)) process.kill(pid, 'SIGKILL');
    rmSync(file, { force: true });
    stopped = true;
  }
  if (await clusterDown(stateDir, port)) stopped = true;
  say(stopped ? 'stopped' : 'not running');
}

async function status() {
  const securePid = process.env.KAFKA_BROKERS ? undefined : livePid(join(stateOf(true), 'kafka.pid'));
  const pid = process.env.KAFKA_BROKERS ? undefined : (livePid(join(stateOf(false), 'kafka.pid')) ?? securePid);
  const nodes = clusterNodes(stateDir, port);
  const cluster = process.env.KAFKA_BROKERS ? [] : nodes.filter((n) => livePid(n.pidFile));
  // `status --brokers 3` answers for the cluster (reachable when any of its brokers is), as `up --brokers 3` did.
  const brokers = process.env.KAFKA_BROKERS ?? (brokerCount === CLUSTER_SIZE ? nodes.map((n) => `127.0.0.1:${n.port}`).join(',') : `127.0.0.1:${port}`);
  let reachable = false;
  for (const address of brokers.split(',')) {
    const [h, p] = address.split(':');
    const portNumber = Number(p);
    if (!Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535) continue;
    if ((reachable = await portOpen(portNumber, h))) break;
  }
  const clusterPart = cluster.length > 0 ? { cluster: cluster.map((n) => ({ node: n.id, broker: `127.0.0.1:${n.port}`, pid: livePid(n.pidFile) })) } : {};
  process.stdout.write(JSON.stringify({ brokers, managed: pid !== undefined, pid: pid ?? null, reachable, version, secure: securePid !== undefined, ...clusterPart }) + '\n');
  return reachable;
}

await dispatch(
  'local-kafka.mjs',
  { up, down, status, logs: async () => process.stdout.write(existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') },
  (err) => `[kafka] error: ${err instanceof SetupError ? err.message : err.stack}`,
  { validate: isBrokerList, answerFile: answerFile(stateDir, 'kafka'), extra: () => answerExtra },
);
