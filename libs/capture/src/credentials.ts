import { DEFAULT_CREDENTIAL_HEADERS, credentialPolicy } from '@penumbra/credentials';

export { DEFAULT_CREDENTIAL_HEADERS } from '@penumbra/credentials';

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
  const policy = credentialPolicy({ headers: options.headers ?? DEFAULT_CREDENTIAL_HEADERS, ...(options.hashKey === undefined ? {} : { hashKey: options.hashKey }) });
  if (options.mode !== 'drop') return policy.headers;
  return (headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => !policy.isCredentialHeader(name)));
}
