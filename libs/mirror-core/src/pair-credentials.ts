import { type Body, type Pair, type ReplayResult, type ResponseSnapshot } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';

/** The contract's bound on a pair's path and query; a hash is longer than the token it replaces. */
const MAX_URL_PART = 8192;

function body(b: Body | undefined, policy: CredentialPolicy): { body?: Body } {
  if (!b) return {};
  return { body: b.encoding === 'utf8' ? { ...b, data: policy.text(b.data) } : b };
}

function response(r: ResponseSnapshot, policy: CredentialPolicy): ResponseSnapshot {
  return { ...r, headers: policy.headersAtRest(r.headers), ...body(r.body, policy) };
}

function result(r: ReplayResult, policy: CredentialPolicy): ReplayResult {
  return r.ok ? { ...r, response: response(r.response, policy) } : r;
}

/**
 * The pair as it may be written: query secrets and matrix parameters in the path hashed, every
 * response's credential headers (set-cookie above all) hashed, and URL userinfo, query secrets and
 * bearer tokens in text bodies hashed, so that no reader of shadow.pairs, nor anything built from
 * it, learns a credential. Equal values hash equally, so what differed still differs.
 */
export function pairWithoutCredentials(pair: Pair, policy: CredentialPolicy): Pair {
  return {
    ...pair,
    request: { ...pair.request, path: policy.text(pair.request.path).slice(0, MAX_URL_PART), query: policy.query(pair.request.query).slice(0, MAX_URL_PART) },
    primary: response(pair.primary, policy),
    candidate: result(pair.candidate, policy),
    ...(pair.secondary ? { secondary: result(pair.secondary, policy) } : {}),
  };
}
