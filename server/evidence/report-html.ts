import type { AssetEvidence, EvidenceReport } from './report.ts';

/** Escapes text for HTML element content and quoted attributes. Every value from the ledger goes through it. */
function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const CSS = `
:root { --ink:#1b1b1b; --muted:#5b5b5b; --line:#d6d6d6; --ok:#14632c; --bad:#a11b1b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.meta { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; width: 13rem; }
table.list th { width: auto; }
code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; padding: .5rem; border: 1px solid var(--line); font-size: 12px; }
.asset { page-break-inside: avoid; }
.thumb { max-width: 100%; max-height: 22rem; border: 1px solid var(--line); display: block; margin: .5rem 0; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.note { border-left: 4px solid #c9a100; background: #fff8db; padding: .4rem .6rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { page-break-after: avoid; } tr, .asset { page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; } a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; }
  @page { margin: 14mm; }
}`;

function row(label: string, value: unknown, mono = false): string {
  if (value == null || value === '') return '';
  return `<tr><th>${esc(label)}</th><td${mono ? ' class="hash"' : ''}>${esc(value)}</td></tr>`;
}

function link(url: string): string {
  const safe = /^https?:\/\//i.test(url) ? url : '';
  return safe !== '' ? `<a href="${esc(safe)}">${esc(url)}</a>` : esc(url);
}

