import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type AggregateSnapshot, type Command } from '@penumbra/contracts';
import { type CorpusWriter } from '@penumbra/corpus';
import { isRetriable } from '@penumbra/errors';
import { type ConsumedRecord } from '@penumbra/kafka';
import { type Logger } from '@penumbra/observability';
import { LOGGER } from '@penumbra/service-kit';
import { CORPUS_WRITER } from './corpus.providers';

/** What comes after the deploy: snapshots and commands from now on, in a group of their own. */
const TRIGGERS = { input: 'corpus', fromBeginning: false } as const;

/**
 * Saves regressions to the corpus as snapshots judge them and rollbacks happen. The corpus is a
 * help, not a guarantee: a save that fails for good is logged and its trigger committed, so that
 * it never holds back or dead-letters the snapshots and commands themselves; Redis or Kafka away
 * (retriable) is retried with the batch.
 */
@Controller()
export class CorpusTriggersHandler {
  constructor(
    @Inject(CORPUS_WRITER) private readonly writer: CorpusWriter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern('aggregates', TRIGGERS)
  onSnapshots(@Payload() records: ConsumedRecord<AggregateSnapshot>[]): Promise<void> {
    return this.bestEffort(() => this.writer.onSnapshots(records.map((r) => r.value)));
  }

  @EventPattern('commands', TRIGGERS)
  onCommands(@Payload() records: ConsumedRecord<Command>[]): Promise<void> {
    return this.bestEffort(() => this.writer.onCommands(records.map((r) => r.value)));
  }

  private async bestEffort(save: () => Promise<number>): Promise<void> {
    try {
      await save();
    } catch (err) {
      if (isRetriable(err)) throw err;
      this.logger.error('a regression could not be saved to the corpus', { err });
    }
  }
}
