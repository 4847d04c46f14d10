import { type DeadLetter, type DeadLetterErrorClass, deadLetterKey, deadLetterSchema } from '@penumbra/contracts';
import { type IncomingRecord, type OutgoingMessage } from './ports';

const MAX_REASON = 4000;

/** The dead letter for a record, keyed by its source coordinates so redelivery yields the same one. */
export function deadLetterFor(record: IncomingRecord, consumerGroup: string, errorClass: DeadLetterErrorClass, reason: string, now: number): DeadLetter {
  const id = deadLetterKey(record.topic, record.partition, record.offset);
  return deadLetterSchema.parse({
    type: 'dead-letter.v1',
    id,
    ts: now,
    source: { topic: record.topic, partition: record.partition, offset: record.offset },
    consumerGroup,
    errorClass,
    reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
    key: record.key === null ? null : record.key.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: record.headers,
  });
}

export function deadLetterMessage(topic: string, letter: DeadLetter): OutgoingMessage {
  return { topic, key: letter.id, value: JSON.stringify(letter) };
}
