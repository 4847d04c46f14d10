import { ALL_SLICES, type Command, type TrustedKeys, commandSchema, verifyMessage } from '@penumbra/contracts';
import { type TransactionalKafka, decodeRecord } from '@penumbra/kafka';

/** Long enough for the slices of one experiment to share a read, short enough never to hide a decision. */
const CACHE_MS = 2_000;
const MAX_CACHED = 1_000;

/**
 * The commands an experiment was given, read back from the commands topic: what the sentinel
 * rebuilds a slice's state from when Redis has none (a new slice, or a wiped Redis). A slice's
 * state is written on its first evaluation, so this is read once per slice, and after a wipe.
 */
export class CommandHistory {
  private readonly cache = new Map<string, { at: number; commands: Command[] }>();

  constructor(
    private readonly log: TransactionalKafka,
    private readonly topic: string,
    /** Only commands a trusted key signed count: anyone may write to the topic. */
    private readonly trusted: TrustedKeys,
    private readonly onForged: (reason: string) => void = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async of(experimentId: string, slice: string): Promise<Command[]> {
    const cached = this.cache.get(experimentId);
    const all = cached !== undefined && this.clock() - cached.at < CACHE_MS ? cached.commands : await this.read(experimentId);
    return all.filter((c) => (c.slice ?? ALL_SLICES) === slice);
  }

  private async read(experimentId: string): Promise<Command[]> {
    const commands: Command[] = [];
    await this.log.readToEnd({
      topic: this.topic,
      timeoutMs: 60_000,
      onRecords: (records) => {
        for (const r of records) {
          if (r.key?.toString('utf8') !== experimentId) continue;
          const decoded = decodeRecord(r.value, commandSchema);
          if (!decoded.ok) continue;
          const verified = verifyMessage(decoded.value, this.trusted);
          if (verified.ok) commands.push(decoded.value);
          else this.onForged(`command ${decoded.value.id} at ${r.partition}:${r.offset} ignored in recovery: ${verified.reason}`);
        }
      },
    });
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(experimentId, { at: this.clock(), commands });
    return commands;
  }
}
