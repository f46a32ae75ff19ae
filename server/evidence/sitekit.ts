import fs from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import type { Profile } from '../../protocol/src/profile.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { appendRecord } from '../ledger/records.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { sha256Hex } from '../util/hash.ts';
import { AI_CRAWLERS, AI_CRAWLERS_LIST_DATE, AI_CRAWLERS_SOURCE, AI_SEARCH_CRAWLERS, productToken, SEARCH_CRAWLERS_KEPT } from './crawlers.ts';
import { termsMarkdown } from './terms.ts';

/** Image globs from Spawning's ai.txt generator, plus the 3D and HDR formats artists publish. */
const AI_TXT_GLOBS = [
  '*.bmp', '*.gif', '*.ico', '*.jpeg', '*.jpg', '*.png', '*.svg', '*.tif', '*.tiff', '*.webp', '*.eps', '*.ai', '*.indd',
  '*.heif', '*.raw', '*.psd', '*.cr2', '*.nef', '*.orf', '*.sr2',
  '*.exr', '*.hdr', '*.tga', '*.blend', '*.zip', '*.fbx', '*.obj', '*.glb', '*.gltf', '*.usd', '*.usdz', '*.abc', '*.stl', '*.ply',
  '*.mp4', '*.mov', '*.webm',
];

/** How the site kit is written: the site's address (for RSL discovery) and whether AI search fetchers are refused too. */
export interface SitekitOptions {
  /** Origin of the artist's site, e.g. https://jane.example.org; default: the origin of creator.url or webStatement. */
  site?: string;
  /** Also refuse AI search/answer fetchers and say `ai-use=n` (default: they may fetch). */
  refuseAiSearch?: boolean;
}

/** What the kit says about AI use, decided by the profile's DataMining code (and the AI-search option). */
interface UsagePolicy {
  trainAi: boolean;
  /** Use as model input at answer time (aipref `ai-use`, Content-Signal `ai-input`, RSL `ai-input`). */
  aiUse: boolean;
  refuseTrainers: boolean;
  refuseAiSearch: boolean;
}

function usagePolicy(profile: Profile, opts: SitekitOptions = {}): UsagePolicy {
  const code = profile.dataMining;
  const trainAi = code === 'DMI-ALLOWED';
  // These two codes prohibit every mining use except (for the second) search indexing: AI input is refused too.
  const noAiUse = code === 'DMI-PROHIBITED' || code === 'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING' || opts.refuseAiSearch === true;
  return { trainAi, aiUse: !noAiUse, refuseTrainers: !trainAi, refuseAiSearch: noAiUse };
}

