import type { LedgerEntry } from '../../protocol/src/ledger.ts';

export const CSV_COLUMNS = ['seq', 'ts', 'type', 'assetId', 'file', 'sha256', 'creator', 'licence', 'dataMining', 'hash'] as const;

/**
 * RFC 4180 CSV (CRLF, quotes doubled) with a UTF-8 byte-order mark so spreadsheets read "©" right.
 * Cells that a spreadsheet would run as a formula get a leading apostrophe (a file name can start with "=").
 */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of entries) rows.push(CSV_COLUMNS.map((c) => cell(field(e, c))).join(','));
  return '\uFEFF' + rows.join('\r\n') + '\r\n';
}

function field(e: LedgerEntry, column: (typeof CSV_COLUMNS)[number]): string {
  const d = e.data as Record<string, any>;
  switch (column) {
    case 'seq': return String(e.seq);
    case 'ts': return e.ts;
    case 'type': return e.type;
    case 'hash': return e.hash;
    case 'assetId': return str(d.assetId);
    case 'file': return str(d.input?.path ?? d.file);
    case 'sha256': return str(d.input?.sha256 ?? d.sha256);
    case 'creator': return str(d.creator?.name ?? d.creator);
    case 'licence': return str(d.licence?.name ?? d.licence);
    case 'dataMining': return str(d.dataMining);
  }
}

function str(v: unknown): string {
  return v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function cell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
