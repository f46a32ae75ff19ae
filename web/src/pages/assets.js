import { useEffect, useState } from 'preact/hooks';
import { api, day, ErrorNote, html } from '../lib.js';
import { Protections, Thumb } from './badges.js';

export function AssetsPage({ live }) {
  const [q, setQ] = useState('');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const t = setTimeout(() => api(`/assets?q=${encodeURIComponent(q)}`).then(setData, setError), 200);
    return () => clearTimeout(t);
  }, [q, live.ledgerVersion]);

  return html`<h1>Assets</h1>
    <form role="search" class="search" onSubmit=${(e) => e.preventDefault()}>
      <label for="asset-q">Search by name, asset id or SHA-256</label>
      <input id="asset-q" type="search" value=${q} onInput=${(e) => setQ(e.currentTarget.value)} placeholder="e.g. castle, 6bfdabd4, 9f2c…" autocomplete="off" />
    </form>
    <${ErrorNote} error=${error} />
    ${data == null
      ? html`<p class="muted">Loading…</p>`
      : html`<p class="muted" role="status">${data.total === 0 ? (q ? `No asset matches "${q}".` : 'No assets recorded yet: render in Blender or run colophon process.') : `${data.total} asset${data.total === 1 ? '' : 's'}${q ? ` matching "${q}"` : ''}, newest first`}</p>
        <ul class="assets">
          ${data.cards.map((c) => html`<li class="asset-card" key=${c.assetId}>
            <a href=${`#/assets/${c.assetId}`} class="asset-link">
              <${Thumb} card=${c} />
              <span class="asset-name">${c.name}</span>
            </a>
            <div class="asset-meta">
              <span>${c.kind ?? 'file'}${c.role ? ` · ${c.role}` : ''}</span>
              <span class="muted"><code>${c.assetId}</code> · ${day(c.firstRecorded)}</span>
              ${c.publications.length > 0 ? html`<span>${c.publications.length} publication${c.publications.length === 1 ? '' : 's'}</span>` : null}
              ${c.licences.length > 0 ? html`<span>licensed to ${c.licences.map((l) => l.licensee).join(', ')}</span>` : null}
            </div>
            <${Protections} p=${c.protections} />
          </li>`)}
        </ul>`}`;
}