/** robots.txt tokens in their valid form, unique regardless of case (matching is case-insensitive). */
function blockedCrawlers(policy: Pick<UsagePolicy, 'refuseAiSearch'> = { refuseAiSearch: false }): string[] {
  const seen = new Set<string>();
  const kept = new Set<string>(SEARCH_CRAWLERS_KEPT.map((t) => t.toLowerCase()));
  if (!policy.refuseAiSearch) for (const t of AI_SEARCH_CRAWLERS) kept.add(t.toLowerCase());
  const out: string[] = [];
  for (const name of AI_CRAWLERS) {
    const t = productToken(name);
    const k = t.toLowerCase();
    if (t === '' || seen.has(k) || kept.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

/** Where license.xml will live: absolute when the site is known, else root-relative (the README says to fix it). */
function licenseUrl(profile: Profile, opts: SitekitOptions = {}): string {
  const site = opts.site ?? profile.creator.url ?? profile.webStatement;
  if (site == null) return '/license.xml';
  return new URL('/license.xml', site).href;
}

function contentUsage(p: UsagePolicy): string {
  return [`train-ai=${p.trainAi ? 'y' : 'n'}`, ...(p.aiUse ? [] : ['ai-use=n'])].join(', ');
}

function contentSignal(p: UsagePolicy): string {
  return `search=yes, ai-input=${p.aiUse ? 'yes' : 'no'}, ai-train=${p.trainAi ? 'yes' : 'no'}`;
}

function robotsTxt(profile: Profile, date: string, opts: SitekitOptions = {}): string {
  const policy = usagePolicy(profile, opts);
  const blocked = policy.refuseTrainers ? blockedCrawlers(policy) : [];
  const lines = [
    `# robots.txt written by Colophon for ${profile.creator.name} on ${date} (terms version ${profile.termsVersion}).`,
    `# AI crawler list: ${AI_CRAWLERS_SOURCE}, dated ${AI_CRAWLERS_LIST_DATE}. Regenerate with \`colophon sitekit\` to refresh it.`,
    `# Search engines and link-preview fetchers keep access (${SEARCH_CRAWLERS_KEPT.join(', ')}).`,
    policy.refuseAiSearch
      ? '# AI training crawlers and AI search/answer fetchers are refused.'
      : `# AI training and data crawlers are refused; AI search/answer fetchers (${AI_SEARCH_CRAWLERS.slice(0, 3).join(', ')} …) may fetch.`,
    '',
    ...(blocked.length > 0 ? [...blocked.map((t) => `User-agent: ${t}`), 'Disallow: /', ''] : []),
    '# Content signals: what the site owner allows once content has been fetched.',
    '#   search   - building a search index and showing links or short excerpts (not AI summaries)',
    '#   ai-input - giving the content to an AI model as input when it answers (retrieval, grounding)',
    '#   ai-train - training or fine-tuning an AI model',
    '# "yes" allows that use, "no" refuses it, a missing key says nothing either way. Every "no" below is an express',
    '# reservation of rights under Article 4 of Directive (EU) 2019/790 on copyright in the Digital Single Market.',
    '# Content-Usage says the same in the vocabulary of the IETF AI Preferences drafts (y = yes, n = no).',
    'User-agent: *',
    `Content-Signal: ${contentSignal(policy)}`,
    `Content-Usage: / ${contentUsage(policy)}`,
    'Allow: /',
    '',
    '# The licence terms in RSL (Really Simple Licensing) form.',
    `License: ${licenseUrl(profile, opts)}`,
    '',
  ];
  return lines.join('\n');
}

/** RSL 1.0: what may and may not be done with the site's content, in the rslstandard.org namespace. */
function licenseXml(profile: Profile, date: string, opts: SitekitOptions = {}): string {
  const p = usagePolicy(profile, opts);
  const prohibits = p.trainAi ? [] : p.aiUse ? ['ai-train'] : ['ai-train', 'ai-input'];
  const permits = ['search', ...(p.aiUse && !p.trainAi ? ['ai-index'] : []), ...(p.trainAi ? ['ai-all'] : [])];
  const x = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!-- Written by Colophon for ${x(profile.creator.name)} on ${date} (terms version ${x(profile.termsVersion)}, PLUS ${profile.dataMining}). -->`,
    '<rsl xmlns="https://rslstandard.org/rsl">',
    '  <content url="/">',
    '    <license>',
    `      <permits type="usage">${permits.join(' ')}</permits>`,
    ...(prohibits.length > 0 ? [`      <prohibits type="usage">${prohibits.join(' ')}</prohibits>`] : []),
    '    </license>',
    '  </content>',
    '</rsl>',
    '',
  ].join('\n');
}

function tdmrepJson(profile: Profile): string {
  const rule: Record<string, unknown> = { location: '/', 'tdm-reservation': 1 };
  if (profile.webStatement != null) rule['tdm-policy'] = profile.webStatement;
  return JSON.stringify([rule], null, 2) + '\n';
}

function aiTxt(profile: Profile, date: string): string {
  return [
    '# Spawning AI',
    `# ai.txt written by Colophon for ${profile.creator.name} on ${date}: no media on this site may be used to train AI.`,
    'User-agent: *',
    ...AI_TXT_GLOBS.map((g) => `Disallow: ${g}`),
    'Disallow: *',
    'Disallow: /',
    '',
  ].join('\n');
}

function headerPairs(profile: Profile, opts: SitekitOptions): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['X-Robots-Tag', 'noai, noimageai'],
    ['tdm-reservation', '1'],
    ['Content-Usage', contentUsage(usagePolicy(profile, opts))],
    ['Link', `<${licenseUrl(profile, opts)}>; rel="license"; type="application/rsl+xml"`],
  ];
  if (profile.webStatement != null) pairs.push(['tdm-policy', profile.webStatement]);
  return pairs;
}

