import type { z } from 'zod';
import * as c from './credentials.ts';
import * as m from './methods.ts';

export interface MethodSpec {
  params: z.ZodType;
  result: z.ZodType;
  /** Def name stem in schema.json (e.g. "SessionHello" → SessionHelloParams/Result/Request/Response). */
  name: string;
  /** true: answered at once with { jobId }, the outcome comes in job.finished. */
  background: boolean;
  summary: string;
}

/** Every request method the daemon answers, in a stable order (the generated files follow it). */
export const METHODS = {
  'session.hello': {
    name: 'SessionHello', params: m.HelloParamsSchema, result: m.HelloResultSchema, background: false,
    summary: 'Checks the protocol version and returns the daemon version and the profile summary.',
  },
  'asset.process': {
    name: 'AssetProcess', params: m.ProcessParamsSchema, result: m.ProcessResultSchema, background: false,
    summary: 'Classifies, stamps, previews, hashes, splits and records files; answered when done.',
  },
  'preview.export': {
    name: 'PreviewExport', params: m.PreviewExportParamsSchema, result: m.PreviewExportResultSchema, background: false,
    summary: 'Always makes a public preview of one file, with optional size, format and watermark.',
  },
  'blend.archive': {
    name: 'BlendArchive', params: m.ArchiveParamsSchema, result: m.ArchiveResultSchema, background: false,
    summary: 'Zips a .blend and its dependencies into a private archive with a manifest and a LICENSE.',
  },
  'pack.process': {
    name: 'PackProcess', params: m.PackParamsSchema, result: m.JobStartedSchema, background: true,
    summary: 'Prepares an asset pack for a marketplace; returns a jobId, then job.progress and job.finished.',
  },
  'job.cancel': {
    name: 'JobCancel', params: m.CancelParamsSchema, result: m.CancelResultSchema, background: false,
    summary: 'Cancels a queued or running job of this connection.',
  },
  'ledger.verify': {
    name: 'LedgerVerify', params: m.VerifyParamsSchema, result: m.VerifyResultSchema, background: false,
    summary: 'Recomputes the evidence ledger\'s hash chain.',
  },
  'ledger.query': {
    name: 'LedgerQuery', params: m.QueryParamsSchema, result: m.QueryResultSchema, background: false,
    summary: 'Ledger entries that mention an assetId or a sha256 (most recent `limit`).',
  },
  'dashboard.login': {
    name: 'DashboardLogin', params: m.DashboardLoginParamsSchema, result: m.DashboardLoginResultSchema, background: false,
    summary: 'A one-time URL that logs a browser on this machine into the local dashboard.',
  },
  'credentials.verify': {
    name: 'CredentialsVerify', params: c.CredentialsVerifyParamsSchema, result: c.CredentialsVerifyResultSchema, background: false,
    summary: 'Validates a file\'s Content Credential (embedded or .c2pa) and says what it claims and whether the ledger knows the file.',
  },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
export type ParamsOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<(typeof METHODS)[M]['result']>;

/** Notifications the daemon sends. */
export const NOTIFICATIONS = {
  'job.progress': { name: 'JobProgress', params: m.JobProgressSchema },
  'job.finished': { name: 'JobFinished', params: m.JobFinishedSchema },
} as const;
export type NotificationName = keyof typeof NOTIFICATIONS;
export const NOTIFICATION_NAMES = Object.keys(NOTIFICATIONS) as NotificationName[];

export function isMethodName(s: string): s is MethodName {
  return Object.hasOwn(METHODS, s);
}
