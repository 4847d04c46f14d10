import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { isRetriable } from '@penumbra/errors';
import { kafkaFailure } from './kafkajs-adapter';

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
