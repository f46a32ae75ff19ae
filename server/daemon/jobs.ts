import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { ColophonError } from '../errors.ts';

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
}

/** What a job is, for people watching (the dashboard's "Now"). */
export interface JobMeta {
  kind: string;
  label: string;
}

/** A job as the dashboard shows it. */
export interface JobInfo extends JobMeta {
  jobId: string;
  running: boolean;
  queuedAt: string;
  done?: number;
  total?: number;
  current?: string;
}

interface Job {
  id: string;
  owner: string;
  info: JobInfo;
  controller: AbortController;
  start: () => void;
  reject: (err: unknown) => void;
  running: boolean;
}

export interface JobQueueOptions {
  /** Jobs run at the same time. */
  concurrency?: number;
  /** Jobs waiting or running; past it `submit` throws BUSY instead of growing the queue. */
  limit?: number;
}

/** Two jobs overlap well even on 2 cores: much of a job's time is spent waiting on exiftool and the disk. */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(4, os.availableParallelism() - 1));
}

/**
 * A bounded job queue. Each job belongs to one connection (its owner), gets an AbortSignal,
 * and can be cancelled while waiting (never starts) or while running (the signal fires).
 */
export class JobQueue {
  readonly concurrency: number;
  readonly limit: number;
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private closed = false;
  /** Ids of recently finished jobs, so a late cancel answers "already done" rather than "no such job". */
  private readonly finished = new Set<string>();
  /** 'change' whenever a job is queued, starts, reports progress or settles (no arguments: read `list()`). */
  readonly events = new EventEmitter();

  constructor(opts: JobQueueOptions = {}) {
    this.concurrency = Math.max(1, opts.concurrency ?? defaultConcurrency());
    this.limit = Math.max(1, opts.limit ?? 64);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Queues `work`; returns its id at once and a promise of its outcome. Throws BUSY when full. */
  submit<T>(owner: string, work: (ctx: JobContext) => Promise<T>, meta: JobMeta = { kind: 'job', label: '' }): { jobId: string; done: Promise<T> } {
    if (this.closed) throw new ColophonError('BUSY', 'The daemon is shutting down; try again when it is back.');
    if (this.jobs.size >= this.limit) {
      throw new ColophonError('BUSY', `The job queue is full (${this.limit} jobs waiting or running). Try again shortly.`);
    }
    const id = randomUUID();
    const controller = new AbortController();
    let start!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<T>((resolve, rej) => {
      reject = rej;
      start = () => {
        job.running = true;
        job.info.running = true;
        this.running++;
        this.changed();
        // Bookkeeping before settling, so whoever awaits the job sees the queue already updated.
        const settle = () => {
          this.running--;
          this.forget(id);
          this.pump();
        };
        work({ jobId: id, signal: controller.signal }).then(
          (v) => {
            settle();
            resolve(v);
          },
          (err: unknown) => {
            settle();
            rej(err);
          },
        );
      };
    });
    const info: JobInfo = { ...meta, jobId: id, running: false, queuedAt: new Date().toISOString() };
    const job: Job = { id, owner, info, controller, start, reject, running: false };
    this.jobs.set(id, job);
    this.waiting.push(job);
    this.changed();
    this.pump();
    return { jobId: id, done };
  }

  /**
   * Cancels a job of `owner`. Returns true when a cancel was requested, false when it had already finished.
   * Throws JOB_NOT_FOUND for an id this connection never started.
   */
  cancel(jobId: string, owner: string): boolean {
    const job = this.jobs.get(jobId);
    if (job == null || job.owner !== owner) {
      if (this.finished.has(`${owner}/${jobId}`)) return false;
      throw new ColophonError('JOB_NOT_FOUND', `No job "${jobId}" was started by this connection, or it finished long ago.`);
    }
    this.abort(job);
    return true;
  }

  /** Cancels any job, whoever started it (the artist's own dashboard may). Returns false when it is not queued or running. */
  cancelAny(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (job == null) return false;
    this.abort(job);
    return true;
  }

  /** Records how far a job has got, for watchers; the connection's own job.progress is sent separately. */
  progress(jobId: string, done: number, total: number, current?: string): void {
    const job = this.jobs.get(jobId);
    if (job == null) return;
    Object.assign(job.info, { done, total }, current != null ? { current } : {});
    this.changed();
  }

  /** Every queued or running job, oldest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  /** Cancels everything a connection started (it went away). */
  cancelOwner(owner: string): number {
    let n = 0;
    for (const job of [...this.jobs.values()]) {
      if (job.owner === owner) {
        this.abort(job);
        n++;
      }
    }
    return n;
  }

  /** Stops taking jobs, cancels every job and waits (bounded) until running ones have settled. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    for (const job of [...this.jobs.values()]) this.abort(job);
    const deadline = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  private abort(job: Job): void {
    const reason = new ColophonError('CANCELLED', 'The job was cancelled; nothing partial was kept.');
    if (!job.running) {
      const i = this.waiting.indexOf(job);
      if (i >= 0) this.waiting.splice(i, 1);
      this.forget(job.id);
      job.reject(reason);
    } else if (!job.controller.signal.aborted) {
      job.controller.abort(reason);
    }
  }

  private forget(id: string): void {
    const job = this.jobs.get(id);
    if (job == null) return;
    this.jobs.delete(id);
    this.changed();
    this.finished.add(`${job.owner}/${id}`);
    if (this.finished.size > 1000) this.finished.delete(this.finished.values().next().value!);
  }

  private changed(): void {
    this.events.emit('change');
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) this.waiting.shift()!.start();
  }
}
