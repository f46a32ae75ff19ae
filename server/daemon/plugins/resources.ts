import type { ExifTool } from 'exiftool-vendored';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Ledger } from '../../ledger/ledger.ts';
import { openExifTool } from '../../pipeline/exiftool.ts';
import { closeOffThread } from '../../util/off-thread.ts';
import { JobQueue, type JobQueueOptions } from '../jobs.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The evidence ledger this daemon appends to. */
    ledger: Ledger;
    /** This daemon's own exiftool pool; requests reach it through getExifTool() (see connection.ts). */
    exiftool: ExifTool;
    jobs: JobQueue;
  }
}

interface ResourcesOptions extends JobQueueOptions {
  ledgerFile: string;
  /** One exiftool task's time limit (limits.timeouts.exiftoolTaskMs). */
  exiftoolTaskMs?: number;
  /** How long a ledger append waits for the lock (limits.timeouts.ledgerLockMs). */
  ledgerLockMs?: number;
}

/**
 * Creates what the daemon owns (ledger, exiftool pool, job queue), shares them with `decorate`, and frees them
 * when the app closes, in reverse order: jobs first (cancelled, awaited), so nothing still needs exiftool
 * when its processes end. Wrapped with fastify-plugin so the decorators are visible to the routes beside it.
 */
async function resources(app: FastifyInstance, opts: ResourcesOptions): Promise<void> {
  const ledger = new Ledger(opts.ledgerFile, opts.ledgerLockMs != null ? { lockMs: opts.ledgerLockMs } : {});
  const exiftool = openExifTool(opts.exiftoolTaskMs);
  const jobs = new JobQueue(opts);
  app.decorate('ledger', ledger);
  app.decorate('exiftool', exiftool);
  app.decorate('jobs', jobs);
  // Jobs drain in preClose, while the sockets are still open, so each cancelled request still gets its reply.
  app.addHook('preClose', async () => {
    await jobs.close();
  });
  app.addHook('onClose', async () => {
    await exiftool.end();
    await closeOffThread(); // worker threads for decoding; made again on demand
    // The ledger holds no open handle between appends (each one opens, fsyncs and closes), so there is
    // nothing to release once the jobs that append have settled.
  });
}

export default fp(resources, { name: 'colophon-resources', fastify: '5.x' });
