import {
  EXPERIMENT_DELETION_HEADER,
  GLOBAL_AUDIT_STREAM,
  commandId,
  commandSchema,
  experimentSpecSchema,
  generateOperatorKeyFiles,
  generateSigningKeyFiles,
  operatorKeysFromJson,
  operatorSignerFromJson,
  signExperimentDeletion,
  signExperimentRecord,
  signMessage,
  signingKeyFromJson,
  trustedKeysFromJson,
} from '@penumbra/contracts';
import { credentialPolicy } from '@penumbra/credentials';
import { type IncomingRecord } from '@penumbra/kafka';
import { type DescribeOptions, describeSourceRecord } from './describe';
import { REDACTED } from './redact';

const record = (value: unknown, over: Partial<IncomingRecord> = {}): IncomingRecord => ({
  topic: 'shadow.control',
  partition: 0,
  offset: '7',
  timestamp: '1700000000000',
  key: Buffer.from('exp-a'),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: {},
  ...over,
});

const options = (redact: Record<string, string[]> = {}, opaque = true): DescribeOptions => ({ redactFor: (id) => redact[id] ?? [], redactOpaqueBytes: opaque });

const control = {
  type: 'control.v1',
  id: 'c1',
  ts: 1_700_000_000_123,
  experimentId: 'exp-a',
  action: 'rollback',
  reason: 'errors on checkout for customer a@b.c',
  actor: 'alice',
  signature: { keyId: 'k1', alg: 'ed25519', value: 'c2lnbmF0dXJl' },
};

describe('describeSourceRecord', () => {
  it('audits a valid event with its experiment, actor and time, the signature value always redacted', () => {
    const d = describeSourceRecord('control', record(control), options());
    expect(d).toMatchObject({ experimentId: 'exp-a', eventType: 'control.v1', actor: 'alice', ts: 1_700_000_000_123 });
    expect(d.event).toMatchObject({ signature: { keyId: 'k1', alg: 'ed25519', value: REDACTED }, reason: control.reason });
  });

  it("applies the experiment's redaction paths to the audited event", () => {
    const d = describeSourceRecord('control', record(control), options({ 'exp-a': ['$.reason'] }));
    expect(d.event).toMatchObject({ reason: REDACTED });
    expect(JSON.stringify(d.event)).not.toMatch(/a@b\.c|c2lnbmF0dXJl/);
  });

  it('keeps an invalid record visible with the reason, under its experiment when it names one', () => {
    const bad = describeSourceRecord('commands', record({ experimentId: 'exp-a', type: 'command.v1' }, { topic: 'shadow.commands' }), options());
    expect(bad).toMatchObject({ experimentId: 'exp-a', eventType: 'invalid', actor: 'unknown', ts: 1_700_000_000_000 });
    expect(bad.event).toMatchObject({ errorClass: 'schema', reason: expect.stringMatching(/schema violation/), value: { value: REDACTED, sha256: expect.any(String) } });
    const junk = describeSourceRecord('acks', record('not json {'), options({}, false));
    expect(junk).toMatchObject({ experimentId: GLOBAL_AUDIT_STREAM, eventType: 'invalid' });
    expect(junk.event).toMatchObject({ errorClass: 'json', value: { value: REDACTED, bytes: 10 } });
    const json = describeSourceRecord('acks', record({ note: 'see https://u:pw-secret@h/x' }), options({}, false));
    expect(json.event).toMatchObject({ errorClass: 'schema', value: { base64: expect.any(String) } });
    const kept = Buffer.from((json.event as { value: { base64: string } }).value.base64, 'base64').toString();
    expect(kept).toContain('https://[redacted]@h/x');
    expect(kept).not.toContain('pw-secret');
  });

  it("hashes an experiment's added headers and the userinfo of its URLs, so that no credential is audited in clear", () => {
    const credentials = credentialPolicy({ hashKey: 'k' });
    const spec = {
      id: 'exp-c',
      target: { service: 's' },
      shadow: { candidate: { baseUrl: 'http://svc:url-secret@candidate.internal' }, headers: { add: { authorization: 'Bearer add-secret', 'x-env': 'shadow' } } },
      policy: { stages: [{ name: 'x' }] },
    };
    const event = { type: 'experiment.v1', id: 'r1', ts: 1, experimentId: 'exp-c', actor: 'https://alice:actor-secret@idp', spec };
    const d = describeSourceRecord('experiments', record(event, { topic: 'shadow.experiments' }), { ...options(), credentials });
    expect(d.eventType).toBe('experiment.v1');
    const text = JSON.stringify(d);
    for (const secret of ['url-secret', 'add-secret', 'actor-secret']) expect(text).not.toContain(secret);
    expect(text).toContain(credentials.hash('Bearer add-secret'));
    expect(text).toContain(credentials.hash('shadow'));
  });

  it('audits a dead letter under the experiment its original bytes name, bytes kept only as a digest', () => {
    const original = Buffer.from(JSON.stringify({ experimentId: 'exp-b', secret: 'hunter2' }));
    const letter = {
      type: 'dead-letter.v1',
      id: 'shadow.acks:0:3',
      ts: 1_700_000_000_500,
      source: { topic: 'shadow.acks', partition: 0, offset: '3' },
      consumerGroup: 'penumbra.sentinel',
      errorClass: 'schema',
      reason: 'schema violation: result: invalid',
      key: null,
      value: original.toString('base64'),
      headers: {},
    };
    const d = describeSourceRecord('dlq', record(letter, { topic: 'shadow.dlq' }), options());
    expect(d).toMatchObject({ experimentId: 'exp-b', eventType: 'dead-letter.v1', actor: 'penumbra.sentinel' });
    expect(JSON.stringify(d.event)).not.toContain('hunter2');
    expect(JSON.stringify(d.event)).not.toContain(original.toString('base64'));
  });

  it('audits an experiment tombstone as a deletion', () => {
    expect(describeSourceRecord('experiments', record(null, { topic: 'shadow.experiments' }), options())).toMatchObject({ experimentId: 'exp-a', eventType: 'experiment.deleted' });
  });
});

