import { useState } from 'preact/hooks';
import { api, html } from '../lib.js';
import { Thumb } from './badges.js';

let nextKey = 1;

function Result({ r }) {
  return html`<li class="match-row">
    <figure class="match-side">
      ${r.url != null ? html`<img class="thumb l" src=${r.url} alt=${`The file you dropped: ${r.name}`} />` : null}
      <figcaption>Your file: <strong>${r.name}</strong></figcaption>
    </figure>
    <div class="verdict" role="status">
      ${r.pending
        ? html`<span class="muted">Comparing…</span>`
        : r.error != null
          ? html`<span class="chip bad">${r.error}</span>`
          : r.match == null
            ? html`<span class="chip muted">no recorded asset within ${r.threshold} bits</span>`
            : html`<span class="chip ${r.match.distance <= 4 ? 'bad' : 'warn'}" data-testid="match-distance">copies your asset · distance ${r.match.distance} of 64 bits</span>
                <span class="muted small">${r.match.transform} · matched on ${r.match.matchedOn}${r.match.lowDetail ? ' · low-detail image, may be chance' : ''}</span>`}
    </div>
    ${r.match != null
      ? html`<figure class="match-side">
          <a href=${`#/assets/${r.match.assetId}`}><${Thumb} card=${r.match.card} size="l" /></a>
          <figcaption>Recorded: <a href=${`#/assets/${r.match.assetId}`}>${r.match.card.name}</a>, first recorded ${new Date(r.match.summary.firstRecorded).toLocaleDateString()}</figcaption>
        </figure>`
      : html`<div class="match-side empty"></div>`}
  </li>`;
}

export function MatchPage() {
  const [rows, setRows] = useState([]);
  const [over, setOver] = useState(false);

  const run = (files) => {
    for (const file of files) {
      const key = nextKey++;
      const url = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
      setRows((rs) => [{ key, name: file.name, url, pending: true }, ...rs]);
      file
        .arrayBuffer()
        .then((buf) => api('/match', { method: 'POST', raw: buf, headers: { 'X-File-Name': encodeURIComponent(file.name) } }))
        .then(
          (r) => setRows((rs) => rs.map((x) => (x.key === key ? { ...x, ...r, name: file.name, pending: false } : x))),
          (e) => setRows((rs) => rs.map((x) => (x.key === key ? { ...x, error: e.message, pending: false } : x))),
        );
    }
  };

  return html`<h1>Find copies</h1>
    <p class="muted">Drop pictures you found online. Each is compared by perceptual hash with every image in your ledger (also mirrored and cropped);
      nothing leaves this machine.</p>
    <div class=${over ? 'dropzone over' : 'dropzone'} data-testid="dropzone"
      onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave=${() => setOver(false)}
      onDrop=${(e) => { e.preventDefault(); setOver(false); run([...(e.dataTransfer?.files ?? [])]); }}>
      <p><strong>Drop suspected copies here</strong></p>
      <p>or <input id="match-files" class="sr-only" type="file" multiple accept="image/*" onChange=${(e) => { run([...e.currentTarget.files]); e.currentTarget.value = ''; }} /><label class="button" for="match-files">choose files</label></p>
    </div>
    <ul class="matches" aria-live="polite">${rows.map((r) => html`<${Result} key=${r.key} r=${r} />`)}</ul>`;
}
