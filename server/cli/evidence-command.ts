import { EXIT } from './exit.ts';
import { ColophonError } from '../errors.ts';
import { openServices, type Services } from '../services.ts';
import { isCheckFailure } from '../evidence/check.ts';
import { writeHuman } from './safe-text.ts';

function isUsage(err: unknown): boolean {
  if (!(err instanceof ColophonError) || err.key !== 'INVALID_PARAMS') return false;
  return !isCheckFailure(err);
}

/**
 * Runs an evidence command body with the shared services and turns failures into a one-line message and
 * an exit code: a bad flag value is a usage error (2), anything else that fails is 1.
 */
export async function runCommand(name: string, body: (s: Services) => Promise<void>): Promise<void> {
  let services: Services | null = null;
  try {
    services = await openServices();
    await body(services);
  } catch (err) {
    const e = err as Error;
    writeHuman(process.stderr, `colophon ${name}: ${e.message}\n`);
    process.exitCode = isUsage(err) ? EXIT.USAGE : EXIT.FAILED;
  } finally {
    await services?.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
