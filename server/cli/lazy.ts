import type { Services } from '../services.ts';

// The evidence commands' runner opens the profile and the ledger, so it is loaded only when a command runs:
// start-up (`--help`, `--version`, commander parsing) stays free of it.
let runner: typeof import('./evidence-command.ts') | null = null;

export async function runCommand(name: string, body: (s: Services) => Promise<void>): Promise<void> {
  runner ??= await import('./evidence-command.ts');
  return runner.runCommand(name, body);
}

/** As the runner's printJson (pretty JSON and a newline on stdout), without loading the runner. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
