import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConsoleLogin {
  usersFile: string;
  user: string;
  token: string;
}

/**
 * The console's users file in `dir` (console-users.json), made once when absent with one user
 * signing as `operator` and a random token, readable by its owner only.
 */
export function ensureConsoleUsersFile(dir: string, user: string, operator: string): ConsoleLogin {
  mkdirSync(dir, { recursive: true });
  const usersFile = join(dir, 'console-users.json');
  if (existsSync(usersFile)) {
    const first = (JSON.parse(readFileSync(usersFile, 'utf8')) as { users?: Array<{ name?: unknown; token?: unknown }> }).users?.[0];
    if (typeof first?.name === 'string' && typeof first.token === 'string') return { usersFile, user: first.name, token: first.token };
  }
  const token = randomBytes(24).toString('hex');
  writeFileSync(usersFile, JSON.stringify({ users: [{ name: user, token, operator }] }, null, 2) + '\n', { mode: 0o600 });
  return { usersFile, user, token };
}
