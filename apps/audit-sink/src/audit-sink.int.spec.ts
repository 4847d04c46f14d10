import { type ChildProcess, execFile } from 'node:child_process';
import { join } from 'node:path';
import { type AuditHistory, type TimelineEntry, auditPartition, readHistory, verifyChain } from '@penumbra/audit';
import { type AuditRecord } from '@penumbra/contracts';
import { type OutgoingMessage, type TransactionalKafka, createTransactionalKafka } from '@penumbra/kafka';
import { type TestKafka, createTestKafka, publishExperiments, spawnTs } from '@penumbra/kafka-testing';
import { silentLogger } from '@penumbra/observability';
import { freePort, testAuditKeys, waitFor, testRandom } from '@penumbra/testing';
import { ack, alert, command, control, deadLetter, invalid, spec } from './test-events.spec-helpers';

jest.setTimeout(300_000);

const AUDIT_PARTITIONS = 3;
const auditKeys = testAuditKeys();

describe('audit-sink process on the real broker', () => {
  const random = testRandom('audit-sink kill delays');
  let kafka: TestKafka;
  let tk: TransactionalKafka;
  let log = '';

  beforeAll(async () => {
    kafka = await createTestKafka('audit');
    const compactFast = { 'segment.bytes': '1048576', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '100', 'min.compaction.lag.ms': '0' };
    await kafka.provision({ audit: { partitions: AUDIT_PARTITIONS, configs: compactFast }, control: { partitions: 2 } });
    tk = createTransactionalKafka({ brokers: kafka.brokers, clientId: `${kafka.ns.id}-check`, connectionTimeoutMs: 10_000, ssl: false, sasl: null }, silentLogger);
  });

  afterAll(async () => {
    await kafka.close();
  });

  const start = async (): Promise<{ child: ChildProcess; exited: Promise<void>; base: string }> => {
    const port = await freePort();
    const child = spawnTs(join(__dirname, 'main.ts'), {
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      KAFKA_GROUP_PREFIX: `${kafka.ns.id}.`,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      AUDIT_TRANSACTIONAL_ID: `${kafka.ns.id}-audit`,
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...auditKeys.env,
    });
    child.stdout?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (log = `${log}${d.toString()}`.slice(-4000)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return { child, exited, base: `http://127.0.0.1:${port}` };
  };

  const stop = async (run: { child: ChildProcess; exited: Promise<void> }, signal: NodeJS.Signals = 'SIGTERM') => {
    run.child.kill(signal);
    await run.exited;
  };

  const served = async (base: string, experimentId: string): Promise<{ count: number; timeline: TimelineEntry[]; records: AuditRecord[] }> => {
    const res = await fetch(`${base}/audit/${experimentId}`);
    if (res.status !== 200) throw new Error(`GET /audit/${experimentId} answered ${res.status}`);
    return (await res.json()) as { count: number; timeline: TimelineEntry[]; records: AuditRecord[] };
  };

  const history = (experimentId: string): Promise<AuditHistory> => readHistory(tk, kafka.topics.audit, experimentId);

  const auditHigh = async () => (await kafka.admin.topicOffsets(kafka.topics.audit)).reduce((sum, p) => sum + Number(p.high), 0);

  function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const bin = join(__dirname, '..', '..', 'cli', 'bin', 'penumbra.cjs');
    const env = {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: kafka.ns.topicPrefix,
      ...kafka.operators.env,
      PENUMBRA_AUDIT_KEYS_FILE: auditKeys.trustedKeysFile,
    };
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, 'audit', ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
    });
  }

  it('audits events from every source topic in order, numbered and chained, with redacted fields never in clear', async () => {
    const run = await start();
    try {
      await waitFor(async () => (await fetch(`${run.base}/health`)).status === 200, { timeoutMs: 90_000, intervalMs: 250, what: () => `the service to be ready (log: ${log})` });
      const steps: Array<() => Promise<void>> = [
        () => publishExperiments(kafka, [spec('exp-a', ['$..email', '$..token'])]),
        ...[control, command, ack, alert, deadLetter].map((make) => () => kafka.send([make(kafka, 'exp-a', 1)])),
        () => kafka.send([invalid(kafka, 'exp-a')]),
      ];
      for (const [i, step] of steps.entries()) {
        await step();
        await waitFor(async () => (await served(run.base, 'exp-a')).count === i + 1, {
          timeoutMs: 30_000,
          intervalMs: 100,
          what: () => `audit record ${i + 1} of exp-a (log: ${log})`,
        });
      }
      const body = await served(run.base, 'exp-a');
      expect(body.timeline.map((t) => [t.seq, t.eventType])).toEqual([
        [1, 'experiment.v1'],
        [2, 'control.v1'],
        [3, 'command.v1'],
        [4, 'ack.v1'],
        [5, 'alert.v1'],
        [6, 'dead-letter.v1'],
        [7, 'invalid'],
      ]);
      expect(body.timeline[2]?.summary).toMatch(
        /promote shadow → canary at 10%: every promotion gate held .* evidence: 1200 samples, baked 600 s, .*matchRate >= 0\.99 = 0\.995 \(bound 0\.991\) pass/,
      );
      expect(body.timeline[6]?.summary).toMatch(/invalid record on .*acks: schema violation/);
      const text = JSON.stringify(body);
      for (const secret of ['ann@example.com', 'c2VjcmV0LXNpZ25hdHVyZQ==', 'tok-123']) expect(text).not.toContain(secret);
      expect(body.records[1]?.event).toMatchObject({ signature: { keyId: 'ops-1', value: '[redacted]' } });

      const fromTopic = await history('exp-a');
      expect(fromTopic.partition).toBe(auditPartition('exp-a', AUDIT_PARTITIONS));
      expect(fromTopic.records).toEqual(body.records);
      expect(verifyChain(fromTopic.raw)).toEqual({ ok: true, count: 7, duplicates: 0 });

      const timeline = await cli('exp-a');
      expect(timeline.code).toBe(0);
      expect(timeline.stdout).toMatch(/#2 .* alice .*control\.v1 .*requested rollback as sre \(signed ed25519 by key ops-1\): errors on checkout/);
      expect(JSON.parse((await cli('exp-a', '--json')).stdout)).toEqual(body);
    } finally {
      await stop(run);
    }
  });

  it('writes each event exactly once although the process is SIGKILLed during a burst, and the chains verify', async () => {
    const perTopic = 2500;
    const experiments = ['burst', 'burst-b'];
    const messages: OutgoingMessage[] = [];
    for (let i = 0; i < perTopic; i += 1) {
      const id = experiments[i % 2] as string;
      messages.push(control(kafka, id, i), ack(kafka, id, i), alert(kafka, id, i));
    }
    for (let i = 0; i < messages.length; i += 1000) await kafka.send(messages.slice(i, i + 1000));
    const kills: number[] = [];
    const start0 = await auditHigh();
    let before = start0;
    for (let round = 0; round < 3; round += 1) {
      const run = await start();
      await waitFor(async () => (await auditHigh()) > before, { timeoutMs: 90_000, intervalMs: 20, what: () => `progress before kill ${round + 1} (log: ${log})` });
      await new Promise((r) => setTimeout(r, Math.floor(random.next() * 150)));
      await stop(run, 'SIGKILL');
      before = await auditHigh();
      kills.push(before);
    }
    const run = await start();
    try {
      const want = (messages.length / 2) | 0;
      await waitFor(async () => (await served(run.base, 'burst')).count === want && (await served(run.base, 'burst-b')).count === want, {
        timeoutMs: 180_000,
        intervalMs: 500,
        what: () => `all ${messages.length} events audited (log: ${log})`,
      });
      for (const id of experiments) {
        const h = await history(id);
        const coordinates = new Set(h.records.map((r) => `${r.source.topic}:${r.source.partition}:${r.source.offset}`));
        expect({ id, records: h.records.length, distinct: coordinates.size, raw: h.raw.length }).toEqual({ id, records: want, distinct: want, raw: want });
        expect(h.records.map((r) => r.seq)).toEqual(Array.from({ length: want }, (_, i) => i + 1));
        expect(verifyChain(h.raw)).toEqual({ ok: true, count: want, duplicates: 0 });
      }
    } finally {
      await stop(run);
    }
    // Progress was cut at least once in the middle of the burst, not before it started or after it ended.
    expect(kills.some((k) => k > start0 && k - start0 < messages.length)).toBe(true);
  });

  it('shows a forged record in the audit topic with penumbra audit verify, exit 1', async () => {
    const { records } = await history('burst');
    const target = records[4]!;
    const forged = { ...target, actor: 'mallory', event: { ...(target.event as object), message: 'nothing happened here' } };
    await kafka.send([{ topic: kafka.topics.audit, key: target.id, value: JSON.stringify(forged), partition: auditPartition('burst', AUDIT_PARTITIONS) }]);

    const json = await cli('verify', 'burst', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      experimentId: 'burst',
      ok: false,
      count: 4,
      firstBroken: { seq: 5, id: target.id, reason: expect.stringMatching(/hash does not match/) },
    });
    const text = await cli('verify', 'burst');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/burst: broken at seq 5 \(.*\): .*hash does not match/);
    expect(await cli('verify', 'burst-b')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/burst-b: the chain verifies \(\d+ records; signed checkpoint at seq \d+ by audit-test/),
    });
  });

  it('loses nothing when the audit topic is compacted: redelivered copies collapse, every unique record stays', async () => {
    const a = await history('exp-a');
    const b = await history('burst-b');
    const copies = a.raw.map((value) => ({
      topic: kafka.topics.audit,
      key: (value as AuditRecord).id,
      value: JSON.stringify(value),
      partition: auditPartition('exp-a', AUDIT_PARTITIONS),
    }));
    await kafka.send(copies);
    expect(verifyChain((await history('exp-a')).raw)).toEqual({ ok: true, count: 7, duplicates: 7 });
    const run = await start();
    try {
      let i = 0;
      // Each new record rolls a segment (segment.ms is tiny), so the copies end up in a closed segment the cleaner may compact.
      await waitFor(
        async () => {
          i += 1;
          await kafka.send([alert(kafka, 'exp-a', 1000 + i), alert(kafka, 'burst-b', 1000 + i), alert(kafka, 'burst', 1000 + i)]);
          const now = await history('exp-a');
          return now.raw.length === now.records.length && verifyChain(now.raw).duplicates === 0 && now;
        },
        { timeoutMs: 120_000, intervalMs: 1500, what: () => `compaction to collapse the copies (log: ${log})` },
      );
      await waitFor(async () => (await served(run.base, 'burst-b')).count >= b.records.length + i, { timeoutMs: 30_000, what: 'the last alerts audited' });
      const after = await history('exp-a');
      expect(verifyChain(after.raw)).toMatchObject({ ok: true, duplicates: 0 });
      expect(after.records.slice(0, 7)).toEqual(a.records);
      const bAfter = await history('burst-b');
      expect(verifyChain(bAfter.raw)).toMatchObject({ ok: true, count: bAfter.records.length });
      expect(bAfter.records.slice(0, b.records.length)).toEqual(b.records);
      // The forged copy replaced the original under its key: verify still points at it.
      expect(JSON.parse((await cli('verify', 'burst', '--json')).stdout)).toMatchObject({ ok: false, firstBroken: { seq: 5 } });
    } finally {
      await stop(run);
    }
  });
});
