import { type Pair, type ReplayResult } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';

function result(r: ReplayResult, policy: CredentialPolicy): ReplayResult {
  return r.ok ? { ...r, response: { ...r.response, headers: policy.headersAtRest(r.response.headers) } } : r;
}

/**
 * The pair as it may be written: query secrets and matrix parameters in the path hashed, and every
 * response's credential headers (set-cookie above all) hashed, so that no reader of shadow.pairs,
 * nor anything built from it, learns a credential.
 */
export function pairWithoutCredentials(pair: Pair, policy: CredentialPolicy): Pair {
  return {
    ...pair,
    request: { ...pair.request, path: policy.text(pair.request.path), query: policy.query(pair.request.query) },
    primary: { ...pair.primary, headers: policy.headersAtRest(pair.primary.headers) },
    candidate: result(pair.candidate, policy),
    ...(pair.secondary ? { secondary: result(pair.secondary, policy) } : {}),
  };
}
