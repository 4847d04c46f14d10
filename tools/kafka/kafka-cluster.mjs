// A local three-broker KRaft cluster (each node broker and controller) for `local-kafka.mjs up --brokers 3`.
// Node i listens on PENUMBRA_KAFKA_PORT+1+i (clients) and PENUMBRA_KAFKA_PORT+4+i (controllers), beside the
// single broker (PENUMBRA_KAFKA_PORT, controller on +1); it keeps its
// state in <state>/kafka-cluster/node-i, and runs with a modest heap so three fit beside other brokers.
// `up` again starts only the nodes that are down, so a test can kill one broker and bring it back.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { livePid, portOpen, sleep } from '../lib/local-service.mjs';

export const CLUSTER_SIZE = 3;
const CLUSTER_ID = 'penumbra-local-cluster-0003';

/** The nodes' ids, ports and files. */
export function clusterNodes(stateDir, basePort) {
  return Array.from({ length: CLUSTER_SIZE }, (_, i) => {
    const id = i + 1;
    const dir = join(stateDir, 'kafka-cluster', `node-${id}`);
    return { id, port: basePort + 1 + id, controllerPort: basePort + 1 + CLUSTER_SIZE + id, dir, pidFile: join(dir, 'kafka.pid'), logFile: join(dir, 'kafka.log') };
  });
}

function writeNodeConfig(node, nodes, writeLog4j) {
  mkdirSync(node.dir, { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': String(node.id),
    'controller.quorum.voters': nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(','),
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': join(node.dir, 'data'),
    'num.partitions': '1',
    'auto.create.topics.enable': 'false',
    'default.replication.factor': String(CLUSTER_SIZE),
    'min.insync.replicas': '2',
    'offsets.topic.replication.factor': String(CLUSTER_SIZE),
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.replication.factor': String(CLUSTER_SIZE),
    'transaction.state.log.min.isr': '2',
    'transaction.state.log.num.partitions': '5',
    'group.initial.rebalance.delay.ms': '0',
    'log.cleaner.backoff.ms': '1000',
    'delete.topic.enable': 'true',
    // A killed broker's partitions move to the others within seconds instead of the default 9 s + 18 s.
    'broker.session.timeout.ms': '6000',
    'broker.heartbeat.interval.ms': '1000',
  };
  writeFileSync(
    join(node.dir, 'server.properties'),
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + '\n',
  );
  writeLog4j(node.dir);
}

/** Starts the nodes that are down and waits until every broker answers; returns the broker list. */
export async function clusterUp({ stateDir, basePort, java, fetchKafka, writeLog4j, say, fail }) {
  const nodes = clusterNodes(stateDir, basePort);
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  const down = [];
  for (const node of nodes) {
    if (livePid(node.pidFile) && (await portOpen(node.port))) continue;
    if (await portOpen(node.port)) throw fail(`something else listens on 127.0.0.1:${node.port}; the cluster needs ports ${basePort + 2}-${basePort + 1 + 2 * CLUSTER_SIZE}`);
    down.push(node);
  }
  if (down.length === 0) {
    say(`cluster already running on ${brokers}`);
    return brokers;
  }
  fetchKafka();
  for (const node of down) {
    writeNodeConfig(node, nodes, writeLog4j);
    if (!existsSync(join(node.dir, 'data', 'meta.properties'))) {
      const [cmd, args] = java('kafka.tools.StorageTool', ['format', '--ignore-formatted', '-t', CLUSTER_ID, '-c', join(node.dir, 'server.properties')], {}, node.dir);
      const res = spawnSync(cmd, args, { encoding: 'utf8' });
      if (res.status !== 0) throw fail(`formatting the storage of node ${node.id} failed:\n${res.stdout}${res.stderr}`);
    }
    const out = openSync(node.logFile, 'a');
    const [cmd, args] = java('kafka.Kafka', [join(node.dir, 'server.properties')], {}, node.dir);
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', out, out] });
    writeFileSync(node.pidFile, String(child.pid));
    child.unref();
    say(`starting node ${node.id} (pid ${child.pid}) on 127.0.0.1:${node.port}…`);
  }
  const deadline = Date.now() + 180_000;
  for (const node of down) {
    while (!(await portOpen(node.port))) {
      if (!livePid(node.pidFile)) throw fail(`node ${node.id} exited during start; see ${node.logFile}`);
      if (Date.now() > deadline) throw fail(`node ${node.id} did not answer on 127.0.0.1:${node.port} within 180 s; see ${node.logFile}`);
      await sleep(300);
    }
  }
  say(`cluster of ${CLUSTER_SIZE} brokers ready on ${brokers}`);
  return brokers;
}

/** Stops every node this project started; returns whether any ran. */
export async function clusterDown(stateDir, basePort) {
  const running = clusterNodes(stateDir, basePort).filter((n) => livePid(n.pidFile));
  for (const n of running) process.kill(livePid(n.pidFile), 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && running.some((n) => livePid(n.pidFile))) await sleep(200);
  for (const n of running) {
    const pid = livePid(n.pidFile);
    if (pid) process.kill(pid, 'SIGKILL');
    rmSync(n.pidFile, { force: true });
  }
  return running.length > 0;
}