describe('describeSourceRecord with trusted keys', () => {
  const files = generateSigningKeyFiles('sentinel-1');
  const trust = { commands: trustedKeysFromJson(files.trustedKeys), acks: trustedKeysFromJson(files.trustedKeys) };
  const parts = { experimentId: 'exp-a', fromStage: 'shadow', toStage: 'canary', stateVersion: 1 };
  const command = {
    type: 'command.v1',
    id: commandId(parts),
    ts: 1_700_000_000_000,
    ...parts,
    action: 'promote',
    targetWeight: 10,
    dryRun: false,
    reason: 'every gate held',
    actor: { kind: 'sentinel', name: 'sentinel-1' },
    evidence: { policyHash: 'ab'.repeat(32), samples: 100 },
  };
  const withTrust: DescribeOptions = { ...options(), trust };

  it('keeps the actor of a command a trusted key signed, and marks the others unverified', () => {
    // The sentinel signs the command as its schema writes it (defaults filled in), as decoding reads it back.
    const signed = signMessage(commandSchema.parse(command), signingKeyFromJson(files.signingKey));
    expect(describeSourceRecord('commands', record(signed, { topic: 'shadow.commands' }), withTrust).actor).toBe('sentinel:sentinel-1');
    expect(describeSourceRecord('commands', record(command, { topic: 'shadow.commands' }), withTrust).actor).toBe('unverified:sentinel:sentinel-1');
    const forged = signMessage(command, signingKeyFromJson(generateSigningKeyFiles('sentinel-1').signingKey));
    expect(describeSourceRecord('commands', record(forged, { topic: 'shadow.commands' }), withTrust).actor).toBe('unverified:sentinel:sentinel-1');
  });

  it('marks an unsigned acknowledgement unverified, whatever name it gives', () => {
    const ack = { type: 'ack.v1', id: 'a1', ts: 1_700_000_000_000, experimentId: 'exp-a', commandId: command.id, appliedBy: 'deployer', result: 'applied' };
    expect(describeSourceRecord('acks', record(ack, { topic: 'shadow.acks' }), withTrust).actor).toBe('unverified:deployer');
    expect(describeSourceRecord('acks', record(signMessage(ack, signingKeyFromJson(files.signingKey)), { topic: 'shadow.acks' }), withTrust).actor).toBe('deployer');
  });

  it('marks an experiment record or deletion no trusted operator signed unverified', () => {
    const ana = generateOperatorKeyFiles('ana-1', 'ana', ['operator']);
    const signer = operatorSignerFromJson(ana.signingKey);
    const experiments: DescribeOptions = { ...options(), trust: { experiments: operatorKeysFromJson(ana.publicKeys) } };
    const spec = experimentSpecSchema.parse({
      id: 'exp-a',
      target: { service: 'orders' },
      shadow: { candidate: { baseUrl: 'http://candidate:8080' } },
      policy: { stages: [{ name: 'shadow' }] },
    });
    const unsigned = { type: 'experiment.v1' as const, id: 'e1', ts: 1_700_000_000_000, experimentId: 'exp-a', actor: 'ana', spec };
    const on = (value: unknown, headers: Record<string, string> = {}) => record(value, { topic: 'shadow.experiments', headers });
    expect(describeSourceRecord('experiments', on(signExperimentRecord(unsigned, signer)), experiments).actor).toBe('ana');
    expect(describeSourceRecord('experiments', on(unsigned), experiments).actor).toBe('unverified:ana');
    expect(describeSourceRecord('experiments', on(signExperimentRecord(unsigned, signer), { 'x-other': '1' }), { ...experiments, trust: {} }).actor).toBe('ana');
    const deletion = JSON.stringify(signExperimentDeletion({ id: 'd1', ts: 1_700_000_000_000, experimentId: 'exp-a' }, signer));
    expect(describeSourceRecord('experiments', on(null, { [EXPERIMENT_DELETION_HEADER]: deletion }), experiments)).toMatchObject({ eventType: 'experiment.deleted', actor: 'ana' });
    expect(describeSourceRecord('experiments', on(null), experiments)).toMatchObject({ eventType: 'experiment.deleted', actor: 'unverified:unknown' });
  });
});
