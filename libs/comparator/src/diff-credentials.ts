import { type DiffEvent } from '@penumbra/contracts';
import { type CredentialPolicy } from '@penumbra/credentials';

type Difference = DiffEvent['differences'][number];

const HEADER_PATH = 'header:';
/** The contract's bound on a rendered value; a hash is longer than the token it replaces. */
const MAX_VALUE_CHARS = 1024;

/**
 * A difference as it may be written: the values of a credential header hashed (the pair's already
 * are; this holds for pairs written by anything else too), URL userinfo, query secrets and bearer
 * tokens in any other value hashed. Equal values hash equally, so a difference stays a difference.
 */
export function differenceWithoutCredentials(d: Difference, policy: CredentialPolicy): Difference {
  const header = d.path.startsWith(HEADER_PATH) ? d.path.slice(HEADER_PATH.length) : undefined;
  const scrub = (v: string) => (header !== undefined && policy.isCredentialHeader(header) ? policy.hash(v) : policy.text(v)).slice(0, MAX_VALUE_CHARS);
  return { ...d, ...(d.primary === undefined ? {} : { primary: scrub(d.primary) }), ...(d.candidate === undefined ? {} : { candidate: scrub(d.candidate) }) };
}

export function diffEventWithoutCredentials(e: DiffEvent, policy: CredentialPolicy): DiffEvent {
  return { ...e, differences: e.differences.map((d) => differenceWithoutCredentials(d, policy)) };
}
