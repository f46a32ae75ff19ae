import { randomBytes } from 'node:crypto';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { ColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { appendRecord, recordsOf } from '../ledger/records.ts';
import { OPTOUT_METHODS as METHODS, OPTOUT_STATUSES as STATUSES, type OptoutResponse, type OptoutSent } from '../../protocol/src/records.ts';
import type { OptoutMethod } from './checklist.ts';
import { checkFailed } from './check.ts';
import { DEFAULT_OVERDUE_DAYS } from './checklist.ts';

export { DEFAULT_OVERDUE_DAYS };
import { parseDateArg } from './records.ts';

export const OPTOUT_METHODS: readonly OptoutMethod[] = METHODS;
export const OPTOUT_STATUSES = STATUSES;
type OptoutStatus = (typeof OPTOUT_STATUSES)[number];

export interface OptoutAdd {
  platform: string;
  method: string;
  ref?: string;
  date?: string;
  note?: string;
}

/** Appends `optout.sent` with a short id the artist types later (`optout respond <id>`). */
export async function addOptout(ledger: Ledger, input: OptoutAdd): Promise<LedgerEntry> {
  const platform = input.platform.trim();
  if (platform === '') throw new ColophonError('INVALID_PARAMS', '--platform is empty. Name the platform, e.g. --platform ArtStation.');
  if (!(OPTOUT_METHODS as readonly string[]).includes(input.method)) {
    throw new ColophonError('INVALID_PARAMS', `--method "${input.method}" is not one of ${OPTOUT_METHODS.join(', ')}.`);
  }
  const data: OptoutSent = {
    optoutId: `oo-${randomBytes(3).toString('hex')}`,
    platform,
    method: input.method as OptoutMethod,
    date: parseDateArg(input.date, '--date'),
  };
  if (input.ref != null && input.ref.trim() !== '') data.ref = input.ref.trim();
  if (input.note != null && input.note.trim() !== '') data.note = input.note.trim();
  return appendRecord(ledger, 'optout.sent', data);
}

export interface OptoutRespond {
  id: string;
  status: string;
  note?: string;
  date?: string;
}

export async function respondOptout(ledger: Ledger, input: OptoutRespond): Promise<LedgerEntry> {
  if (!(OPTOUT_STATUSES as readonly string[]).includes(input.status)) {
    throw new ColophonError('INVALID_PARAMS', `--status "${input.status}" is not one of ${OPTOUT_STATUSES.join(', ')}.`);
  }
  const sent = await ledger.query({ type: 'optout.sent' });
  if (!sent.some((e) => e.data.optoutId === input.id)) {
    throw checkFailed(
      `No opt-out request with id "${input.id}" is in the ledger. Run \`colophon optout list\` to see the ids.`,
    );
  }
  const data: OptoutResponse = { optoutId: input.id, status: input.status as OptoutStatus, date: parseDateArg(input.date, '--date') };
  if (input.note != null && input.note.trim() !== '') data.note = input.note.trim();
  return appendRecord(ledger, 'optout.response', data);
}

export interface OptoutState {
  id: string;
  platform: string;
  method: string;
  ref?: string;
  note?: string;
  sentDate: string;
  sentSeq: number;
  responses: Array<{ status: OptoutStatus; date: string; note?: string; seq: number }>;
  /** The latest response's status, or 'pending'. */
  status: OptoutStatus | 'pending';
  ageDays: number;
  /** No response recorded and older than the overdue limit. */
  overdue: boolean;
}

/** Folds `optout.sent` / `optout.response` entries into one state per request. */
export function optoutStates(entries: LedgerEntry[], now = new Date(), overdueDays = DEFAULT_OVERDUE_DAYS): OptoutState[] {
  const byId = new Map<string, OptoutState>();
  for (const e of recordsOf(entries, 'optout.sent')) {
    const { optoutId: id, platform, method, ref, note, date } = e.data;
    byId.set(id, {
      id, platform, method, ...(ref != null ? { ref } : {}), ...(note != null ? { note } : {}),
      sentDate: date, sentSeq: e.seq, responses: [], status: 'pending', ageDays: 0, overdue: false,
    });
  }
  for (const e of recordsOf(entries, 'optout.response')) {
    const s = byId.get(e.data.optoutId);
    if (s == null || e.seq < s.sentSeq) continue;
    const { status, date, note } = e.data;
    s.responses.push({ status, date, seq: e.seq, ...(note != null ? { note } : {}) });
    s.status = status;
  }
  const states = [...byId.values()];
  for (const s of states) {
    s.ageDays = Math.floor((now.getTime() - new Date(s.sentDate).getTime()) / 86_400_000);
    s.overdue = s.responses.length === 0 && s.ageDays > overdueDays;
  }
  return states;
}