function listTable(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="meta">None recorded.</p>';
  return `<table class="list"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function assetSection(a: AssetEvidence, anchors: EvidenceReport['anchors']): string {
  const d = a.record.data;
  const s = a.summary;
  const inp = d.input;
  const dims = inp.width != null && inp.height != null ? `${inp.width} × ${inp.height}` : '';
  const thumb =
    a.thumbnail != null
      ? `<img class="thumb" alt="public preview of ${esc(s.inputName ?? a.record.assetId)}" src="${a.thumbnail.dataUri}">` +
        `<p class="meta">Thumbnail of the public preview <code>${esc(a.thumbnail.from)}</code>: ` +
        (a.thumbnail.intact ? '<span class="ok">file matches its recorded SHA-256</span>' : '<span class="bad">file no longer matches its recorded SHA-256</span>') +
        '.</p>'
      : `<p class="meta">${esc(a.thumbnailNote ?? 'No thumbnail.')}</p>`;
  const covering = anchors.filter((e) => e.data.anchoredSeq >= a.record.first.seq);
  const notice = a.noticeAtRecording;
  const ctx = d.context != null && Object.keys(d.context).length > 0 ? `<pre>${esc(JSON.stringify(d.context, null, 2))}</pre>` : '';
  return `<section class="asset">
<h2>Asset ${esc(a.record.assetId)}${s.inputName != null ? ` — ${esc(s.inputName)}` : ''}</h2>
${thumb}
<table>
${row('Asset id', a.record.assetId, true)}
${row('Original file', inp.path)}
${row('Kind / format', [inp.kind, inp.role, inp.format].filter((x) => x != null).join(' / '))}
${row('Size', dims)}
${row('Bytes', inp.bytes)}
${row('SHA-256 of the original', inp.sha256, true)}
${row('Perceptual hash (64-bit DCT)', inp.phash, true)}
${row('First recorded', `${a.record.first.ts} (ledger entry ${a.record.first.seq})`)}
${row('Recorded by', d.source)}
${row('Creator', [d.creator?.name, d.creator?.email, d.creator?.url].filter((x) => x != null).join(', '))}
${row('Licence', [d.licence?.name, d.licence?.url].filter((x) => x != null).join(' — '))}
${row('Data mining (PLUS)', d.dataMining)}
${row('Notice version in force', d.noticeVersion)}
${row('Terms version in force', d.termsVersion)}
${row('Site notice live at recording', notice != null ? `ledger entry ${notice.seq} of ${notice.ts} (terms version ${notice.data.termsVersion})` : 'none generated before this asset was recorded')}
${row('Trusted timestamps covering it', covering.length > 0 ? covering.map((e) => `${e.data.genTime} (RFC 3161, serial ${e.data.serial ?? 'none'})`).join('; ') : 'none yet: run `colophon ledger anchor`')}
</table>
${ctx !== '' ? `<h3>Render context</h3>${ctx}` : ''}
<h3>Files produced</h3>
${listTable(
  ['purpose', 'visibility', 'path', 'SHA-256', 'bytes'],
  d.outputs.map((o) => [esc(o.purpose), esc(o.visibility), `<code>${esc(o.path)}</code>`, `<span class="hash">${esc(o.sha256)}</span>`, esc(o.bytes)]),
)}
<h3>Publications</h3>
${listTable(['date', 'where', 'URL', 'ledger entry'], s.publications.map((p) => [esc(p.date), esc(p.where), link(p.url), esc(p.seq)]))}
<h3>Licences granted</h3>
${s.caution != null ? `<p class="note">${esc(s.caution)}</p>` : ''}
${listTable(['date', 'licensee', 'terms', 'ledger entry'], s.licences.map((l) => [esc(l.date), esc(l.licensee), esc(l.terms ?? ''), esc(l.seq)]))}
</section>`;
}

/** Large base64 blobs (timestamp tokens) are shortened for reading; the ledger file keeps them whole. */
function readableData(data: Record<string, unknown>): string {
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) shown[k] = typeof v === 'string' && v.length > 200 ? `${v.slice(0, 60)}… (${v.length} characters)` : v;
  return JSON.stringify(shown, null, 1);
}

/** One self-contained, printable HTML page: inline CSS, thumbnails as data: URIs, no scripts, no network. */
export function renderEvidenceHtml(r: EvidenceReport): string {
  const v = r.verify;
  const verifyLine = v.ok
    ? `<span class="ok">Chain verified</span>: ${esc(v.entries)} entries, head <code>${esc(v.head)}</code>.`
    : `<span class="bad">Chain BROKEN at entry ${esc(v.firstBadSeq)}</span>: ${esc(v.problem)}.`;
  const optouts = listTable(
    ['id', 'sent', 'platform', 'method', 'reference', 'replies', 'status'],
    r.optouts.map((o) => [
      `<code>${esc(o.id)}</code>`,
      esc(o.sentDate),
      esc(o.platform),
      esc(o.method),
      esc(o.ref ?? ''),
      o.responses.map((x) => `${esc(x.date)}: ${esc(x.status)}${x.note != null ? ` — ${esc(x.note)}` : ''}`).join('<br>'),
      o.overdue ? `<span class="bad">overdue (${esc(o.ageDays)} days, no reply)</span>` : esc(o.status),
    ]),
  );
  const notices = listTable(
    ['ledger entry', 'date', 'terms version', 'notice version', 'files (SHA-256)'],
    r.notices.map((n) => [
      esc(n.seq),
      esc(n.ts),
      esc(n.data.termsVersion),
      esc(n.data.noticeVersion),
      (Array.isArray(n.data.files) ? (n.data.files as Array<{ path: string; sha256: string }>) : [])
        .map((f) => `${esc(f.path)} <span class="hash">${esc(f.sha256)}</span>`)
        .join('<br>'),
    ]),
  );
  const anchors = listTable(
    ['ledger entry', 'time (from the authority)', 'covers entries', 'signature checked', 'verify with'],
    r.anchors.map((a) => [
      esc(a.seq),
      esc(a.data.genTime),
      `0–${esc(a.data.anchoredSeq)}`,
      a.data.signatureVerified === true ? 'yes (openssl, given CA)' : 'imprint and nonce only',
      `<code>${esc(a.data.verifyWith)}</code>`,
    ]),
  );
  const entries = r.entries
    .map(
      (e) =>
        `<tr><td>${esc(e.seq)}</td><td>${esc(e.ts)}</td><td>${esc(e.type)}</td><td class="hash">prev ${esc(e.prev)}<br>hash ${esc(e.hash)}</td></tr>` +
        `<tr><td colspan="4"><pre>${esc(readableData(e.data))}</pre></td></tr>`,
    )
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, noai, noimageai">
<title>${esc(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(r.title)}</h1>
<p class="meta">${r.creator != null ? `Rightsholder: ${esc(r.creator)} · ` : ''}Report generated ${esc(r.generated)} by Colophon from its evidence ledger.</p>
<p>${verifyLine}</p>
</header>
${r.assets.map((a) => assetSection(a, r.anchors)).join('\n')}
${r.unrecorded.length > 0 ? `<h2>Files not in the ledger</h2><ul>${r.unrecorded.map((f) => `<li><code>${esc(f)}</code></li>`).join('')}</ul>` : ''}
<h2>Opt-out requests and replies</h2>
${optouts}
<h2>Site notices (robots.txt, tdmrep.json, TERMS.md, …)</h2>
${notices}
<h2>Trusted timestamps (RFC 3161)</h2>
${anchors}
<h2>Ledger entries</h2>
<p class="meta">Each entry's hash is the SHA-256 of the canonical JSON (keys sorted) of its seq, ts, type, data and prev; prev is the hash of the entry before it, so changing any entry breaks every later link.</p>
<table class="list"><thead><tr><th>seq</th><th>time</th><th>type</th><th>chain</th></tr></thead><tbody>${entries}</tbody></table>
<h2>How to check this report</h2>
<ol>
<li>Recompute the chain: <code>colophon ledger verify</code> (exit 0 means every entry still matches its hash; it names the first altered entry otherwise).</li>
<li>Check a file against its recorded hash: <code>sha256sum &lt;file&gt;</code> and compare with the SHA-256 above.</li>
<li>Check a trusted timestamp: <code>openssl ts -verify -digest &lt;anchored hash&gt; -in &lt;reply.tsr&gt; -CAfile &lt;authority CA&gt;</code>; the reply is kept in the ledger entry and in the anchors folder.</li>
</ol>
</body>
</html>
`;
}