const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function headerSnippets(profile: Profile, date: string, opts: SitekitOptions = {}): Record<string, string> {
  const pairs = headerPairs(profile, opts);
  const head = (where: string): string =>
    `# Colophon ${date}: reserve text-and-data mining and AI training on every response. ${where}\n` +
    `# Add "noarchive" to X-Robots-Tag if Bing should also not use pages for training (it hides Bing's cached copy).\n`;
  return {
    'headers/nginx.conf': head('Put these lines in your server { } block.') + pairs.map(([k, v]) => `add_header ${k} ${quote(v)} always;`).join('\n') + '\n',
    'headers/apache.htaccess':
      head('Add to .htaccess or the site\'s <VirtualHost> (needs mod_headers).') + '<IfModule mod_headers.c>\n' + pairs.map(([k, v]) => `  Header always set ${k} ${quote(v)}`).join('\n') + '\n</IfModule>\n',
    'headers/Caddyfile': head('Put this inside your site block.') + 'header {\n' + pairs.map(([k, v]) => `\t${k} ${quote(v)}`).join('\n') + '\n}\n',
    'headers/netlify_headers': head('Save as _headers in the folder Netlify publishes.') + '/*\n' + pairs.map(([k, v]) => `  ${k}: ${v}`).join('\n') + '\n',
  };
}

const escAttr = (v: string): string => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function metaSnippet(profile: Profile, date: string, opts: SitekitOptions = {}): string {
  const lines = [
    `<!-- Colophon ${date}: put these in the <head> of every page that shows your work. -->`,
    '<meta name="robots" content="noai, noimageai">',
    '<meta name="tdm-reservation" content="1">',
    `<link rel="license" type="application/rsl+xml" href="${escAttr(licenseUrl(profile, opts))}">`,
  ];
  if (profile.webStatement != null) lines.push(`<meta name="tdm-policy" content="${escAttr(profile.webStatement)}">`);
  return lines.join('\n') + '\n';
}

interface SitekitFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface SitekitResult {
  outDir: string;
  files: SitekitFile[];
  entry: LedgerEntry;
}

/** Writes the whole kit to outDir (atomically, file by file) and records `notice.changed` with every file's hash. */
export async function writeSitekit(outDir: string, profile: Profile, ledger: Ledger, now = new Date(), opts: SitekitOptions = {}): Promise<SitekitResult> {
  const date = now.toISOString().slice(0, 10);
  const contents: Record<string, string> = {
    'robots.txt': robotsTxt(profile, date, opts),
    'license.xml': licenseXml(profile, date, opts),
    '.well-known/tdmrep.json': tdmrepJson(profile),
    'ai.txt': aiTxt(profile, date),
    ...headerSnippets(profile, date, opts),
    'meta.html': metaSnippet(profile, date, opts),
    'TERMS.md': termsMarkdown(profile, date),
  };
  const files: SitekitFile[] = [];
  for (const [rel, text] of Object.entries(contents)) {
    const full = path.join(outDir, rel);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await writeFileAtomic(full, text);
    files.push({ path: rel, sha256: sha256Hex(text), bytes: Buffer.byteLength(text) });
  }
  const entry = await appendRecord(ledger, 'notice.changed', {
    kind: 'sitekit',
    outDir: path.resolve(outDir),
    noticeVersion: profile.noticeVersion,
    termsVersion: profile.termsVersion,
    dataMining: profile.dataMining,
    crawlerList: AI_CRAWLERS_LIST_DATE,
    files,
  });
  return { outDir, files, entry };
}
