import path from 'node:path';
import type { Failure } from '../../protocol/src/results.ts';
import { toColophonError } from '../errors.ts';

/** A path to one of our temp names (util/atomic.ts tempNameFor): `<dir>/.<name>.<12 hex>.tmp<.ext>`. */
const TEMP_PATH = /(?:[A-Za-z]:)?(?:[^\s'"()]*[\\/])?\.([^\s'"()\\/]+?)\.[0-9a-f]{12}\.tmp(?:\.[A-Za-z0-9]+)?/g;

/**
 * A Failure for the results: stable code plus a message that says what is wrong and what to do. A temp name
 * in the message (a tool failing on the copy being written) becomes the user's file, so messages never show
 * our work files and stay the same from run to run.
 */
export function toFailure(input: string, err: unknown): Failure {
  const e = toColophonError(err);
  const message = e.message.replace(TEMP_PATH, input);
  // A message about something else (an output folder, a tool) still says which of the user's files it concerns.
  const namesInput = message.includes(input) || message.includes(path.basename(input));
  return { input, code: e.key, message: namesInput ? message : `${input}: ${message}` };
}
