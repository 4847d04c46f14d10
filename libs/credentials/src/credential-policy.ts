import { createHmac, randomBytes } from 'node:crypto';

/** Headers that carry credentials; never written to a topic, report or log in clear. */
export const DEFAULT_CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization', 'set-cookie', 'x-api-key', 'x-auth-token'] as const;

/** Query-string parameters whose values are hashed wherever a URL or query is kept. */
export const DEFAULT_SECRET_QUERY_PARAMS = [
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'key',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'sig',
  'signature',
  'session',
  'sessionid',
  'session_id',
  'jsessionid',
] as const;

/** Parameter names that look like credentials whatever their prefix (x-amz-signature, private_key, auth-token). */
const SECRET_PARAM_SUFFIX = /(?:^|[_.-])(?:token|secret|password|passwd|signature|credential|api[_-]?key|private[_-]?key|session)$/;

export const HASH_PREFIX = 'hmac-sha256:';
const HASHED = /^hmac-sha256:[0-9a-f]{32}$/;
export const REDACTED_USERINFO = '[redacted]';
/** Below this, JSON is redacted member by member; deeper subtrees are replaced whole. */
const MAX_JSON_DEPTH = 256;
const TOO_DEEP = '[redacted: nested too deep]';

export interface CredentialPolicyOptions {
  /** Lower-case header names treated as credentials. @default DEFAULT_CREDENTIAL_HEADERS */
  headers?: readonly string[];
  /** Query parameters whose values are hashed, on top of those SECRET_PARAM_SUFFIX matches. @default DEFAULT_SECRET_QUERY_PARAMS */
  queryParams?: readonly string[];
  /** The HMAC key; share it between processes for hashes that compare across them. @default a random key per policy */
  hashKey?: string | Buffer;
}

/**
 * Where credentials are replaced before anything is written: header values, query-string secrets,
 * URL userinfo and `Bearer`/`Basic` tokens become a keyed hash (HMAC-SHA-256), so a reader can
 * still tell "same token" apart from "another token" without learning either. Every function is pure
 * given the key, and idempotent: a value already in hash form is kept as it is.
 */
export interface CredentialPolicy {
  isCredentialHeader(name: string): boolean;
  isSecretParam(name: string): boolean;
  hash(value: string): string;
  /** A copy with credential header values (any casing of the name) hashed. */
  headers(headers: Record<string, string>): Record<string, string>;
  /** Headers as kept for reading rather than replay: credential values hashed, every other value scrubbed as free text. */
  headersAtRest(headers: Record<string, string>): Record<string, string>;
  /** A query string (with or without its leading `?`) with secret parameter values hashed. */
  query(query: string): string;
  /** Free text with URL userinfo redacted and query secrets and Bearer/Basic tokens (8 characters or more, so prose is left alone) hashed. */
  text(text: string): string;
  /**
   * A copy of a JSON value: members named like a credential header hashed, every value of a
   * `headers.add` object hashed (what an experiment adds is the candidate's own credential),
   * `query` members treated as query strings, every other string as free text.
   */
  json(value: unknown): unknown;
  /** The bytes of a JSON document redacted by `json`, or undefined when they are not JSON. */
  jsonBytes(bytes: Buffer): Buffer | undefined;
}

/**
 * What free text is scrubbed of. Every pattern is bounded or anchored on a separator, so scrubbing
 * stays linear in the text's length. A backslash ends a match, so that an escape inside a JSON
 * string is never cut in two; `\u0026` is how JSON may write the `&` between query parameters.
 * Each runs only on text holding what it needs to match (`mayMatch`): most scrubbed values are
 * short and hold none of it, and the check costs far less than the scan.
 */
export const TEXT_PATTERNS = {
  userinfo: { pattern: /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"'<>\\]+@/gi, mayMatch: (s: string) => s.includes('://') && s.includes('@') },
  query: { pattern: /([?&;]|\\u0026)([^=&#\s?;"'<>\\]{1,256})=([^&#\s;"'<>\\]*)/g, mayMatch: (s: string) => s.includes('=') },
  token: { pattern: /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi, mayMatch: (s: string) => s.length >= 14 && /b(?:earer|asic)/i.test(s) },
} as const;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

export function credentialPolicy(options: CredentialPolicyOptions = {}): CredentialPolicy {
  const headerNames = new Set((options.headers ?? DEFAULT_CREDENTIAL_HEADERS).map((h) => h.toLowerCase()));
  const params = new Set((options.queryParams ?? DEFAULT_SECRET_QUERY_PARAMS).map((p) => p.toLowerCase()));
  const key = options.hashKey ?? randomBytes(32);

  const hash = (value: string): string => (HASHED.test(value) ? value : `${HASH_PREFIX}${createHmac('sha256', key).update(value).digest('hex').slice(0, 32)}`);
  const isCredentialHeader = (name: string) => headerNames.has(name.toLowerCase());
  const isSecretParam = (name: string) => {
    const n = decodeName(name);
    return params.has(n) || SECRET_PARAM_SUFFIX.test(n);
  };
  const param = (part: string): string => {
    const eq = part.indexOf('=');
    if (eq < 0 || !isSecretParam(part.slice(0, eq))) return part;
    const value = part.slice(eq + 1);
    return value === '' ? part : `${part.slice(0, eq)}=${hash(value)}`;
  };
  const query = (q: string): string => {
    const lead = q.startsWith('?') ? '?' : '';
    return lead + q.slice(lead.length).split('&').map(param).join('&');
  };
  const text = (s: string): string => {
    let out = s;
    if (TEXT_PATTERNS.userinfo.mayMatch(out)) out = out.replace(TEXT_PATTERNS.userinfo.pattern, `$1${REDACTED_USERINFO}@`);
    if (TEXT_PATTERNS.query.mayMatch(out)) {
      out = out.replace(TEXT_PATTERNS.query.pattern, (all: string, sep: string, name: string, value: string) =>
        value !== '' && isSecretParam(name) ? `${sep}${name}=${hash(value)}` : all,
      );
    }
    if (TEXT_PATTERNS.token.mayMatch(out)) {
      out = out.replace(TEXT_PATTERNS.token.pattern, (all: string, scheme: string, space: string, token: string) =>
        // "Basic authentication" is prose; Basic credentials are base64, which almost always has a digit or padding.
        scheme.toLowerCase() === 'basic' && !/[0-9+/=]/.test(token) ? all : `${scheme}${space}${hash(token)}`,
      );
    }
    return out;
  };
  const headers = (h: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(h)) out[name] = isCredentialHeader(name) ? hash(value) : value;
    return out;
  };

  const headersAtRest = (h: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(h)) out[name] = isCredentialHeader(name) ? hash(value) : text(value);
    return out;
  };

  const walk = (value: unknown, name: string | undefined, secret: boolean, depth: number): unknown => {
    if (typeof value === 'string') {
      if (secret || (name !== undefined && isCredentialHeader(name))) return hash(value);
      return name === 'query' ? text(query(value)) : text(value);
    }
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_JSON_DEPTH) return TOO_DEEP;
    if (Array.isArray(value)) return value.map((item: unknown) => walk(item, name, secret, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) {
      const v = walk(item, k, secret || (name === 'headers' && k === 'add'), depth + 1);
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const json = (value: unknown) => walk(value, undefined, false, 0);
  const jsonBytes = (bytes: Buffer): Buffer | undefined => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      return undefined;
    }
    return Buffer.from(JSON.stringify(json(parsed)), 'utf8');
  };

  return { isCredentialHeader, isSecretParam, hash, headers, headersAtRest, query, text, json, jsonBytes };
}
