import { Controller, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { parseEnv, serviceEnvSchemas } from '@penumbra/config';
import { type GoReplayMessage, type Pair, deadLetterSchema, goReplayMessageSchema } from '@penumbra/contracts';
import { PenumbraError, UnavailableError } from '@penumbra/errors';
import {
  type BatchControl,
  type BatchOutcome,
  type ConsumedRecord,
  type ConsumerPort,
  type FetchedBatch,
  type KafkaClient,
  type OutgoingMessage,
  type ProducerPort,
} from '@penumbra/kafka';
import { jsonPair } from '@penumbra/kafka-testing';
import { bootstrapService } from './bootstrap';
import { type BatchTransport, KafkaBatchContext } from './batch-transport';
import { KafkaRawContext } from './raw-input';
import { BATCH_TRANSPORT } from './service-providers';
import { createServiceContext } from './service-context';

/** One consumer fed by hand, recording what the transport commits and when it leaves. */
class FakeKafka implements KafkaClient {
  readonly clientId = 'fake';
  readonly events: string[] = [];
  readonly sent: OutgoingMessage[] = [];
  onBatch: ((batch: FetchedBatch, control: BatchControl) => Promise<void>) | undefined;
  private crashListener: ((error: Error, willRestart: boolean) => void) | undefined;

  async admin(): Promise<never> {
    throw new PenumbraError('no admin in this fake', { code: 'UNSUPPORTED', retriable: false });
  }
  async producer(): Promise<ProducerPort> {
    return { send: async (messages) => void this.sent.push(...messages), disconnect: async () => undefined };
  }
  consumer(options: { groupId: string }): ConsumerPort {
    this.events.push(`consumer ${options.groupId}`);
    return {
      subscribe: async (topics) => void this.events.push(`subscribe ${topics.join(',')}`),
      run: async (onBatch) => void (this.onBatch = onBatch),
      disconnect: async () => void this.events.push('consumer left the group'),
      commitIdle: async () => undefined,
      onCrash: (listener) => void (this.crashListener = listener),
      onGroupJoin: () => undefined,
      onPosition: () => undefined,
    };
  }
  crash(): void {
    this.crashListener?.(new Error('offset out of range'), false);
  }
  deliver(topic: string, values: string[]): Promise<void> {
    const records = values.map((v, i) => ({ topic, partition: 3, offset: String(10 + i), timestamp: '0', key: null, value: Buffer.from(v), headers: {} }));
    return this.onBatch!(
      { topic, partition: 3, highWatermark: String(10 + values.length), records },
      {
        heartbeat: async () => undefined,
        isRunning: () => true,
        isStale: () => false,
        resolveOffset: () => undefined,
        commit: async (next) => void this.events.push(`commit ${next}`),
      },
    );
  }
}

const CALLS = Symbol('CALLS');

@Controller()
class PairsProbe {
  constructor(@Inject(CALLS) private readonly calls: { seen: string[]; failFirst: boolean }) {}

  @EventPattern('pairs')
  async onPairs(@Payload() pairs: ConsumedRecord<Pair>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome> {
    this.calls.seen.push(`${kafka.topic}/${kafka.partition} ${kafka.offsets?.first}-${kafka.offsets?.last}: ${pairs.map((p) => p.value.trafficId).join(',')}`);
    if (pairs.some((p) => p.value.trafficId === 'retry') && this.calls.failFirst) {
      this.calls.failFirst = false;
      throw new UnavailableError('redis is down');
    }
    if (pairs.some((p) => p.value.trafficId === 'poison')) throw new PenumbraError('cannot compare this one', { code: 'BAD_PAIR', retriable: false });
    return pairs.some((p) => p.value.trafficId === 'held') ? { commitBefore: pairs[0]!.offset } : {};
  }
}

class Resource implements OnApplicationShutdown {
  constructor(private readonly events: string[]) {}
  onApplicationShutdown(): void {
    this.events.push('resource closed');
  }
}

const CAPTURE_TOPIC = Symbol('CAPTURE_TOPIC');

/** Reads pairs and, as a second input, an external capture topic that only the environment names. */
@Controller()
class CaptureProbe implements OnApplicationBootstrap {
  readonly seen: string[] = [];
  constructor(
    @Inject(BATCH_TRANSPORT) private readonly transport: BatchTransport,
    @Inject(CAPTURE_TOPIC) private readonly captureTopic: string | undefined,
  ) {}

  onApplicationBootstrap(): void {
    this.transport.configureInput(undefined, { fromBeginning: false });
    this.transport.configureInput('capture', this.captureTopic ? { externalTopics: { capture: this.captureTopic } } : { disabled: true });
  }

  @EventPattern('pairs')
  onPairs(@Payload() pairs: ConsumedRecord<Pair>[]): void {
    this.seen.push(...pairs.map((p) => p.value.trafficId));
  }

  @EventPattern('capture', { input: 'capture', schema: goReplayMessageSchema })
  onCapture(@Payload() messages: ConsumedRecord<GoReplayMessage>[], @Ctx() kafka: KafkaBatchContext): void {
    this.seen.push(`${kafka.topic} ${kafka.groupId}: ${messages.length}`);
  }
}

/** Raw inputs: batches as fetched, offsets the handler's own. */
@Controller()
class RawProbe {
  readonly seen: string[] = [];

  @EventPattern('control', { raw: true })
  async onControl(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    this.seen.push(`${kafka.groupId} ${batch.topic}: ${batch.records.map((r) => r.value?.toString()).join(',')}`);
    await kafka.control.commit(String(Number(batch.records[batch.records.length - 1]?.offset) + 1));
  }

  @EventPattern('commands', { raw: true })
  onCommands(@Payload() batch: FetchedBatch): void {
    this.seen.push(`commands: ${batch.records.length}`);
  }
}

@Controller()
class MixedProbe {
  @EventPattern('control', { raw: true })
  onControl(): void {}

  @EventPattern('commands')
  onCommands(): void {}
}

describe('BatchTransport', () => {
  const env = parseEnv(serviceEnvSchemas.comparator, { KAFKA_BROKERS: '127.0.0.1:1', TOPIC_PREFIX: 'p.', KAFKA_GROUP_PREFIX: 'g.', LOG_LEVEL: 'error' });
  const pair = (trafficId: string) => JSON.stringify(jsonPair('e', trafficId, { primary: { v: 1 }, candidate: { v: 1 } }));

  async function start() {
    const kafka = new FakeKafka();
    const calls = { seen: [] as string[], failFirst: true };
    const ctx = createServiceContext('comparator', env);
    ctx.kafka = kafka;
    @Module({
      controllers: [PairsProbe],
      providers: [
        { provide: CALLS, useValue: calls },
        { provide: 'resource', useValue: new Resource(kafka.events) },
      ],
    })
    class ProbeModule {}
    const app = await bootstrapService(ctx, ProbeModule);
    return { kafka, calls, app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  }

  it('hands an @EventPattern handler the decoded batch with its partition and offsets, and commits after it', async () => {
    const { kafka, calls, app } = await start();
    try {
      expect(kafka.events).toEqual(['consumer g.comparator', 'subscribe p.pairs']);
      await kafka.deliver('p.pairs', [pair('a'), pair('b')]);
      expect(calls.seen).toEqual(['p.pairs/3 10-11: a,b']);
      expect(kafka.events.at(-1)).toBe('commit 12');
    } finally {
      await app.close();
    }
  });

  it('commits only below what the handler holds', async () => {
    const { kafka, app } = await start();
    try {
      await kafka.deliver('p.pairs', [pair('held'), pair('b')]);
      expect(kafka.events.at(-1)).toBe('commit 10');
    } finally {
      await app.close();
    }
  });

  it('retries on the error the handler threw when it is retriable, and dead-letters a record that fails for good', async () => {
    const { kafka, calls, app } = await start();
    try {
      await kafka.deliver('p.pairs', [pair('retry')]);
      expect(calls.seen).toHaveLength(2);
      await kafka.deliver('p.pairs', [pair('poison'), pair('fine')]);
      const letters = kafka.sent.filter((m) => m.topic === 'p.dlq').map((m) => deadLetterSchema.parse(JSON.parse(String(m.value))));
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({ errorClass: 'handler', source: { offset: '10' } });
      expect(letters[0]?.reason).toMatch(/cannot compare this one/);
      expect(kafka.events.at(-1)).toBe('commit 12');
    } finally {
      await app.close();
    }
  });

  it('fails liveness once the consumer died for good', async () => {
    const { kafka, app, base } = await start();
    try {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      kafka.crash();
      const res = await fetch(`${base}/health/live`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { 'pairs-consumer': { ok: false } } });
    } finally {
      await app.close();
    }
  });

  it('leaves the group before the resources the handlers use are closed', async () => {
    const { kafka, app } = await start();
    await app.close();
    expect(kafka.events.slice(-2)).toEqual(['consumer left the group', 'resource closed']);
  });

  describe('raw inputs', () => {
    async function startWith(controller: typeof RawProbe | typeof MixedProbe) {
      const kafka = new FakeKafka();
      const ctx = createServiceContext('comparator', env);
      ctx.kafka = kafka;
      @Module({ controllers: [controller] })
      class RawModule {}
      return { kafka, app: await bootstrapService(ctx, RawModule) };
    }

    it('hands the handler each batch undecoded, invalid records included, and leaves the commits to it', async () => {
      const { kafka, app } = await startWith(RawProbe);
      try {
        expect(kafka.events).toEqual(['consumer g.comparator', 'subscribe p.control,p.commands']);
        await kafka.deliver('p.control', ['not json', '{"a":1}']);
        await kafka.deliver('p.commands', ['x']);
        expect(app.get(RawProbe).seen).toEqual(['g.comparator p.control: not json,{"a":1}', 'commands: 1']);
        expect(kafka.events.filter((e) => e.startsWith('commit'))).toEqual(['commit 12']);
        expect(kafka.sent).toEqual([]);
      } finally {
        await app.close();
      }
    });

    it('refuses an input that mixes raw and decoded handlers', async () => {
      await expect(startWith(MixedProbe)).rejects.toMatchObject({ code: 'INPUT_MIXES_RAW' });
    });
  });

  describe('inputs settled from the environment', () => {
    async function startCapture(captureTopic: string | undefined) {
      const kafka = new FakeKafka();
      const ctx = createServiceContext('comparator', env);
      ctx.kafka = kafka;
      @Module({ controllers: [CaptureProbe], providers: [{ provide: CAPTURE_TOPIC, useValue: captureTopic }] })
      class CaptureModule {}
      const app = await bootstrapService(ctx, CaptureModule);
      return { kafka, app, probe: app.get(CaptureProbe) };
    }

    it('reads an external topic under the name the environment gives, in its own group', async () => {
      const { kafka, app, probe } = await startCapture('raw.goreplay');
      try {
        expect(kafka.events).toEqual(['consumer g.comparator', 'subscribe p.pairs', 'consumer g.comparator-capture', 'subscribe raw.goreplay']);
        await kafka.deliver('raw.goreplay', [JSON.stringify({ Req_URL: '/a', Req_Type: '1', Req_ID: 'r1', Req_Ts: '1', Req_Method: 'GET' })]);
        expect(probe.seen).toEqual(['raw.goreplay g.comparator-capture: 1']);
      } finally {
        await app.close();
      }
    });

    it('leaves a disabled input unread', async () => {
      const { kafka, app } = await startCapture(undefined);
      try {
        expect(kafka.events).toEqual(['consumer g.comparator', 'subscribe p.pairs']);
      } finally {
        await app.close();
      }
    });
  });
});
