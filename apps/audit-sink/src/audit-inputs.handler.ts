import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type AuditSink } from '@penumbra/audit-sink';
import { type FetchedBatch } from '@penumbra/kafka';
import { type BatchInputOptions, KafkaRawContext } from '@penumbra/service-kit';
import { AUDIT_SINK } from './audit-sink.providers';

/** Raw: the audit writer commits each chunk's source offsets in the transaction that writes its records. */
const AUDITED: BatchInputOptions = { raw: true, fromBeginning: true };

/** Every control-plane topic, audited record by record as fetched, valid or not. */
@Controller()
export class AuditInputsHandler {
  constructor(@Inject(AUDIT_SINK) private readonly sink: AuditSink) {}

  @EventPattern('experiments', AUDITED)
  onExperiments(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }

  @EventPattern('control', AUDITED)
  onControl(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }

  @EventPattern('commands', AUDITED)
  onCommands(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }

  @EventPattern('acks', AUDITED)
  onAcks(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }

  @EventPattern('alerts', AUDITED)
  onAlerts(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }

  @EventPattern('dlq', AUDITED)
  onDeadLetters(@Payload() batch: FetchedBatch, @Ctx() kafka: KafkaRawContext): Promise<void> {
    return this.sink.onBatch(batch, kafka.control);
  }
}
