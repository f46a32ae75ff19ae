import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pkg from '../../package.json' with { type: 'json' };
import { loadProfile } from '../config.ts';
import { resolvePaths, type ColophonPaths } from '../paths.ts';
import { sweepTempFiles } from '../util/atomic.ts';
import { appLimitsFrom, buildApp, type AppLimits } from './app.ts';
import { liveDaemon, removeDaemonInfo, writeDaemonInfo } from './discovery.ts';
import type { JobQueue } from './jobs.ts';
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
  /** The port asked for (profile or --port). */
  requestedPort: number;
  /** Set when that port was taken or refused and the daemon took a free one: says which and why. */
  portFallback?: string;
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
  const concurrency = opts.concurrency ?? profile.limits.concurrency.jobs;
  const swept = await sweepTempFiles(profile.output.root);
  const app = await buildApp({
    paths,
    token,
    version: pkg.version,
    loadProfile: () => loadProfile(paths),
    // The profile's limits, unless the caller (a test, a flag) overrides one.
    limits: { ...appLimitsFrom(profile.limits), ...opts.limits },
    logger: opts.logger ?? { level: 'info', stream: process.stderr, redact: ['req.headers.authorization'] },
    ...(concurrency != null ? { concurrency } : {}),
    queueLimit: opts.queueLimit ?? profile.limits.concurrency.queue,
  });
  const requestedPort = opts.port ?? profile.server.port;
  let portRefused: string | undefined;
  try {
    try {
      await app.listen({ host: '127.0.0.1', port: requestedPort });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (requestedPort === 0 || (code !== 'EADDRINUSE' && code !== 'EACCES')) throw err;
      // The add-on finds the daemon through daemon.json, so any free port serves it as well as the fixed one.
      portRefused = code === 'EADDRINUSE'
        ? `port ${requestedPort} on 127.0.0.1 is in use by another program`
        : `the system refused port ${requestedPort} on 127.0.0.1 (EACCES: reserved or not allowed for this user)`;
      await app.listen({ host: '127.0.0.1', port: 0 });
    }
  } catch (err) {
    await app.close();
    throw err;
  }
  const actual = (app.server.address() as AddressInfo).port;
  const url = `ws://127.0.0.1:${actual}/ws`;
  await writeDaemonInfo(paths.daemonInfo, { url, pid: process.pid, version: pkg.version });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // app.close() closes the sockets, then (onClose) cancels the jobs and ends exiftool.
      await app.close();
      await removeDaemonInfo(paths.daemonInfo, process.pid);
    })());
  return {
    url,
    port: actual,
    requestedPort,
    ...(portRefused != null ? { portFallback: `${portRefused}; listening on port ${actual} instead (daemon.json tells the add-on)` } : {}),
    paths,
    app,
    jobs: app.jobs,
    swept,
    close,
  };
}
