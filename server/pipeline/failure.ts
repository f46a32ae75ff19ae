import type { Failure } from '../../protocol/src/results.ts';
import { toColophonError } from '../errors.ts';

/** A Failure for the results: stable code plus a message that says what is wrong and what to do. */
export function toFailure(input: string, err: unknown): Failure {
  const e = toColophonError(err);
  return { input, code: e.key, message: e.message };
}
