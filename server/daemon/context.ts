import type { ExifTool } from 'exiftool-vendored';
import type { FastifyBaseLogger } from 'fastify';
import type { NotificationName } from '../../protocol/src/registry.ts';
import type { LoadedProfile } from '../config.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { ColophonPaths } from '../paths.ts';
import type { JobQueue } from './jobs.ts';

/** What the running daemon shares with every handler. */
export interface DaemonState {
  paths: ColophonPaths;
  ledger: Ledger;
  jobs: JobQueue;
  /** This daemon's exiftool pool; every handler runs inside withExifTool(exiftool), so getExifTool() finds it. */
  exiftool: ExifTool;
  version: string;
  log: FastifyBaseLogger;
  /** Reads config.json afresh, so `colophon init` takes effect without restarting the daemon. */
  loadProfile(): Promise<LoadedProfile>;
}

/** One request on one connection. */
export interface CallContext {
  daemon: DaemonState;
  connectionId: string;
  /** Sends a notification to this connection only (dropped if it has gone). */
  notify(method: NotificationName, params: unknown): void;
}
