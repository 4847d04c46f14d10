import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOperatorKeyFiles, operatorKeysFromJson } from '@penumbra/contracts';
import { authorizeControlRequest } from '@penumbra/policy-core';
import { buildRequest } from './control';
import { loadOperatorSigner } from './operator-signing';

const files = generateOperatorKeyFiles('k-ana', 'ana', ['operator']);
const key = files.signingKey;
const trusted = operatorKeysFromJson(files.publicKeys);
const file = (content: unknown) => {
  const path = join(mkdtempSync(join(tmpdir(), 'console-keys-')), 'operator-key.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('console signing', () => {
  it("signs a request as the user's operator so that the sentinel's check accepts it", () => {
    const signer = loadOperatorSigner(file(key));
    const now = Date.now();
    const signed = signer.sign(buildRequest('checkout-v2', 'ana', { action: 'kill', reason: 'from the console' }, now));
    expect(signed?.signature?.keyId).toBe('k-ana');
    expect(authorizeControlRequest(signed!, trusted, now)).toEqual({ ok: true, operator: 'ana', roles: ['operator'] });
  });

  it('holds no key for another operator, and a tampered request fails the check', () => {
    const signer = loadOperatorSigner(file({ keys: [key] }));
    expect(signer.sign(buildRequest('checkout-v2', 'bob', { action: 'kill', reason: 'x' }, Date.now()))).toBeUndefined();
    const signed = signer.sign(buildRequest('checkout-v2', 'ana', { action: 'pause', reason: 'x' }, Date.now()))!;
    expect(authorizeControlRequest({ ...signed, action: 'promote' }, trusted, Date.now()).ok).toBe(false);
  });

  it('fails fast on a file that is not a key file, naming the variable', () => {
    expect(() => loadOperatorSigner(file({ keyId: 'x', privateKey: 'not a key', operator: 'ana' }))).toThrow(/PENUMBRA_OPERATOR_KEY_FILE/);
  });
});
