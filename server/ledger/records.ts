import type { z } from 'zod';
import type { LedgerEntry, LedgerType } from '../../protocol/src/ledger.ts';
import { RECORD_SCHEMAS, type RecordData } from '../../protocol/src/records.ts';
import { ColophonError } from '../errors.ts';
import { canonical, type Ledger } from './ledger.ts';

/** A ledger entry whose data parsed with its type's schema. */
export type TypedEntry<T extends LedgerType> = Omit<LedgerEntry, 'type' | 'data'> & { type: T; data: RecordData<T> };

/**
 * Appends an entry of `type` after checking `data` against that type's schema, so a malformed record is never
 * written: a missing or wrong field, and a field the schema does not know, are both refused (LEDGER_ERROR) and
 * the ledger is left as it was.
 */
export async function appendRecord<T extends LedgerType>(ledger: Ledger, type: T, data: RecordData<T>, now?: Date): Promise<TypedEntry<T>> {
  const plain = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const parsed = (RECORD_SCHEMAS[type] as z.ZodType).safeParse(plain);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
    throw refused(ledger, type, problems.join('; '));
  }
  // zod drops fields it does not know; anything dropped is a field no reader expects, so it is refused too.
  if (canonical(parsed.data) !== canonical(plain)) throw refused(ledger, type, `fields not in the ${type} schema: ${extraPaths(plain, parsed.data).join(', ')}`);
  return (await ledger.append(type, plain, now)) as TypedEntry<T>;
}

function refused(ledger: Ledger, type: string, why: string): ColophonError {
  return new ColophonError(
    'LEDGER_ERROR',
    `A ${type} record was not written to the ledger ${ledger.file} because it is malformed (${why}). Nothing was written; this is a bug in Colophon, please report it.`,
  );
}

/** Paths present in `given` but not in `kept`. */
function extraPaths(given: unknown, kept: unknown, at = ''): string[] {
  if (Array.isArray(given) && Array.isArray(kept)) return given.flatMap((g, i) => extraPaths(g, kept[i], `${at}[${i}]`));
  if (given === null || typeof given !== 'object' || kept === null || typeof kept !== 'object') return [];
  const k = kept as Record<string, unknown>;
  return Object.entries(given).flatMap(([key, v]) => {
    const p = at === '' ? key : `${at}.${key}`;
    return key in k ? extraPaths(v, k[key], p) : [p];
  });
}

/** The entry with its data parsed by its type's schema, or the reason it does not parse. */
export function parseRecord<T extends LedgerType>(entry: LedgerEntry & { type: T }): { ok: true; entry: TypedEntry<T> } | { ok: false; problem: string } {
  const parsed = (RECORD_SCHEMAS[entry.type] as z.ZodType).safeParse(entry.data);
  if (parsed.success) return { ok: true, entry: { ...entry, data: parsed.data as RecordData<T> } };
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`);
  return { ok: false, problem: `ledger entry ${entry.seq} (${entry.type}) is not a valid record: ${problems.join('; ')}` };
}

/** Narrows an entry to one type. */
export function isType<T extends LedgerType>(entry: LedgerEntry, type: T): entry is LedgerEntry & { type: T } {
  return entry.type === type;
}

/** The entries of one type whose data parses, typed; the ones that do not parse are left out (see parseRecord). */
export function recordsOf<T extends LedgerType>(entries: readonly LedgerEntry[], type: T): Array<TypedEntry<T>> {
  const out: Array<TypedEntry<T>> = [];
  for (const e of entries) {
    if (!isType(e, type)) continue;
    const parsed = parseRecord(e);
    if (parsed.ok) out.push(parsed.entry);
  }
  return out;
}
