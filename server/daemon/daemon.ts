import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pkg from '../../package.json' with { type: 'json' };
import { loadProfile } from '../config.ts';
import { ColophonError } from '../errors.ts';
import { Ledger } from '../ledger/ledger.ts';
import { resolvePaths, type ColophonPaths } from '../paths.ts';
import { closeExifTool } from '../pipeline/exiftool.ts';
import { sweepTempFiles } from '../util/atomic.ts';
import { buildApp, DEFAULT_LIMITS, type AppLimits } from './app.ts';
import { liveDaemon, removeDaemonInfo, writeDaemonInfo } from './discovery.ts';
import { JobQueue } from './jobs.ts';
import { ensureToken } from './security.ts';

export interface DaemonOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: the profile's server.port (7717). 0 = any free port. */
  port?: number;
  /** fastify logger options; default: info level on stderr. */
  logger?: boolean | Record<string, unknown>;
  limits?: Partial<AppLimits>;
  concurrency?: number;
  queueLimit?: number;
}

export interface RunningDaemon {
  url: string;
  port: number;
  paths: ColophonPaths;
  app: FastifyInstance;
  jobs: JobQueue;
  /** Leftover temp files removed from the output root at start. */
  swept: number;
  close(): Promise<void>;
}

/** Another live daemon already serves this COLOPHON_HOME. */
export class DaemonRunningError extends Error {}

/**
 * Starts the daemon: token, stale-daemon check, temp sweep, listen on 127.0.0.1, then daemon.json.
 * Throws CONFIG_INVALID for a bad profile and DaemonRunningError when one is already running.
 */
export async function startDaemon(opts: DaemonOptions = {}): Promise<RunningDaemon> {
  const paths = resolvePaths(opts.env ?? process.env);
  const { profile } = await loadProfile(paths);
  const running = await liveDaemon(paths.daemonInfo);
  if (running != null) {
    throw new DaemonRunningError(
      `A Colophon daemon is already running for ${paths.configDir} (pid ${running.pid}, ${running.url}). ` +
        'Use it, or stop it first (Ctrl+C in its terminal, or kill ' + running.pid + ').',
    );
  }
  const token = await ensureToken(paths.token);
  const swept = await sweepTempFiles(profile.output.root);
  const jobs = new JobQueue({ concurrency: opts.concurrency, limit: opts.queueLimit });
  const { app } = await buildApp(
    {
      paths,
      ledger: new Ledger(paths.ledger),
      jobs,
      version: pkg.version,
      loadProfile: () => loadProfile(paths),
    },
    token,
    { ...DEFAULT_LIMITS, ...opts.limits },
    opts.logger ?? { level: 'info', stream: process.stderr, redact: ['req.headers.authorization'] },
  );
  const port = opts.port ?? profile.server.port;
  try {
    await app.listen({ host: '127.0.0.1', port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ColophonError(
        'BUSY',
        `Port ${port} on 127.0.0.1 is already in use by another program. Run \`colophon serve --port N\` or set server.port in ${paths.config}.`,
      );
    }
    throw err;
  }
  const actual = (app.server.address() as AddressInfo).port;
  const url = `ws://127.0.0.1:${actual}/ws`;
  await writeDaemonInfo(paths.daemonInfo, { url, pid: process.pid, version: pkg.version });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      await jobs.close();
      await app.close();
      await removeDaemonInfo(paths.daemonInfo, process.pid);
      await closeExifTool();
    })());
  return { url, port: actual, paths, app, jobs, swept, close };
}
