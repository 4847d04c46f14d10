import { ackSchema, alertSchema, commandId, commandSchema, controlRequestSchema, deadLetterSchema, type ExperimentSpecInput } from '@penumbra/contracts';
import { type OutgoingMessage, encodeEvent } from '@penumbra/kafka';
import { type TestKafka } from '@penumbra/kafka-testing';

const T0 = 1_763_776_800_000;

export const spec = (id: string, redact: string[] = []): ExperimentSpecInput => ({
  id,
  target: { service: 'orders' },
  shadow: { candidate: { baseUrl: 'http://127.0.0.1:1' } },
  compare: { redact },
  policy: { stages: [{ name: 'shadow' }, { name: 'canary' }] },
});

export function control(kafka: TestKafka, experimentId: string, i: number): OutgoingMessage {
  return encodeEvent(
    controlRequestSchema,
    {
      type: 'control.v1',
      id: `ctl-${experimentId}-${i}`,
      ts: T0 + i,
      experimentId,
      action: 'rollback',
      reason: `errors on checkout (${i})`,
      actor: 'alice',
      role: 'sre',
      signature: { keyId: 'ops-1', alg: 'ed25519', value: 'c2VjcmV0LXNpZ25hdHVyZQ==' },
    },
    kafka.topics.control,
    experimentId,
  );
}

export function command(kafka: TestKafka, experimentId: string, i: number): OutgoingMessage {
  const parts = { experimentId, fromStage: 'shadow', toStage: 'canary', stateVersion: i };
  return encodeEvent(
    commandSchema,
    {
      type: 'command.v1',
      id: commandId(parts),
      ts: T0 + i,
      ...parts,
      action: 'promote',
      targetWeight: 10,
      reason: 'every promotion gate held for the bake time',
      actor: { kind: 'sentinel', name: 'sentinel-1' },
      evidence: {
        policyHash: 'ab'.repeat(32),
        samples: 1200,
        bakedMs: 600_000,
        gates: [{ gate: 'matchRate >= 0.99', kind: 'promotion', metric: 'matchRate', op: '>=', threshold: 0.99, value: 0.995, bound: 0.991, verdict: 'pass' }],
      },
    },
    kafka.topics.commands,
    experimentId,
  );
}

export function ack(kafka: TestKafka, experimentId: string, i: number): OutgoingMessage {
  return encodeEvent(
    ackSchema,
    { type: 'ack.v1', id: `ack-${experimentId}-${i}`, ts: T0 + i, experimentId, commandId: `${experimentId}:*:shadow->canary:v${i}`, appliedBy: 'deployer', result: 'applied' },
    kafka.topics.acks,
    experimentId,
  );
}

export function alert(kafka: TestKafka, experimentId: string, i: number): OutgoingMessage {
  return encodeEvent(
    alertSchema,
    {
      type: 'alert.v1',
      id: `alert-${experimentId}-${i}`,
      ts: T0 + i,
      experimentId,
      severity: 'warning',
      kind: 'gate-warning',
      source: 'sentinel',
      message: `match rate dipping (${i})`,
      details: { customer: { email: 'ann@example.com' } },
    },
    kafka.topics.alerts,
    experimentId,
  );
}

export function deadLetter(kafka: TestKafka, experimentId: string, i: number): OutgoingMessage {
  const original = Buffer.from(JSON.stringify({ experimentId, result: 'half-applied', token: 'tok-123' }));
  return encodeEvent(
    deadLetterSchema,
    {
      type: 'dead-letter.v1',
      id: `${kafka.topics.acks}:0:${i}`,
      ts: T0 + i,
      source: { topic: kafka.topics.acks, partition: 0, offset: String(i) },
      consumerGroup: 'penumbra.sentinel',
      errorClass: 'schema',
      reason: 'schema violation: result: invalid option',
      key: null,
      value: original.toString('base64'),
      headers: {},
    },
    kafka.topics.dlq,
    `${kafka.topics.acks}:0:${i}`,
  );
}

export function invalid(kafka: TestKafka, experimentId: string): OutgoingMessage {
  return { topic: kafka.topics.acks, key: experimentId, value: JSON.stringify({ experimentId, type: 'ack.v1', result: 'maybe' }) };
}
