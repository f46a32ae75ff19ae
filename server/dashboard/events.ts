import type { ServerResponse } from 'node:http';
import { watch, type FSWatcher } from 'chokidar';
import type { JobQueue } from '../daemon/jobs.ts';
import type { Ledger, VerifyReport } from '../ledger/ledger.ts';

/** Job changes are coalesced to at most one message per this many ms, however fast a pack reports. */
const JOB_THROTTLE_MS = 200;
/** The ledger is re-verified at most this often while it is being written. */
const LEDGER_THROTTLE_MS = 1000;
const HEARTBEAT_MS = 25_000;
const MAX_CLIENTS = 16;

/**
 * Server-sent events for every open dashboard tab: `jobs` (the queue), `ledger` (the chain changed and how it
 * verifies), `finished` (a job the dashboard started ended). Nothing is watched while no tab is open.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private watcher: FSWatcher | null = null;
  private jobTimer: NodeJS.Timeout | null = null;
  private ledgerTimer: NodeJS.Timeout | null = null;
  private lastVerify = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly onJobs = () => this.scheduleJobs();

  constructor(private readonly jobs: JobQueue, private readonly ledger: Ledger) {}

  get size(): number {
    return this.clients.size;
  }

  /** Returns false when too many tabs are open (the caller answers 503). */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    res.on('close', () => this.remove(res));
    if (this.clients.size === 1) this.start();
    this.sendTo(res, 'jobs', this.jobs.list());
    void this.ledger.verify().then((v) => this.sendTo(res, 'ledger', v));
    return true;
  }

  broadcast(event: string, data: unknown): void {
    for (const c of this.clients) this.sendTo(c, event, data);
  }

  /** Called after the dashboard itself appended to the ledger, so the tab that did it updates at once. */
  ledgerChanged(): void {
    this.scheduleLedger();
  }

  close(): void {
    for (const c of [...this.clients]) c.end();
    this.clients.clear();
    this.stop();
  }

  private remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0) this.stop();
  }

  private start(): void {
    this.jobs.events.on('change', this.onJobs);
    // The CLI appends from other processes, so the file itself is watched, not just this daemon's writes.
    this.watcher = watch(this.ledger.file, { ignoreInitial: true, persistent: false });
    this.watcher.on('all', () => this.scheduleLedger());
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stop(): void {
    this.jobs.events.off('change', this.onJobs);
    void this.watcher?.close();
    this.watcher = null;
    for (const t of [this.jobTimer, this.ledgerTimer, this.heartbeat]) if (t != null) clearTimeout(t);
    this.jobTimer = this.ledgerTimer = this.heartbeat = null;
  }

  private scheduleJobs(): void {
    if (this.jobTimer != null) return;
    this.jobTimer = setTimeout(() => {
      this.jobTimer = null;
      this.broadcast('jobs', this.jobs.list());
    }, JOB_THROTTLE_MS);
  }

  private scheduleLedger(): void {
    if (this.ledgerTimer != null) return;
    const wait = Math.max(100, LEDGER_THROTTLE_MS - (Date.now() - this.lastVerify));
    this.ledgerTimer = setTimeout(() => {
      this.ledgerTimer = null;
      this.lastVerify = Date.now();
      void this.ledger.verify().then((v: VerifyReport) => this.broadcast('ledger', v));
    }, wait);
  }

  private sendTo(res: ServerResponse, event: string, data: unknown): void {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
