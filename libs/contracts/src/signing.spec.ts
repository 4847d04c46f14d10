import { generateSigningKeyFiles, signMessage, signingKeyFromJson, trustedKeysFromJson, verifyMessage } from './signing';

const files = generateSigningKeyFiles('sentinel-1');
const key = signingKeyFromJson(files.signingKey);
const trusted = trustedKeysFromJson(files.trustedKeys);
const message = { type: 'command.v1', id: 'e:*:shadow->canary:v0', stateVersion: 0, evidence: { gates: [{ value: 0.97 }] } };

describe('message signing', () => {
  it('verifies what the trusted key signed, whatever the field order', () => {
    const signed = signMessage(message, key);
    expect(verifyMessage(signed, trusted)).toEqual({ ok: true, keyId: 'sentinel-1' });
    const reordered = { evidence: signed.evidence, stateVersion: 0, signature: signed.signature, id: signed.id, type: signed.type };
    expect(verifyMessage(reordered, trusted).ok).toBe(true);
  });

  it('refuses unsigned, altered, re-keyed and unknown-key messages', () => {
    const signed = signMessage(message, key);
    expect(verifyMessage(message, trusted)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyMessage({ ...signed, stateVersion: Number.MAX_SAFE_INTEGER }, trusted)).toMatchObject({ ok: false, reason: expect.stringMatching(/bad signature/) });
    const other = signingKeyFromJson(generateSigningKeyFiles('sentinel-1').signingKey);
    expect(verifyMessage(signMessage(message, other), trusted)).toMatchObject({ ok: false, reason: expect.stringMatching(/bad signature/) });
    const stranger = signingKeyFromJson(generateSigningKeyFiles('mallory').signingKey);
    expect(verifyMessage(signMessage(message, stranger), trusted)).toEqual({ ok: false, reason: 'signed by unknown key "mallory"' });
    expect(verifyMessage({ ...signed, signature: { ...signed.signature, alg: 'hmac-sha256' as const } }, trusted).ok).toBe(false);
    expect(verifyMessage({ ...signed, signature: { ...signed.signature, value: '!!' } }, trusted).ok).toBe(false);
  });

  it('trusts several keys at once, so a key can be rotated', () => {
    const next = generateSigningKeyFiles('sentinel-2');
    const both = trustedKeysFromJson({ keys: [...files.trustedKeys.keys, ...next.trustedKeys.keys] });
    expect(verifyMessage(signMessage(message, key), both).ok).toBe(true);
    expect(verifyMessage(signMessage(message, signingKeyFromJson(next.signingKey)), both)).toEqual({ ok: true, keyId: 'sentinel-2' });
  });
});
