import { recordsOf } from '../ledger/records.ts';
import type { AssetRecord } from './assets.ts';

export interface AssetSummary {
  assetId: string;
  firstRecorded: string;
  firstRecordedSeq: number;
  inputName?: string;
  sha256?: string;
  kind?: string;
  creator?: string;
  licence?: string;
  dataMining?: string;
  noticeVersion?: string;
  termsVersion?: string;
  publications: Array<{ where: string; url: string; date: string; seq: number }>;
  licences: Array<{ licensee: string; terms?: string; date: string; seq: number }>;
  /** Set when someone holds a licence: check it before making any claim. */
  caution?: string;
}

/** What a dispute needs at a glance: who made it, when it was first recorded, where it went, who may use it. */
export function summarizeAsset(rec: AssetRecord): AssetSummary {
  const d = rec.data;
  const s: AssetSummary = {
    assetId: rec.assetId,
    firstRecorded: rec.first.ts,
    firstRecordedSeq: rec.first.seq,
    publications: [],
    licences: [],
  };
  if (d.input.path != null) s.inputName = d.input.path.split(/[\\/]/).pop();
  if (d.input.sha256 != null) s.sha256 = d.input.sha256;
  if (d.input.kind != null) s.kind = d.input.kind;
  if (d.creator?.name != null) s.creator = d.creator.name;
  if (d.licence?.name != null) s.licence = d.licence.name;
  if (d.dataMining != null) s.dataMining = d.dataMining;
  if (d.noticeVersion != null) s.noticeVersion = d.noticeVersion;
  if (d.termsVersion != null) s.termsVersion = d.termsVersion;
  for (const e of recordsOf(rec.entries, 'asset.published')) s.publications.push({ where: e.data.where, url: e.data.url, date: e.data.date, seq: e.seq });
  for (const e of recordsOf(rec.entries, 'asset.licensed')) {
    s.licences.push({ licensee: e.data.licensee, date: e.data.date, seq: e.seq, ...(e.data.terms != null ? { terms: e.data.terms } : {}) });
  }
  if (s.licences.length > 0) {
    s.caution = `Licensed to ${s.licences.map((l) => l.licensee).join(', ')}: check the copy is not theirs before making a claim.`;
  }
  return s;
}
