// What the dashboard's pages show, folded from the ledger with the evidence module's own readers.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import type { AssetIndex, AssetRecord } from '../evidence/assets.ts';
import { summarizeAsset, type AssetSummary } from '../evidence/summary.ts';
import type { VerifyReport } from '../ledger/ledger.ts';
import { recordsOf } from '../ledger/records.ts';

interface Protections {
  /** How the rights stamp travels with the private master. */
  rights: 'embedded' | 'sidecar' | 'none';
  dataMining?: string;
  licence?: string;
  /** A Content Credential (C2PA) was recorded for one of the outputs. */
  credential: boolean;
}

export interface AssetCard {
  assetId: string;
  name: string;
  kind?: string;
  role?: string;
  source?: string;
  format?: string;
  width?: number;
  height?: number;
  sha256?: string;
  firstRecorded: string;
  hasPreview: boolean;
  /** Source-rich files (maps, .blend, EXR masters) get no full public preview by design. */
  sourceRich: boolean;
  publicDir?: string;
  privateDir?: string;
  protections: Protections;
  publications: AssetSummary['publications'];
  licences: AssetSummary['licences'];
}

export function publicPreview(rec: AssetRecord): string | undefined {
  return rec.data.outputs.find((o) => o.purpose === 'preview' && o.visibility === 'public' && o.path != null)?.path;
}

/** The manifest the pipeline writes beside the master says how each output was stamped. */
async function manifestOutputs(rec: AssetRecord): Promise<Array<{ purpose?: string; metadata?: string; path?: string }> | null> {
  const master = rec.data.outputs.find((o) => o.visibility === 'private' && o.path != null)?.path;
  if (master == null) return null;
  try {
    const m = JSON.parse(await fs.readFile(path.join(path.dirname(master), 'manifest.json'), 'utf8')) as { outputs?: unknown };
    return Array.isArray(m.outputs) ? (m.outputs as Array<{ purpose?: string; metadata?: string }>) : null;
  } catch {
    return null; // moved or deleted: fall back to what the ledger says
  }
}

async function protectionsOf(rec: AssetRecord): Promise<Protections> {
  const outs: Array<{ purpose?: string; metadata?: string; path?: string }> = (await manifestOutputs(rec)) ?? rec.data.outputs;
  const master = outs.find((o) => o.purpose === 'master' || o.purpose === 'archive');
  let rights: Protections['rights'] = 'none';
  if (outs.some((o) => o.purpose === 'sidecar') || master?.metadata === 'sidecar') rights = 'sidecar';
  // The pipeline fails a file rather than leave its master unstamped, so a recorded master without a
  // manifest to say otherwise carries the stamp.
  else if (master != null && master.metadata !== 'none') rights = 'embedded';
  const credential = outs.some((o) => o.purpose === 'credential' || (o.path ?? '').endsWith('.c2pa') || 'credential' in o);
  return {
    rights,
    credential,
    ...(rec.data.dataMining != null ? { dataMining: rec.data.dataMining } : {}),
    ...(rec.data.licence?.name != null ? { licence: rec.data.licence.name } : {}),
  };
}

export async function assetCard(rec: AssetRecord): Promise<AssetCard> {
  const s = summarizeAsset(rec);
  const d = rec.data;
  const pub = publicPreview(rec) ?? d.outputs.find((o) => o.visibility === 'public' && o.path != null)?.path;
  const priv = d.outputs.find((o) => o.visibility === 'private' && o.path != null)?.path;
  const card: AssetCard = {
    assetId: rec.assetId,
    name: s.inputName ?? rec.assetId,
    firstRecorded: s.firstRecorded,
    hasPreview: publicPreview(rec) != null,
    sourceRich: (d.input as { sourceRich?: boolean }).sourceRich === true,
    protections: await protectionsOf(rec),
    publications: s.publications,
    licences: s.licences,
  };
  if (d.input.kind != null) card.kind = d.input.kind;
  if (d.input.role != null) card.role = d.input.role;
  if (d.source != null) card.source = d.source;
  if (d.input.format != null) card.format = d.input.format;
  if (d.input.width != null) card.width = d.input.width;
  if (d.input.height != null) card.height = d.input.height;
  if (s.sha256 != null) card.sha256 = s.sha256;
  if (pub != null) card.publicDir = path.dirname(pub);
  if (priv != null) card.privateDir = path.dirname(priv);
  return card;
}

/** Name (any part, any case), assetId or SHA-256 (of the input or any output; a prefix will do). */
function matchesQuery(rec: AssetRecord, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (needle === '') return true;
  if (rec.assetId.startsWith(needle)) return true;
  const name = (rec.data.input.path ?? '').split(/[\\/]/).pop()?.toLowerCase() ?? '';
  if (name.includes(needle)) return true;
  if (/^[0-9a-f]{6,64}$/.test(needle)) {
    if (rec.data.input.sha256?.startsWith(needle)) return true;
    if (rec.data.outputs.some((o) => o.sha256?.startsWith(needle))) return true;
  }
  return false;
}

/** Newest first. */
export async function assetCards(index: AssetIndex, q = '', limit = 200): Promise<{ total: number; cards: AssetCard[] }> {
  const hits = [...index.assets.values()].filter((r) => matchesQuery(r, q)).reverse();
  return { total: hits.length, cards: await Promise.all(hits.slice(0, limit).map(assetCard)) };
}

interface Anchor {
  seq: number;
  anchoredSeq: number;
  genTime: string;
  ageDays: number;
  signatureVerified: boolean;
}

