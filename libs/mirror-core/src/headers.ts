import { type ExperimentSpec } from '@penumbra/contracts';
import { DEFAULT_CREDENTIAL_HEADERS } from '@penumbra/credentials';

type HeaderRules = ExperimentSpec['shadow']['headers'];

/** The shared credential list: none of these reaches a replay unless the experiment forwards it by name. */
export const CREDENTIAL_HEADERS = DEFAULT_CREDENTIAL_HEADERS;

/**
 * Headers that make a server treat a request as another method, path or host than the one sent:
 * a method override would undo the safe-methods rule, an original URL or forwarded host would
 * choose what the candidate serves. Dropped unless the experiment forwards them by name.
 */
export const ROUTING_OVERRIDE_HEADERS = [
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-original-url',
  'x-rewrite-url',
  'x-original-uri',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-prefix',
  'x-original-host',
  'x-host',
  'forwarded',
] as const;

/** RFC 9110 §7.6.1 hop-by-hop headers, plus those the replay client sets itself. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authenticate'];
const SET_BY_CLIENT = ['host', 'content-length', 'expect', 'http2-settings'];

export const SHADOW_HEADER = 'x-shadow-request';

/**
 * Headers for a replay: hop-by-hop headers and those named by Connection are removed,
 * credentials and routing overrides dropped unless forwarded explicitly, the experiment's drops applied, its additions
 * and x-shadow-request set.
 */
export function replayHeaders(captured: Record<string, string>, rules: HeaderRules, experimentId: string): Record<string, string> {
  const connectionListed = (captured['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const removed = new Set<string>([...HOP_BY_HOP, ...SET_BY_CLIENT, ...connectionListed, ...rules.drop]);
  for (const c of [...CREDENTIAL_HEADERS, ...ROUTING_OVERRIDE_HEADERS]) if (!rules.forward.includes(c)) removed.add(c);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured)) {
    const lower = name.toLowerCase();
    if (removed.has(lower)) continue;
    out[lower] = value;
  }
  for (const [name, value] of Object.entries(rules.add)) out[name.toLowerCase()] = value;
  out[SHADOW_HEADER] = experimentId;
  return out;
}

/** What an HTTP field value may hold (RFC 9110 §5.5, as undici enforces it): tab, visible ASCII, space and obs-text. */
const UNSENDABLE_VALUE = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/**
 * The first header a request could not carry (a value with CR, LF, NUL or a character beyond
 * Latin-1), or undefined. Such a record is skipped: sending it without the header would compare
 * a different request.
 */
export function unsendableHeader(headers: Record<string, string>): string | undefined {
  return Object.entries(headers).find(([, value]) => UNSENDABLE_VALUE.test(value))?.[0];
}
