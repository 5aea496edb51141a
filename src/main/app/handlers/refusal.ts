// A domain's expected failure (a registry, a desk or a feed saying no) crossing the boundary as REFUSED.
import { RefusalError } from '../../ipc/dispatcher';

/** The error as a REFUSED refusal carrying its message. */
export function refusedBy(error: unknown): RefusalError {
  return new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
}
