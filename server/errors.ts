import path from 'node:path';
import { ERROR_CODES, type ErrorKey } from '../protocol/src/errors.ts';

/** An expected failure with a stable key and a message that says what is wrong and what to do. */
export class ColophonError extends Error {
  readonly key: ErrorKey;
  readonly data: unknown;
  constructor(key: ErrorKey, message: string, options: { cause?: unknown; data?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ColophonError';
    this.key = key;
    this.data = options.data;
  }
  get rpcCode(): number {
    return ERROR_CODES[this.key].code;
  }
}

/** Converts anything thrown into a ColophonError, keeping the original as cause. */
export function toColophonError(err: unknown, fallback: ErrorKey = 'INTERNAL'): ColophonError {
  const full = diskFull(err);
  if (full != null) return full;
  if (err instanceof ColophonError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const detail = e?.message ?? String(err);
  switch (e?.code) {
    case 'ENOENT':
      return new ColophonError('FILE_NOT_FOUND', `${e?.path ?? detail} does not exist. Check the path and try again.`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new ColophonError('UNREADABLE', `${e?.path ?? detail} cannot be read (permission denied). Check the file's permissions.`, { cause: err });
    case 'ERR_INVALID_ARG_VALUE':
      // Node refuses a path holding a NUL byte before the OS sees it.
      if (/null bytes/.test(detail)) return new ColophonError('INVALID_PARAMS', `A path contains a NUL byte, which no file name can hold (${detail}). Pass the path as the file system shows it.`, { cause: err });
      return new ColophonError(fallback, detail, { cause: err });
    case 'EISDIR':
      return new ColophonError('NOT_A_FILE', `${detail}. Pass a file, not a folder.`, { cause: err });
    default:
      return new ColophonError(fallback, detail, { cause: err });
  }
}

/**
 * A full disk (or quota) anywhere in the error or its causes, as DISK_FULL. Outputs are written to temp names
 * and the ledger cuts back a partial line, so "nothing was half-written" holds wherever this is raised.
 */
function diskFull(err: unknown): ColophonError | null {
  for (let e = err, depth = 0; e != null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ColophonError && e.key === 'DISK_FULL') return e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      const p = (e as NodeJS.ErrnoException & { dest?: string }).dest ?? (e as NodeJS.ErrnoException).path;
      const where = p != null ? ` (the drive holding ${path.dirname(p)})` : '';
      return new ColophonError(
        'DISK_FULL',
        `The disk is full${where}. Free some space and run again; nothing was half-written.`,
        { cause: err },
      );
    }
  }
  return null;
}
