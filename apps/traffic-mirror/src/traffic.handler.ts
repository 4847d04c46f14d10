import { Controller, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type TopicKey, type TrafficRecord } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';
import { type BatchHandler, type BatchOutcome, type ConsumedRecord } from '@penumbra/kafka';
import { MirrorEngine, trafficHandler } from '@penumbra/mirror';
import { BATCH_TRANSPORT, type BatchTransport, CREDENTIALS, KafkaBatchContext, SERVICE_ENV, TOPICS } from '@penumbra/service-kit';
import { MIRROR_RUNTIME, type MirrorEnv, type MirrorRuntime } from './mirror.providers';

/** Replays each captured record to its experiments and makes the pairs durable before the record is committed. */
@Controller()
export class TrafficHandler implements OnApplicationBootstrap {
  private readonly replay: BatchHandler<TrafficRecord>;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: MirrorEnv,
    @Inject(TOPICS) topics: Record<TopicKey, string>,
    @Inject(MIRROR_RUNTIME) private readonly mirror: MirrorRuntime,
    @Inject(CREDENTIALS) credentials: CredentialPolicy,
    @Inject(BATCH_TRANSPORT) private readonly transport: BatchTransport,
  ) {
    const { registry, client, metrics, counts, producer } = mirror;
    const engine = new MirrorEngine({ experiments: registry, client, metrics, counts, credentials });
    this.replay = trafficHandler(engine, producer, topics.pairs);
  }

  onApplicationBootstrap(): void {
    this.transport.configureInput(undefined, {
      concurrency: this.env.MIRROR_PARTITIONS_CONCURRENTLY,
      fromBeginning: this.env.MIRROR_START_FROM === 'earliest',
    });
  }

  /** The experiments as the mirror currently sees them. */
  experimentIds(): string[] {
    return this.mirror.registry.list().map((e) => e.spec.id);
  }

  @EventPattern('traffic')
  onTraffic(@Payload() records: ConsumedRecord<TrafficRecord>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome | void> {
    return this.replay(records, kafka.batch);
  }
}
