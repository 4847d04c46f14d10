import { UnavailableError } from '@penumbra/errors';

/** A failed Redis call is Redis away: retriable, so callers retry the whole step rather than drop what it was for. */
export async function unavailableUnless<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new UnavailableError(`redis cannot serve ${what}: ${(err as Error).message}`, {}, err);
  }
}
