import { useEffect, useState } from 'preact/hooks';
import { api, day, ErrorNote, html, when } from '../lib.js';
import { Protections, Thumb } from './badges.js';

function OpenFolder({ id, which, dir }) {
  const [msg, setMsg] = useState(null);
  if (dir == null) return html`<span class="muted">none</span>`;
  return html`<code class="path">${dir}</code>
    <button type="button" class="secondary small" onClick=${async () => {
      try {
        const r = await api(`/assets/${id}/open`, { method: 'POST', body: { which } });
        setMsg(r.opened ? 'Opened in your file manager.' : 'No file manager to open here; the path is shown above.');
      } catch (e) { setMsg(e.message); }
    }}>Open ${which} folder</button>
    ${msg != null ? html`<span class="muted small" role="status">${msg}</span>` : null}`;
}

export function AssetPage({ arg, live }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    api(`/assets/${encodeURIComponent(arg)}`).then(setData, setError);
  }, [arg, live.ledgerVersion]);
  if (error != null) return html`<h1>Asset ${arg}</h1><${ErrorNote} error=${error} /><p><a href="#/assets">Back to assets</a></p>`;
  if (data == null || data.card.assetId !== arg) return html`<h1>Asset ${arg}</h1><p class="muted">Loading…</p>`;
  const c = data.card;
  const s = data.summary;
  return html`<p><a href="#/assets">← All assets</a></p>
    <h1>${c.name}</h1>
    <section class="asset-top">
      <${Thumb} card=${c} size="l" />
      <div class="asset-facts">
        <table class="facts">
          <tbody>
            <tr><th scope="row">Asset id</th><td><code>${c.assetId}</code></td></tr>
            <tr><th scope="row">Kind</th><td>${c.kind ?? 'unknown'}${c.role ? ` · ${c.role}` : ''}${c.format ? ` · ${c.format}` : ''}${c.width ? ` · ${c.width}×${c.height}` : ''}</td></tr>
            <tr><th scope="row">SHA-256</th><td><code class="hash">${c.sha256}</code></td></tr>
            <tr><th scope="row">First recorded</th><td>${when(c.firstRecorded)} (ledger entry ${s.firstRecordedSeq})</td></tr>
            <tr><th scope="row">Creator · licence</th><td>${s.creator ?? '—'} · ${s.licence ?? '—'}</td></tr>
            <tr><th scope="row">Public output</th><td><${OpenFolder} id=${c.assetId} which="public" dir=${c.publicDir} /></td></tr>
            <tr><th scope="row">Private output</th><td><${OpenFolder} id=${c.assetId} which="private" dir=${c.privateDir} /></td></tr>
          </tbody>
        </table>
        <h2>Protections carried</h2>
        <${Protections} p=${c.protections} />
        ${s.caution != null ? html`<p class="note warn">${s.caution}</p>` : null}
      </div>
    </section>
    <section class="grid2">
      <div class="card">
        <h2>Publications</h2>
        ${s.publications.length === 0 ? html`<p class="muted">None recorded.</p>` : html`<ul>${s.publications.map((p) => html`<li>${day(p.date)}: ${p.where} · <a href=${p.url} rel="noreferrer noopener" target="_blank">${p.url}</a></li>`)}</ul>`}
      </div>
      <div class="card">
        <h2>Licences</h2>
        ${s.licences.length === 0 ? html`<p class="muted">None recorded.</p>` : html`<ul>${s.licences.map((l) => html`<li>${day(l.date)}: ${l.licensee}${l.terms ? ` (${l.terms})` : ''}</li>`)}</ul>`}
      </div>
    </section>
    <section class="card">
      <h2>Evidence report</h2>
      <p class="muted small">The same report as <code>colophon evidence ${c.assetId}</code>: print it or save it as PDF for a dispute. <a href=${`/api/assets/${c.assetId}/evidence`} target="_blank" rel="noopener">Open it on its own page</a>.</p>
      <iframe class="report" src=${`/api/assets/${c.assetId}/evidence`} title=${`Evidence report for ${c.name}`}></iframe>
    </section>`;
}
