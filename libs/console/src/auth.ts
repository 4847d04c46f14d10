import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '@penumbra/contracts';
import { ConfigError } from '@penumbra/errors';

const userSchema = z.object({
  /** The login name (basic auth user). */
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^:\s]+$/, 'a name has no colon or space'),
  /** The bearer token, also the basic auth password. */
  token: z.string().min(32, 'a token needs at least 32 characters').max(1000),
  /** Whom the console signs this user's control requests as: an operator of PENUMBRA_OPERATOR_KEY_FILE. */
  operator: z.string().min(1).max(200),
});
export const consoleUsersFileSchema = z.object({ users: z.array(userSchema).min(1, 'list at least one user').max(1000) });
export type ConsoleUser = z.infer<typeof userSchema>;

export function loadUsers(path: string): ConsoleUser[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`CONSOLE_USERS_FILE: cannot read ${path} as JSON: ${(err as Error).message}`);
  }
  const parsed = consoleUsersFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`CONSOLE_USERS_FILE: ${path} is not a users file:\n${formatIssues(parsed.error)}`);
  return parsed.data.users;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The user an Authorization header proves, by bearer token or basic auth; undefined for anything else. */
export function authenticate(users: readonly ConsoleUser[], header: string | undefined): ConsoleUser | undefined {
  if (header === undefined || header.length > 4096) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (value === undefined) return undefined;
  let name: string | undefined;
  let token: string;
  if (scheme?.toLowerCase() === 'bearer') token = value;
  else if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    name = decoded.slice(0, colon);
    token = decoded.slice(colon + 1);
  } else return undefined;
  const given = digest(token);
  // Every user is compared, so the time taken does not tell which names exist.
  let match: ConsoleUser | undefined;
  for (const u of users) if (timingSafeEqual(digest(u.token), given) && (name === undefined || name === u.name)) match ??= u;
  return match;
}
