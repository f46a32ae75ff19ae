import { InvalidArgumentError, type Command } from 'commander';
import { EXIT } from '../exit.ts';
import { writeHuman } from '../safe-text.ts';

interface ServeFlags {
  port?: number;
  jobs?: number;
  quiet?: boolean;
}

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

let loaded: Promise<[typeof import('../../daemon/daemon.ts'), typeof import('../../errors.ts'), typeof import('../../config.ts')]> | null = null;

/** serve's implementation, loaded on first use (once): `--help` and the other commands never load the daemon. */
export function loadServe() {
  loaded ??= Promise.all([import('../../daemon/daemon.ts'), import('../../errors.ts'), import('../../config.ts')]);
  return loaded;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the daemon on 127.0.0.1 (WebSocket JSON-RPC at /ws, GET /healthz) until Ctrl+C')
    .option('--port <n>', 'port to listen on (default: server.port from the profile, 7717; 0 = any free port)', int('--port', 0, 65535))
    .option('--jobs <n>', 'jobs run at the same time (default: cores - 1, from 2 to 4)', int('--jobs', 1, 64))
    .option('--quiet', 'log warnings and errors only')
    .action(async (flags: ServeFlags) => {
      const [{ startDaemon, DaemonRunningError }, { ColophonError }, { loadProfile }] = await loadServe();
      let daemon;
      try {
        daemon = await startDaemon({
          port: flags.port,
          concurrency: flags.jobs,
          logger: { level: flags.quiet ? 'warn' : 'info', stream: process.stderr, redact: ['req.headers.authorization'] },
        });
      } catch (err) {
        if (err instanceof DaemonRunningError || err instanceof ColophonError) {
          writeHuman(process.stderr, `colophon serve: ${err.message}\n`);
          process.exitCode = EXIT.FAILED;
          return;
        }
        throw err;
      }
      // As `process` does: the artist should learn at once that renders would be stamped with a guessed name.
      for (const w of (await loadProfile(daemon.paths).catch(() => ({ warnings: [] as string[] }))).warnings) {
        writeHuman(process.stderr, `warning: ${w}\n`);
      }
      if (daemon.portFallback != null) writeHuman(process.stderr, `colophon serve: ${daemon.portFallback}\n`);
      writeHuman(process.stderr,
        `colophon daemon listening on ${daemon.url}\n` +
          `  token file: ${daemon.paths.token} (clients send "Authorization: Bearer <its content>")\n` +
          `  discovery:  ${daemon.paths.daemonInfo}\n` +
          (daemon.swept > 0 ? `  removed ${daemon.swept} leftover temp file(s) from an earlier crash\n` : '') +
          '  stop with Ctrl+C\n',
      );
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          writeHuman(process.stderr, `\n${signal}: closing connections and jobs…\n`);
          // If something hangs on the way down, do not keep the port and daemon.json forever.
          setTimeout(() => process.exit(EXIT.FAILED), 15_000).unref();
          daemon.close().then(resolve, (err: unknown) => {
            writeHuman(process.stderr, `colophon serve: error while closing: ${(err as Error).message}\n`);
            process.exitCode = EXIT.FAILED;
            resolve();
          });
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
