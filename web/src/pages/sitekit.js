import { useEffect, useState } from 'preact/hooks';
import { api, ErrorNote, html } from '../lib.js';

export function SitekitPage() {
  const [info, setInfo] = useState(null);
  const [kit, setKit] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/sitekit').then(setInfo, setError);
  }, []);
  const generate = async () => {
    setBusy(true);
    setError(null);
    try {
      setKit(await api('/sitekit', { method: 'POST', body: {} }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const files = kit?.files ?? Object.entries(info?.help ?? {}).map(([path, help]) => ({ path, help }));
  return html`<h1>Site kit</h1>
    <p class="muted">Files for your own website that tell crawlers and AI companies your work is not for training, in every form they read.
      Generating records the new notices in the ledger, so later evidence can show what your site said and when.</p>
    <p><button type="button" onClick=${generate} disabled=${busy}>${busy ? 'Generating…' : kit != null ? 'Generate again' : 'Generate site kit'}</button>
      ${kit != null ? html`<span class="note ok" role="status"> Written to <code>${kit.outDir}</code> (ledger entry ${kit.ledgerSeq}).</span>` : null}</p>
    <${ErrorNote} error=${error} />
    <section class="card">
      <h2>${kit != null ? 'Your files' : 'What you get'}</h2>
      <ul class="kit">
        ${files.map((f) => html`<li>
          <div><code>${f.path}</code>${f.bytes != null ? html` <span class="muted small">${f.bytes} bytes</span>` : null}</div>
          <div class="small">${f.help}</div>
          ${kit != null ? html`<a class="button secondary small" href=${`/api/sitekit/file?path=${encodeURIComponent(f.path)}`} download aria-label=${`Download ${f.path}`}>Download</a>` : null}
        </li>`)}
      </ul>
    </section>`;
}
