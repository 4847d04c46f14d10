import { KAFKA_DEFAULTS } from './defaults';
import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isRetriable } from '@penumbra/errors';
import { kafkaFailure, kafkajsConsumerConfig } from './kafkajs-adapter';

/** A broker error code as kafkajs reports it. */
const protocolError = (message: string, type: string, retriable: boolean) => new KafkaJSProtocolError(Object.assign(new Error(message), { type, retriable }));

describe('kafkaFailure', () => {
  it('keeps a broker refusal (a message over the size limit) from being retried', () => {
    const err = kafkaFailure('produce', protocolError('message too large', 'MESSAGE_TOO_LARGE', false));
    expect(err).toMatchObject({ code: 'KAFKA_REQUEST_REJECTED', retriable: false });
    expect(err.message).toMatch(/kafka produce failed: message too large/);
  });

  it('retries what kafkajs gave up on only because it ran out of attempts at something retriable', () => {
    const exhausted = new KafkaJSNumberOfRetriesExceeded(protocolError('leader moved', 'NOT_LEADER', true), { retryCount: 5, retryTime: 100 });
    expect(isRetriable(kafkaFailure('produce', exhausted))).toBe(true);
    expect(isRetriable(kafkaFailure('admin connect', new Error('ECONNREFUSED')))).toBe(true);
    expect(isRetriable(kafkaFailure('produce', new KafkaJSNonRetriableError('bad')))).toBe(false);
  });
});

describe('kafkajsConsumerConfig', () => {
  // kafkajs stalls a partition on a record batch larger than its per-partition fetch size (the chaos suite found
  // every experiments table stuck behind a 5 MB record), so the default must exceed what a broker accepts.
  it('fetches more per partition than the broker accepts in one message by default', () => {
    const brokerDefaultMessageMaxBytes = 1_048_588;
    const config = kafkajsConsumerConfig({ groupId: 'g' });
    expect(config.maxBytesPerPartition).toBe(KAFKA_DEFAULTS.consumer.maxBytesPerPartition);
    expect(config.maxBytesPerPartition).toBeGreaterThanOrEqual(8 * brokerDefaultMessageMaxBytes);
  });

  it('keeps an explicit fetch size and session timeout', () => {
    expect(kafkajsConsumerConfig({ groupId: 'g', maxBytesPerPartition: 2_000_000, sessionTimeoutMs: 10_000 })).toMatchObject({
      groupId: 'g',
      maxBytesPerPartition: 2_000_000,
      sessionTimeout: 10_000,
    });
  });
});
