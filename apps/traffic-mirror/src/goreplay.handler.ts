import { Controller, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type GoReplayMessage, type TopicKey, goReplayMessageSchema } from '@penumbra/contracts';
import { type BatchHandler, type BatchOutcome, type ConsumedRecord, DeadLetterWriter } from '@penumbra/kafka';
import { goReplayHandler } from '@penumbra/mirror';
import { GoReplayJoiner } from '@penumbra/mirror-core';
import { type Logger, type PipelineMetrics } from '@penumbra/observability';
import {
  BATCH_TRANSPORT,
  type BatchTransport,
  KafkaBatchContext,
  LOGGER,
  PIPELINE_METRICS,
  SERVICE_ENV,
  SERVICE_IDENTITY,
  type ServiceIdentity,
  TOPICS,
} from '@penumbra/service-kit';
import { MIRROR_RUNTIME, type MirrorEnv, type MirrorRuntime } from './mirror.providers';

const GOREPLAY_INPUT = 'goreplay';

/**
 * Joins GoReplay's raw captures (GOREPLAY_TOPIC, outside the project's topics) into traffic
 * records. What waits for its other half is held back from the commit; an idle tick expires it.
 */
@Controller()
export class GoReplayHandler implements OnApplicationBootstrap {
  private readonly join: BatchHandler<GoReplayMessage>;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: MirrorEnv,
    @Inject(TOPICS) topics: Record<TopicKey, string>,
    @Inject(MIRROR_RUNTIME) mirror: MirrorRuntime,
    @Inject(SERVICE_IDENTITY) identity: ServiceIdentity,
    @Inject(PIPELINE_METRICS) pipelineMetrics: PipelineMetrics,
    @Inject(LOGGER) logger: Logger,
    @Inject(BATCH_TRANSPORT) private readonly transport: BatchTransport,
  ) {
    const groupId = identity.groupId(GOREPLAY_INPUT);
    this.join = goReplayHandler({
      joiner: new GoReplayJoiner({
        service: env.GOREPLAY_SERVICE,
        windowMs: env.GOREPLAY_WINDOW_MS,
        maxPending: env.GOREPLAY_MAX_PENDING,
        maxPendingBytes: env.GOREPLAY_MAX_PENDING_BYTES,
        maxBodyBytes: env.GOREPLAY_MAX_BODY_BYTES,
        attributeHeaders: env.GOREPLAY_ATTRIBUTE_HEADERS,
      }),
      producer: mirror.producer,
      trafficTopic: topics.traffic,
      letters: new DeadLetterWriter({
        topic: topics.dlq,
        producer: mirror.producer,
        groupId,
        logger: logger.child({ consumer: GOREPLAY_INPUT }),
        metrics: pipelineMetrics,
        retry: { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 },
        maxValueBytes: env.DEAD_LETTER_MAX_VALUE_BYTES,
        alertTopic: topics.alerts,
        spike: { threshold: env.DEAD_LETTER_SPIKE_COUNT, windowMs: env.DEAD_LETTER_SPIKE_WINDOW_MS },
      }),
      consumerGroup: groupId,
      metrics: mirror.metrics,
      alertTopic: topics.alerts,
    });
  }

  /** Read only when GOREPLAY_TOPIC names the capture topic. */
  onApplicationBootstrap(): void {
    const topic = this.env.GOREPLAY_TOPIC;
    this.transport.configureInput(
      GOREPLAY_INPUT,
      topic
        ? {
            externalTopics: { goreplay: topic },
            // Halves expire on time even when no further message comes to carry the check.
            idleTickMs: Math.max(100, Math.min(1_000, Math.floor(this.env.GOREPLAY_WINDOW_MS / 4))),
          }
        : { disabled: true },
    );
  }

  @EventPattern('goreplay', { input: GOREPLAY_INPUT, schema: goReplayMessageSchema })
  onCaptures(@Payload() messages: ConsumedRecord<GoReplayMessage>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome | void> {
    return this.join(messages, kafka.batch);
  }
}
