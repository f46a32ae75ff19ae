import fs from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry } from '../../protocol/src/ledger.ts';
import type { Profile } from '../../protocol/src/profile.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { sha256Hex } from '../util/hash.ts';
import { AI_CRAWLERS, AI_CRAWLERS_LIST_DATE, AI_CRAWLERS_SOURCE, SEARCH_CRAWLERS_KEPT } from './crawlers.ts';
import { termsMarkdown } from './terms.ts';

/** Image globs from Spawning's ai.txt generator, plus the 3D and HDR formats artists publish. */
const AI_TXT_GLOBS = [
  '*.bmp', '*.gif', '*.ico', '*.jpeg', '*.jpg', '*.png', '*.svg', '*.tif', '*.tiff', '*.webp', '*.eps', '*.ai', '*.indd',
  '*.heif', '*.raw', '*.psd', '*.cr2', '*.nef', '*.orf', '*.sr2',
  '*.exr', '*.hdr', '*.tga', '*.blend', '*.zip', '*.fbx', '*.obj', '*.glb', '*.gltf', '*.usd', '*.usdz', '*.abc', '*.stl', '*.ply',
  '*.mp4', '*.mov', '*.webm',
];

/** robots.txt product tokens, unique regardless of case (matching is case-insensitive), search crawlers left out. */
export function blockedCrawlers(): string[] {
  const seen = new Set<string>();
  const kept = new Set<string>(SEARCH_CRAWLERS_KEPT.map((t) => t.toLowerCase()));
  const out: string[] = [];
  for (const t of AI_CRAWLERS) {
    const k = t.toLowerCase();
    if (seen.has(k) || kept.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

export function robotsTxt(profile: Profile, date: string): string {
  const lines = [
    `# robots.txt written by Colophon for ${profile.creator.name} on ${date} (terms version ${profile.termsVersion}).`,
    `# AI crawler list: ${AI_CRAWLERS_SOURCE}, dated ${AI_CRAWLERS_LIST_DATE}. Regenerate with \`colophon sitekit\` to refresh it.`,
    '# Search engines keep access; AI training and AI data crawlers are refused.',
    '',
    ...blockedCrawlers().map((t) => `User-agent: ${t}`),
    'Disallow: /',
    '',
    '# Everyone else (search engines included) may crawl, but not train or fine-tune on this content.',
    '# Content-Signal (Cloudflare) and Content-Usage (IETF aipref draft) say AI training is not permitted: an express',
    '# reservation of text-and-data-mining rights under Article 4(3) of Directive (EU) 2019/790.',
    'User-agent: *',
    'Content-Signal: search=yes, ai-train=no',
    'Content-Usage: train-ai=n',
    'Allow: /',
    '',
  ];
  return lines.join('\n');
}

export function tdmrepJson(profile: Profile): string {
  const rule: Record<string, unknown> = { location: '/', 'tdm-reservation': 1 };
  if (profile.webStatement != null) rule['tdm-policy'] = profile.webStatement;
  return JSON.stringify([rule], null, 2) + '\n';
}

export function aiTxt(profile: Profile, date: string): string {
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

function headerPairs(profile: Profile): Array<[string, string]> {
  const pairs: Array<[string, string]> = [
    ['X-Robots-Tag', 'noai, noimageai'],
    ['tdm-reservation', '1'],
    ['Content-Usage', 'train-ai=n'],
  ];
  if (profile.webStatement != null) pairs.push(['tdm-policy', profile.webStatement]);
  return pairs;
}

const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function headerSnippets(profile: Profile, date: string): Record<string, string> {
  const pairs = headerPairs(profile);
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

export function metaSnippet(profile: Profile, date: string): string {
  const lines = [
    `<!-- Colophon ${date}: put these in the <head> of every page that shows your work. -->`,
    '<meta name="robots" content="noai, noimageai">',
    '<meta name="tdm-reservation" content="1">',
  ];
  if (profile.webStatement != null) lines.push(`<meta name="tdm-policy" content="${escAttr(profile.webStatement)}">`);
  return lines.join('\n') + '\n';
}

export interface SitekitFile {
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
export async function writeSitekit(outDir: string, profile: Profile, ledger: Ledger, now = new Date()): Promise<SitekitResult> {
  const date = now.toISOString().slice(0, 10);
  const contents: Record<string, string> = {
    'robots.txt': robotsTxt(profile, date),
    '.well-known/tdmrep.json': tdmrepJson(profile),
    'ai.txt': aiTxt(profile, date),
    ...headerSnippets(profile, date),
    'meta.html': metaSnippet(profile, date),
    'TERMS.md': termsMarkdown(profile, date),
  };
  const files: SitekitFile[] = [];
  for (const [rel, text] of Object.entries(contents)) {
    const full = path.join(outDir, rel);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await writeFileAtomic(full, text);
    files.push({ path: rel, sha256: sha256Hex(text), bytes: Buffer.byteLength(text) });
  }
  const entry = await ledger.append('notice.changed', {
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
