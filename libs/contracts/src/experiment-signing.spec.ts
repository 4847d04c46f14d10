import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExperimentRecord, experimentRecordSchema } from './experiment-record';
import { signExperimentRecord, verifyExperimentRecord } from './experiment-signing';
import { generateOperatorKeyFiles, operatorKeysFromJson, operatorSignerFromJson } from './operator-keys';

const base = experimentRecordSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/experiment-record/valid.json'), 'utf8')));
const ana = generateOperatorKeyFiles('ana-1', 'ana', ['operator']);
const root = generateOperatorKeyFiles('root-1', 'root', ['admin']);
const viewer = generateOperatorKeyFiles('vic-1', 'vic', ['viewer']);
const keys = operatorKeysFromJson({ keys: [...ana.publicKeys.keys, ...root.publicKeys.keys, ...viewer.publicKeys.keys] });
const signer = (files: typeof ana) => operatorSignerFromJson(files.signingKey);
const withShadow = (shadow: Partial<ExperimentRecord['spec']['shadow']>): ExperimentRecord => ({ ...base, spec: { ...base.spec, shadow: { ...base.spec.shadow, ...shadow } } });
const id = base.experimentId;

describe('verifyExperimentRecord', () => {
  it('accepts a record its operator signed with the experiments role, in any field order, halted or not', () => {
    const signed = signExperimentRecord(base, signer(ana));
    expect(verifyExperimentRecord(signed, id, keys)).toEqual({ ok: true, operator: 'ana', keyId: 'ana-1' });
    const reordered = experimentRecordSchema.parse(Object.fromEntries(Object.entries(signed).reverse()));
    expect(verifyExperimentRecord(reordered, id, keys).ok).toBe(true);
    expect(verifyExperimentRecord({ ...signed, halted: { at: 1, reason: 'killed', commandId: 'c' } }, id, keys).ok).toBe(true);
  });

  it('refuses unsigned, altered, unknown-key, mis-keyed and role-less records, saying why', () => {
    const signed = signExperimentRecord(base, signer(ana));
    const stranger = generateOperatorKeyFiles('mallory-1', 'mallory', ['admin']);
    const reasons = [
      verifyExperimentRecord(base, id, keys),
      verifyExperimentRecord(withShadow({ ...signed.spec.shadow, candidate: { baseUrl: 'http://169.254.169.254/' } }), id, keys),
      verifyExperimentRecord({ ...signed, spec: { ...signed.spec, shadow: { ...signed.spec.shadow, candidate: { baseUrl: 'http://169.254.169.254/' } } } }, id, keys),
      verifyExperimentRecord(signExperimentRecord(base, signer(stranger)), id, keys),
      verifyExperimentRecord(signed, 'other-experiment', keys),
      verifyExperimentRecord(signExperimentRecord(base, signer(viewer)), id, keys),
      verifyExperimentRecord({ ...signed, actor: 'root' }, id, keys),
      verifyExperimentRecord(signed, id, undefined),
      verifyExperimentRecord({ ...signed, signature: { keyId: 'ana-1', alg: 'hmac-sha256', value: 'x' } }, id, keys),
    ].map((v) => (v.ok ? 'accepted' : v.reason));
    expect(reasons).toEqual([
      expect.stringMatching(/^unsigned experiment record/),
      expect.stringMatching(/^unsigned experiment record/),
      expect.stringMatching(/^bad signature for key "ana-1"/),
      'signed by unknown operator key "mallory-1"',
      expect.stringMatching(/^stored under key "other-experiment", not its experimentId/),
      expect.stringMatching(/^vic \(roles viewer\) lacks experiments/),
      expect.stringMatching(/^bad signature/),
      expect.stringMatching(/PENUMBRA_OPERATOR_KEYS_FILE/),
      expect.stringMatching(/hmac-sha256 is not accepted/),
    ]);
  });

  it('needs forward-credentials to forward credentials and unsafe-methods to allow writes', () => {
    const forwards = withShadow({ headers: { ...base.spec.shadow.headers, forward: ['authorization'] } });
    const writes = withShadow({ allowedMethods: ['GET', 'POST', 'DELETE'] });
    const overrides = withShadow({ headers: { ...base.spec.shadow.headers, forward: ['x-http-method-override'] } });
    expect(verifyExperimentRecord(signExperimentRecord(forwards, signer(ana)), id, keys)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/lacks forward-credentials, which it forwards authorization/),
    });
    expect(verifyExperimentRecord(signExperimentRecord(writes, signer(ana)), id, keys)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/lacks unsafe-methods, which it allows POST, DELETE/),
    });
    expect(verifyExperimentRecord(signExperimentRecord(overrides, signer(ana)), id, keys)).toMatchObject({ ok: false, reason: expect.stringMatching(/lacks unsafe-methods/) });
    for (const r of [forwards, writes, overrides]) expect(verifyExperimentRecord(signExperimentRecord(r, signer(root)), id, keys).ok).toBe(true);
  });

  it('takes the roles of a permission from the keys file, and trusts several keys at once for a rotation', () => {
    const forwards = signExperimentRecord(withShadow({ headers: { ...base.spec.shadow.headers, forward: ['cookie'] } }), signer(ana));
    const granted = operatorKeysFromJson({ keys: ana.publicKeys.keys, permissions: { 'forward-credentials': ['operator'] } });
    expect(verifyExperimentRecord(forwards, id, granted).ok).toBe(true);
    const revoked = operatorKeysFromJson({ keys: ana.publicKeys.keys, permissions: { experiments: ['admin'] } });
    expect(verifyExperimentRecord(signExperimentRecord(base, signer(ana)), id, revoked).ok).toBe(false);
    expect(() => operatorKeysFromJson({ keys: [...ana.publicKeys.keys, ...ana.publicKeys.keys] })).toThrow(/listed twice/);
  });
});
