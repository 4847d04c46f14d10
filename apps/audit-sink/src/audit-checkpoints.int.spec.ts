import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { type AuditHistory, type AuditDraft, auditPartition, chainRecord, readHistory, verifyAuditTopic, verifyChain } from '@penumbra/audit';
import { type AuditRecord } from '@penumbra/contracts';
import { type OutgoingMessage, type TransactionalKafka, createTransactionalKafka } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, spawnTs } from '@penumbra/kafka-testing';
import { silentLogger } from '@penumbra/observability';
import { freePort, testAuditKeys, waitFor } from '@penumbra/testing';
import { alert } from './test-events.spec-helpers';

jest.setTimeout(300_000);

const AUDIT_PARTITIONS = 3;
const EVENTS = 12;
const keys = testAuditKeys();

/** The records from `fromSeq` on, chained again after `replace` changed them: what someone who can write the topic and hash could do. */
function rechain(records: AuditRecord[], fromSeq: number, replace: (tail: AuditRecord[]) => AuditRecord[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  let head = fromSeq > 1 ? records[fromSeq - 2] : undefined;
  for (const r of replace(records.slice(fromSeq - 1))) {
    const draft: AuditDraft = { experimentId: r.experimentId, eventType: r.eventType, actor: r.actor, ts: r.ts, event: r.event };
    const next = chainRecord(head, draft, r.id, r.source);
    out.push(next);
    head = next;
  }
  return out;
}

describe('audit checkpoints against tampering on the real broker', () => {
  let kafka: TestKafka;
  let tk: TransactionalKafka;
  let log = '';

  beforeAll(async () => {
    kafka = await createTestKafka('audit-cp');
    const compactFast = { 'segment.bytes': '1048576', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '100', 'min.compaction.lag.ms': '0' };
    await kafka.provision({ audit: { partitions: AUDIT_PARTITIONS, configs: compactFast } });
    tk = createTransactionalKafka({ brokers: kafka.brokers, clientId: `${kafka.ns.id}-check`, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger);
  });

  afterAll(async () => {
    await kafka.close();
  });

  const start = async (): Promise<{ child: ChildProcess; exited: Promise<void> }> => {
    const child = spawnTs(join(__dirname, 'main.ts'), {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      AUDIT_TRANSACTIONAL_ID: `${kafka.ns.id}-audit`,
      AUDIT_CHECKPOINT_EVERY_RECORDS: '5',
      AUDIT_CHECKPOINT_INTERVAL_MS: '300',
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...keys.env,
    });
    child.stdout?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
    return { child, exited: new Promise<void>((r) => child.once('exit', () => r())) };
  };

  const history = (experimentId: string): Promise<AuditHistory> => readHistory(tk, kafka.topics.audit, experimentId);
  const verify = async (experimentId: string) => (await verifyAuditTopic(tk, kafka.topics.audit, { experimentId, keys: keys.trusted }))[0]!;
  const onTopic = (records: AuditRecord[]): OutgoingMessage[] =>
    records.map((r) => ({ topic: kafka.topics.audit, key: r.id, value: JSON.stringify(r), partition: auditPartition(r.experimentId, AUDIT_PARTITIONS) }));

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const bin = join(__dirname, '..', '..', 'cli', 'bin', 'penumbra.cjs');
    const env = {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      PENUMBRA_AUDIT_KEYS_FILE: keys.trustedKeysFile,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, 'audit', 'verify', ...args], { env, timeout: 120_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
  }

  it('signs checkpoints of every chain, and names the first break of a rewrite, a truncated tail and a reordering once compaction has erased the originals', async () => {
    const experiments = ['cp-ok', 'cp-rewrite', 'cp-truncate', 'cp-reorder'];
    const run = await start();
    try {
      const events = experiments.flatMap((id) => Array.from({ length: EVENTS }, (_, i) => alert(kafka, id, i)));
      await kafka.send(events);
      for (const id of experiments)
        await waitFor(async () => (await verify(id)).checkpoint?.seq === EVENTS, {
          timeoutMs: 90_000,
          intervalMs: 250,
          what: () => `a checkpoint of ${id} at seq ${EVENTS} (log: ${log})`,
        });
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const untampered = await verify('cp-ok');
    expect(untampered).toMatchObject({ ok: true, count: EVENTS, checkpointsChecked: true, checkpoint: { seq: EVENTS, keyId: 'audit-test' }, notYetCheckpointed: 0 });

    const rewrite = (await history('cp-rewrite')).records;
    const truncate = (await history('cp-truncate')).records;
    const reorder = (await history('cp-reorder')).records;
    await kafka.send([
      // seq 4 now says nothing happened, and every later hash is recomputed.
      ...onTopic(rechain(rewrite, 4, (tail) => tail.map((r, i) => (i === 0 ? { ...r, event: { ...(r.event as object), message: 'nothing happened here' } } : r)))),
      // The last three records deleted.
      ...truncate.slice(9).map((r) => ({ topic: kafka.topics.audit, key: r.id, value: null, partition: auditPartition('cp-truncate', AUDIT_PARTITIONS) })),
      // seq 6 before seq 5, hashes recomputed.
      ...onTopic(rechain(reorder, 5, ([five, six, ...rest]) => [six!, five!, ...rest])),
    ]);

    // Compaction keeps the latest value per key and then drops the tombstones: what is left is all the chain alone can see.
    let roll = 0;
    await waitFor(
      async () => {
        roll += 1;
        const fillers = Array.from({ length: AUDIT_PARTITIONS }, (_, partition) => ({ topic: kafka.topics.audit, key: `filler:${roll}:${partition}`, value: null, partition }));
        await kafka.send(fillers);
        const [w, t, o] = await Promise.all(['cp-rewrite', 'cp-truncate', 'cp-reorder'].map(history));
        return verifyChain(w!.raw).ok && verifyChain(o!.raw).ok && t!.deleted.length === 0 && t!.raw.length === 9;
      },
      { timeoutMs: 180_000, intervalMs: 2000, what: 'compaction to erase the originals and the tombstones' },
    );

    expect(await verify('cp-rewrite')).toMatchObject({
      ok: false,
      firstBroken: {
        seq: EVENTS,
        id: 'audit-checkpoint:cp-rewrite',
        reason: expect.stringMatching(/hash at seq 12 is not the one the checkpoint signed by audit-test .* rewritten/),
      },
    });
    expect(await verify('cp-truncate')).toMatchObject({
      ok: false,
      count: 9,
      firstBroken: { seq: 10, reason: expect.stringMatching(/seq 10\.\.12 missing: the chain ends at seq 9 .* covers seq 12 \(tail truncated\)/) },
    });
    expect(await verify('cp-reorder')).toMatchObject({ ok: false, firstBroken: { seq: EVENTS, reason: expect.stringMatching(/rewritten, removed or reordered/) } });
    expect(await verify('cp-ok')).toEqual(untampered);

    const one = await cli('cp-truncate');
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/cp-truncate: broken at seq 10 \(audit-checkpoint:cp-truncate\): seq 10\.\.12 missing/);
    const all = await cli();
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/cp-ok: the chain verifies \(12 records; signed checkpoint at seq 12 by audit-test/);
    for (const id of ['cp-rewrite', 'cp-truncate', 'cp-reorder']) expect(all.stderr).toContain(`${id}: broken at seq`);
    expect(await cli('cp-ok')).toMatchObject({ code: 0 });
  });
});
