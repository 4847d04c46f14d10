import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type Ack, type AggregateSnapshot, type ControlRequest, verifyMessage } from '@penumbra/contracts';
import { type ConsumedRecord } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { LOGGER } from '@penumbra/service-kit';
import { SENTINEL, type Sentinel } from './sentinel.providers';

/**
 * Snapshots and acknowledgements are read by one consumer group, operators' requests by one of
 * their own: a backlog of snapshots or a flood of forged requests on one input never delays a
 * kill on the other. Both start at the end: the sentinel decides on what it sees from now on.
 */
@Controller()
export class SentinelInputsHandler {
  constructor(
    @Inject(SENTINEL) private readonly sentinel: Sentinel,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('aggregates', { fromBeginning: false })
  async onAggregates(@Payload() snapshots: ConsumedRecord<AggregateSnapshot>[]): Promise<void> {
    const { evaluator } = this.sentinel;
    for (const id of new Set(snapshots.map((r) => r.value.experimentId))) await evaluator.serialize(id, () => evaluator.evaluateExperiment(id));
  }

  @EventPattern('acks', { fromBeginning: false })
  async onAcks(@Payload() acks: ConsumedRecord<Ack>[]): Promise<void> {
    for (const { value: ack } of acks) {
      const verified = verifyMessage(ack, this.sentinel.applierKeys);
      if (verified.ok) await this.sentinel.store.acknowledged(ack.commandId);
      else this.logger.warn('acknowledgement ignored: not signed by a known applier key', { commandId: ack.commandId, appliedBy: ack.appliedBy, reason: verified.reason });
    }
  }

  @EventPattern('control', { input: 'control', fromBeginning: false })
  async onControl(@Payload() requests: ConsumedRecord<ControlRequest>[]): Promise<void> {
    for (const r of requests) await this.sentinel.router.route(r.value);
  }
}
