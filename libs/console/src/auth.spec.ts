import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, loadUsers } from './auth';

const alice = { name: 'alice', token: 'a'.repeat(40), operator: 'alice-op' };
const bob = { name: 'bob', token: 'b'.repeat(40), operator: 'bob-op' };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('console login', () => {
  it('knows a user by bearer token or by basic auth with the right name', () => {
    expect(authenticate([alice, bob], `Bearer ${bob.token}`)?.operator).toBe('bob-op');
    expect(authenticate([alice, bob], basic('alice', alice.token))?.operator).toBe('alice-op');
  });

  it('refuses a missing header, a wrong token, a token under another name and unknown schemes', () => {
    expect(authenticate([alice], undefined)).toBeUndefined();
    expect(authenticate([alice], `Bearer ${'x'.repeat(40)}`)).toBeUndefined();
    expect(authenticate([alice, bob], basic('bob', alice.token))).toBeUndefined();
    expect(authenticate([alice], `Digest ${alice.token}`)).toBeUndefined();
    expect(authenticate([alice], 'Basic bm9jb2xvbg==')).toBeUndefined();
  });

  it('fails fast on a users file with a short token, naming the variable and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-users-'));
    const path = join(dir, 'users.json');
    writeFileSync(path, JSON.stringify({ users: [{ name: 'eve', token: 'short', operator: 'eve' }] }));
    expect(() => loadUsers(path)).toThrow(/CONSOLE_USERS_FILE: .*users\.0\.token|CONSOLE_USERS_FILE[\s\S]*token/);
    writeFileSync(path, JSON.stringify({ users: [alice] }));
    expect(loadUsers(path)).toEqual([alice]);
  });
});
