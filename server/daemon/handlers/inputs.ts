import path from 'node:path';
import { ColophonError } from '../../errors.ts';

export function notAbsoluteMessage(p: string): string {
  return `"${p}" is a relative path; the daemon needs absolute paths (resolve it on the client side first).`;
}

/** The daemon's working folder means nothing to a client, so every path it is sent must be absolute. */
export function requireAbsolute(p: string, field: string): string {
  if (!path.isAbsolute(p)) throw new ColophonError('PATH_NOT_ALLOWED', `${field} ${notAbsoluteMessage(p)}`);
  return p;
}
