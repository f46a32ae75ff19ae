import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import { ColophonError } from '../errors.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { appendRecord } from '../ledger/records.ts';
import type { AssetLicensed } from '../../protocol/src/records.ts';
import type { AssetRecord } from './assets.ts';

/** Accepts YYYY-MM-DD or a full ISO timestamp; returns it normalised (date-only stays date-only). */
export function parseDateArg(value: string | undefined, what: string, now = new Date()): string {
  if (value == null || value === '') return now.toISOString().slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value) return value;
  } else {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime()) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return d.toISOString();
  }
  throw new ColophonError('INVALID_PARAMS', `${what} "${value}" is not a date. Use YYYY-MM-DD (e.g. 2026-11-23).`);
}

function parseUrlArg(value: string, what: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ColophonError('INVALID_PARAMS', `${what} "${value}" is not a URL. Give the full address, e.g. https://www.artstation.com/artwork/abc123.`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ColophonError('INVALID_PARAMS', `${what} "${value}" must be an http(s) address.`);
  }
  return u.toString();
}

function nonEmpty(value: string | undefined, what: string, max = 500): string {
  const v = (value ?? '').trim();
  if (v === '') throw new ColophonError('INVALID_PARAMS', `${what} is empty. Give a value.`);
  if (v.length > max) throw new ColophonError('INVALID_PARAMS', `${what} is longer than ${max} characters.`);
  return v;
}

export interface PublishInput {
  where: string;
  url: string;
  date?: string;
}

/** Appends `asset.published`: where and when the artist put this asset online. */
export function recordPublication(ledger: Ledger, asset: AssetRecord, input: PublishInput): Promise<LedgerEntry> {
  return appendRecord(ledger, 'asset.published', {
    assetId: asset.assetId,
    sha256: asset.data.input.sha256,
    where: nonEmpty(input.where, '--where'),
    url: parseUrlArg(input.url, '--url'),
    date: parseDateArg(input.date, '--date'),
  });
}

export interface LicenceInput {
  to: string;
  terms?: string;
  date?: string;
}

/** Appends `asset.licensed`, so a legitimate licensee is never mistaken for an infringer. */
export function recordLicence(ledger: Ledger, asset: AssetRecord, input: LicenceInput): Promise<LedgerEntry> {
  const data: AssetLicensed = {
    assetId: asset.assetId,
    sha256: asset.data.input.sha256,
    licensee: nonEmpty(input.to, '--to'),
    date: parseDateArg(input.date, '--date'),
  };
  if (input.terms != null) data.terms = nonEmpty(input.terms, '--terms', 4000);
  return appendRecord(ledger, 'asset.licensed', data);
}
