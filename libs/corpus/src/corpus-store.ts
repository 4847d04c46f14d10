import { type CorpusEntry, corpusEntrySchema, corpusKey } from '@penumbra/contracts';
import { type OutgoingMessage, type ProducerPort, type TransactionalKafka, encodeEvent } from '@penumbra/kafka';

/** The corpus as it stands: the latest record of every key, tombstoned keys left out, invalid values skipped. */
export async function readCorpus(kafka: TransactionalKafka, topic: string, timeoutMs?: number): Promise<Map<string, CorpusEntry>> {
  const entries = new Map<string, CorpusEntry>();
  await kafka.readToEnd({
    topic,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onRecords: (records) => {
      for (const r of records) {
        const key = r.key?.toString('utf8');
        if (key === undefined) continue;
        if (r.value === null) {
          entries.delete(key);
          continue;
        }
        const parsed = safeJson(r.value.toString('utf8'));
        const entry = corpusEntrySchema.safeParse(parsed);
        // Only a record under its own key counts: a value written under another key cannot replace it.
        if (entry.success && corpusKey(entry.data.service, entry.data.endpoint, entry.data.path) === key) entries.set(key, entry.data);
      }
    },
  });
  return entries;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function corpusMessage(topic: string, entry: CorpusEntry): OutgoingMessage {
  return encodeEvent(corpusEntrySchema, entry, topic, corpusKey(entry.service, entry.endpoint, entry.path));
}

/** Tombstones: compaction then forgets the keys. */
export async function pruneCorpus(producer: ProducerPort, topic: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await producer.send(keys.map((key) => ({ topic, key, value: null })));
}

/** The entries of one service, newest first. */
export function entriesOf(corpus: Map<string, CorpusEntry>, service: string): CorpusEntry[] {
  return [...corpus.values()].filter((e) => e.service === service).sort((a, b) => b.savedAt - a.savedAt);
}
