import type { LedgerEntry, LedgerType } from '../../protocol/src/ledger.ts';
import type { AssetLicensed, AssetPublished, AssetRecorded, NoticeChanged } from '../../protocol/src/records.ts';
import { isType, parseRecord, type TypedEntry } from '../ledger/records.ts';

const CSV_COLUMNS = ['seq', 'ts', 'type', 'assetId', 'file', 'sha256', 'creator', 'licence', 'dataMining', 'hash'] as const;

/**
 * RFC 4180 CSV (CRLF, quotes doubled) with a UTF-8 byte-order mark so spreadsheets read "©" right.
 * Cells that a spreadsheet would run as a formula get a leading apostrophe (a file name can start with "=").
 */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of entries) {
    const known = facts(e);
    rows.push(CSV_COLUMNS.map((c) => cell(field(e, c, known))).join(','));
  }
  return '\uFEFF' + rows.join('\r\n') + '\r\n';
}

/** The columns an entry fills, read through its type's schema; an entry that does not parse fills only the common ones. */
function facts(e: LedgerEntry): Partial<Record<(typeof CSV_COLUMNS)[number], string>> {
  const parsed = parseRecord(e);
  if (!parsed.ok) return typeof e.data.assetId === 'string' ? { assetId: e.data.assetId } : {};
  const t = parsed.entry as TypedEntry<LedgerType>;
  if (isType(t, 'asset.recorded')) {
    const d = t.data as AssetRecorded;
    return { assetId: d.assetId, file: d.input.path, sha256: d.input.sha256, creator: d.creator.name, licence: d.licence.name, dataMining: d.dataMining };
  }
  if (isType(t, 'asset.published') || isType(t, 'asset.licensed')) {
    const d = t.data as AssetPublished | AssetLicensed;
    return { assetId: d.assetId, sha256: d.sha256 };
  }
  if (isType(t, 'notice.changed')) return { dataMining: (t.data as NoticeChanged).dataMining };
  return {};
}

function field(e: LedgerEntry, column: (typeof CSV_COLUMNS)[number], known: ReturnType<typeof facts>): string {
  switch (column) {
    case 'seq': return String(e.seq);
    case 'ts': return e.ts;
    case 'type': return e.type;
    case 'hash': return e.hash;
    default: return known[column] ?? '';
  }
}

function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