function lastAnchor(entries: LedgerEntry[], now = new Date()): Anchor | null {
  const e = recordsOf(entries, 'ledger.anchored').at(-1);
  if (e == null) return null;
  const { genTime, anchoredSeq, signatureVerified } = e.data;
  return { seq: e.seq, anchoredSeq, genTime, ageDays: Math.floor((now.getTime() - new Date(genTime).getTime()) / 86_400_000), signatureVerified };
}

export interface LedgerView {
  verify: VerifyReport;
  entries: number;
  byType: Record<string, number>;
  lastAnchor: Anchor | null;
  /** Entries appended after the last anchor (not yet covered by a trusted timestamp). */
  sinceAnchor: number;
  recent: Array<{ seq: number; ts: string; type: string; assetId?: string; what: string }>;
}

function describe(e: LedgerEntry): string {
  const d = e.data;
  const name = (p: unknown) => (typeof p === 'string' ? p.split(/[\\/]/).pop() : undefined);
  switch (e.type) {
    case 'asset.recorded':
      return `${name((d.input as { path?: string } | undefined)?.path) ?? d.assetId} recorded`;
    case 'asset.published':
      return `published on ${String(d.where)}`;
    case 'asset.licensed':
      return `licensed to ${String(d.licensee)}`;
    case 'optout.sent':
      return `opt-out sent to ${String(d.platform)} (${String(d.method)})`;
    case 'optout.response':
      return `opt-out ${String(d.optoutId)}: ${String(d.status)}`;
    case 'notice.changed':
      return `site notices regenerated${d.termsVersion != null ? ` (terms version ${String(d.termsVersion)})` : ''}`;
    case 'ledger.anchored':
      return `chain anchored at entry ${String(d.anchoredSeq)} (${String(d.genTime)})`;
    default:
      return e.type;
  }
}

export function ledgerView(all: LedgerEntry[], verify: VerifyReport, now = new Date()): LedgerView {
  const byType: Record<string, number> = {};
  for (const e of all) byType[e.type] = (byType[e.type] ?? 0) + 1;
  const anchor = lastAnchor(all, now);
  return {
    verify,
    entries: all.length,
    byType,
    lastAnchor: anchor,
    sinceAnchor: anchor == null ? all.length : all.length - 1 - anchor.anchoredSeq - 1,
    recent: all.slice(-40).reverse().map((e) => ({
      seq: e.seq,
      ts: e.ts,
      type: e.type,
      ...(typeof e.data.assetId === 'string' ? { assetId: e.data.assetId } : {}),
      what: describe(e),
    })),
  };
}

export interface Overview {
  assets: number;
  published: number;
  /** Monday-based weeks, oldest first, the last 12 including this one. */
  perWeek: Array<{ week: string; count: number }>;
  /** `preview` counts presentation assets (renders) with a public preview, out of `previewable`. */
  coverage: { total: number; rights: number; dataMining: number; credential: number; preview: number; previewable: number; published: number };
  timeline: Array<{ date: string; where: string; url: string; assetId: string; name: string }>;
}

function mondayOf(d: Date): Date {
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  m.setUTCDate(m.getUTCDate() - ((m.getUTCDay() + 6) % 7));
  return m;
}

export async function overview(index: AssetIndex, now = new Date()): Promise<Overview> {
  const recs = [...index.assets.values()];
  const cards = await Promise.all(recs.map(assetCard));
  const thisWeek = mondayOf(now).getTime();
  const weeks = Array.from({ length: 12 }, (_, i) => ({ week: new Date(thisWeek - (11 - i) * 7 * 86_400_000).toISOString().slice(0, 10), count: 0 }));
  for (const c of cards) {
    const i = 11 - Math.round((thisWeek - mondayOf(new Date(c.firstRecorded)).getTime()) / (7 * 86_400_000));
    if (i >= 0 && i < 12) weeks[i]!.count++;
  }
  const timeline = cards
    .flatMap((c) => c.publications.map((p) => ({ date: p.date, where: p.where, url: p.url, assetId: c.assetId, name: c.name })))
    .sort((a, b) => b.date.localeCompare(a.date));
  return {
    assets: cards.length,
    published: cards.filter((c) => c.publications.length > 0).length,
    perWeek: weeks,
    coverage: {
      total: cards.length,
      rights: cards.filter((c) => c.protections.rights !== 'none').length,
      dataMining: cards.filter((c) => (c.protections.dataMining ?? '').startsWith('DMI-PROHIBITED')).length,
      credential: cards.filter((c) => c.protections.credential).length,
      preview: cards.filter((c) => c.hasPreview && !c.sourceRich).length,
      previewable: cards.filter((c) => !c.sourceRich).length,
      published: cards.filter((c) => c.publications.length > 0).length,
    },
    timeline: timeline.slice(0, 50),
  };
}

/** What each site-kit file is for, in the artist's terms. */
export const SITEKIT_HELP: Record<string, string> = {
  'robots.txt': 'Put at your site root. Turns away known AI training crawlers by name; search engines keep access.',
  '.well-known/tdmrep.json': 'Put at /.well-known/tdmrep.json. The W3C TDMRep machine-readable reservation of text-and-data-mining rights.',
  'ai.txt': 'Put at your site root. Spawning\'s ai.txt: no media on the site may be used to train AI.',
  'headers/nginx.conf': 'nginx: adds the no-AI response headers (X-Robots-Tag, TDM-Reservation) to every response.',
  'headers/apache.htaccess': 'Apache: the same headers for .htaccess or a VirtualHost (needs mod_headers).',
  'headers/Caddyfile': 'Caddy: the same headers inside your site block.',
  'headers/netlify_headers': 'Netlify: save as _headers in the published folder.',
  'meta.html': 'Paste into the <head> of every page that shows your work (noai, noimageai, tdm-reservation).',
  'TERMS.md': 'Your terms page: what visitors may and may not do with your work, AI training included. Publish it and link it.',
};
