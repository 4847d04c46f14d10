import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type DiffEvent, type MetricObservation } from '@penumbra/contracts';
import { type BatchHandler, type BatchOutcome, type ConsumedRecord } from '@penumbra/kafka';
import { KafkaBatchContext, SERVICE_ENV } from '@penumbra/service-kit';
import { type AggregateInput, aggregateHandler } from '@penumbra/aggregates';
import { AGGREGATION, type Aggregation, type AggregatorEnv } from './aggregation.providers';

const HISTOGRAM_ALPHA = 0.01;

/** Applies diff events and metric observations to their windows; both topics are read by one consumer group. */
@Controller()
export class AggregatorEventsHandler {
  /** The handler for the group being read: the applied offsets are kept per group. */
  private current: { group: string; apply: BatchHandler<AggregateInput> } | undefined;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: AggregatorEnv,
    @Inject(AGGREGATION) private readonly aggregation: Aggregation,
  ) {}

  @EventPattern('diffs', { concurrency: 2, maxRecordsPerCall: 2000 })
  onDiffs(@Payload() events: ConsumedRecord<DiffEvent>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome | void> {
    return this.handlerFor(kafka.groupId)(events, kafka.batch);
  }

  @EventPattern('metrics')
  onMetrics(@Payload() observations: ConsumedRecord<MetricObservation>[], @Ctx() kafka: KafkaBatchContext): Promise<BatchOutcome | void> {
    return this.handlerFor(kafka.groupId)(observations, kafka.batch);
  }

  private handlerFor(group: string): BatchHandler<AggregateInput> {
    if (this.current?.group !== group) {
      const { store, snapshots, slices, sliceAlerts } = this.aggregation;
      const apply = aggregateHandler({
        group,
        store,
        snapshots,
        slices,
        sliceAlerts,
        histogramAlpha: HISTOGRAM_ALPHA,
        maxFutureSkewMs: this.env.AGGREGATOR_MAX_SKEW_MS,
        maxAgeMs: this.env.AGGREGATOR_MAX_AGE_MS > 0 ? this.env.AGGREGATOR_MAX_AGE_MS : undefined,
      });
      this.current = { group, apply };
      return apply;
    }
    return this.current.apply;
  }
}
