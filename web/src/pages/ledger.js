import { useEffect, useState } from 'preact/hooks';
import { api, ErrorNote, html, shortHash, when } from '../lib.js';

function AnchorState({ a, since }) {
  if (a == null) {
    return html`<p class="note warn">No trusted timestamp yet. Anchor the chain so a third party can date it: <code>colophon ledger anchor</code>, send the request to an RFC 3161 authority, then <code>colophon ledger anchor --import reply.tsr</code>.</p>`;
  }
  const stale = a.ageDays > 30;
  return html`<p class=${stale ? 'note warn' : 'note ok'}>
    Last RFC 3161 anchor: entry ${a.anchoredSeq}, stamped ${when(a.genTime)} (<strong>${a.ageDays} day${a.ageDays === 1 ? '' : 's'} ago</strong>)
    ${a.signatureVerified ? ' · signature checked' : ' · signature not checked against a CA'}.
    ${since > 0 ? ` ${since} entr${since === 1 ? 'y' : 'ies'} since then are not covered yet.` : ' Every entry is covered.'}
    ${stale ? ' Consider anchoring again.' : ''}
  </p>`;
}

export function LedgerPage({ live }) {
  const [v, setV] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/ledger').then(setV, setError);
  }, [live.ledgerVersion]);
  const verify = live.verify ?? v?.verify;
  return html`<h1>Ledger</h1>
    <${ErrorNote} error=${error} />
    ${v == null
      ? html`<p class="muted">Loading…</p>`
      : html`<section class="card">
          <div class="stats">
            <div><span class="big">${verify?.entries ?? v.entries}</span> entries</div>
            <div>${verify?.ok
              ? html`<span class="big ok" aria-hidden="true">✓</span> <span data-testid="verify">chain verified</span>`
              : html`<span class="big bad" aria-hidden="true">✗</span> <span data-testid="verify">broken at entry ${verify?.firstBadSeq}: ${verify?.problem}</span>`}</div>
            <div class="muted small">head <code>${shortHash(verify?.head)}</code><br />re-verified live whenever the ledger changes</div>
          </div>
          <${AnchorState} a=${v.lastAnchor} since=${v.sinceAnchor} />
          <p><a class="button" href="/api/ledger.csv" download="colophon-ledger.csv">Export CSV</a> <span class="muted small">one row per entry, for a spreadsheet</span></p>
          <h2>By type</h2>
          <ul class="chips">${Object.entries(v.byType).map(([t, n]) => html`<li class="chip">${t}: ${n}</li>`)}</ul>
        </section>
        <section class="card">
          <h2>Latest entries</h2>
          <div class="table-wrap">
            <table class="list">
              <thead><tr><th scope="col">seq</th><th scope="col">time</th><th scope="col">type</th><th scope="col">what</th></tr></thead>
              <tbody>${v.recent.map((e) => html`<tr>
                <td>${e.seq}</td><td>${when(e.ts)}</td><td>${e.type}</td>
                <td>${e.assetId != null ? html`<a href=${`#/assets/${e.assetId}`}>${e.what}</a>` : e.what}</td>
              </tr>`)}</tbody>
            </table>
          </div>
        </section>`}`;
}
