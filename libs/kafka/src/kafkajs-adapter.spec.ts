import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isRetriable } from '@penumbra/errors';
import { kafkaFailure } from './kafkajs-adapter';

describe('kafkaFailure', () => {
  it('keeps a broker refusal (a message over the size limit) from being retried', () => {
    const err = kafkaFailure('produce', new KafkaJSProtocolError({ message: 'message too large', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false }));
    expect(err).toMatchObject({ code: 'KAFKA_REQUEST_REJECTED', retriable: false });
    expect(err.message).toMatch(/kafka produce failed: message too large/);
  });

  it('retries what kafkajs gave up on only because it ran out of attempts at something retriable', () => {
    const exhausted = new KafkaJSNumberOfRetriesExceeded(new KafkaJSProtocolError({ message: 'leader moved', type: 'NOT_LEADER', code: 6, retriable: true }), { retryCount: 5, retryTime: 100 });
    expect(isRetriable(kafkaFailure('produce', exhausted))).toBe(true);
    expect(isRetriable(kafkaFailure('admin connect', new Error('ECONNREFUSED')))).toBe(true);
    expect(isRetriable(kafkaFailure('produce', new KafkaJSNonRetriableError('bad')))).toBe(false);
  });
});
