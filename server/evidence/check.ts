import { ColophonError } from '../errors.ts';

/**
 * A check that failed (a reply that does not match, an id that is not in the ledger): exit 1, unlike a
 * malformed flag value, which is a usage error (exit 2). Both are INVALID_PARAMS for the daemon.
 */
export function checkFailed(message: string): ColophonError {
  return new ColophonError('INVALID_PARAMS', message, { data: { checkFailed: true } });
}

export function isCheckFailure(err: ColophonError): boolean {
  return (err.data as { checkFailed?: boolean } | undefined)?.checkFailed === true;
}
