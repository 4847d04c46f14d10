import { createHmac, randomBytes } from 'node:crypto';

/** Headers that carry credentials; never written to the traffic topic in clear. */
export const DEFAULT_CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key', 'x-auth-token'] as const;

export interface CredentialOptions {
  /** Lower-case header names. @default DEFAULT_CREDENTIAL_HEADERS */
  headers?: readonly string[];
  /**
   * `hash` keeps a keyed hash (HMAC-SHA-256), so a reader can still tell "same token" from
   * "another token" without learning either; `drop` removes the header. @default 'hash'
   */
  mode?: 'hash' | 'drop';
  /** The HMAC key; share it between capture processes for hashes that compare across them. @default a random key per process */
  hashKey?: string | Buffer;
}

export type CredentialProtector = (headers: Record<string, string>) => Record<string, string>;

/** Replaces or drops credential headers before a captured exchange leaves the process. */
export function credentialProtector(options: CredentialOptions = {}): CredentialProtector {
  const names = new Set((options.headers ?? DEFAULT_CREDENTIAL_HEADERS).map((h) => h.toLowerCase()));
  const mode = options.mode ?? 'hash';
  const key = options.hashKey ?? randomBytes(32);
  return (headers) => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!names.has(name.toLowerCase())) out[name] = value;
      else if (mode === 'hash') out[name] = `hmac-sha256:${createHmac('sha256', key).update(value).digest('hex').slice(0, 32)}`;
    }
    return out;
  };
}
