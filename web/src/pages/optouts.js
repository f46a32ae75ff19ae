import { useEffect, useState } from 'preact/hooks';
import { api, day, ErrorNote, html } from '../lib.js';

const today = () => new Date().toISOString().slice(0, 10);

function StatusChip({ req, overdueDays }) {
  if (req == null) return html`<span class="chip muted">not requested</span>`;
  if (req.overdue) return html`<span class="chip bad">overdue · ${req.ageDays} days, no reply</span>`;
  const cls = req.status === 'accepted' ? 'ok' : req.status === 'refused' ? 'bad' : req.status === 'pending' ? 'warn' : 'muted';
  const label = req.status === 'pending' ? `pending · ${req.ageDays} of ${overdueDays} days` : req.status;
  return html`<span class=${`chip ${cls}`}>${label}</span>`;
}

function RequestForm({ data, platform, setPlatform, onDone }) {
  const [method, setMethod] = useState('form');
  const [ref, setRef] = useState('');
  const [date, setDate] = useState(today());
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api('/optouts', { method: 'POST', body: { platform, method, ref, date, note } });
      setOk(`Recorded request ${r.id} (ledger entry ${r.seq}).`);
      setRef('');
      setNote('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card form" onSubmit=${submit} aria-labelledby="req-h" id="request-form">
    <h2 id="req-h">Record a request</h2>
    <div class="row"><label for="oo-platform">Platform</label>
      <input id="oo-platform" list="oo-platforms" required value=${platform} onInput=${(e) => setPlatform(e.currentTarget.value)} />
      <datalist id="oo-platforms">${data.checklist.map((c) => html`<option value=${c.platform} />`)}</datalist></div>
    <div class="row"><label for="oo-method">How you asked</label>
      <select id="oo-method" value=${method} onChange=${(e) => setMethod(e.currentTarget.value)}>${data.methods.map((m) => html`<option value=${m}>${m}</option>`)}</select></div>
    <div class="row"><label for="oo-ref">Reference (ticket, e-mail subject)</label><input id="oo-ref" value=${ref} onInput=${(e) => setRef(e.currentTarget.value)} /></div>
    <div class="row"><label for="oo-date">Date sent</label><input id="oo-date" type="date" value=${date} onInput=${(e) => setDate(e.currentTarget.value)} /></div>
    <div class="row"><label for="oo-note">Note</label><input id="oo-note" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /></div>
    <button type="submit">Record request</button>
    ${ok != null ? html`<p class="note ok" role="status">${ok}</p>` : null}
    <${ErrorNote} error=${error} />
  </form>`;
}

function ResponseForm({ data, onDone }) {
  const open = data.requests;
  const [id, setId] = useState('');
  const [status, setStatus] = useState('accepted');
  const [date, setDate] = useState(today());
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [ok, setOk] = useState(null);
  const chosen = id || open.at(-1)?.id || '';
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api(`/optouts/${encodeURIComponent(chosen)}/response`, { method: 'POST', body: { status, date, note } });
      setOk(`Recorded the reply (ledger entry ${r.seq}).`);
      setNote('');
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card form" onSubmit=${submit} aria-labelledby="resp-h">
    <h2 id="resp-h">Record a response</h2>
    ${open.length === 0
      ? html`<p class="muted">Record a request first.</p>`
      : html`<div class="row"><label for="or-id">Request</label>
          <select id="or-id" value=${chosen} onChange=${(e) => setId(e.currentTarget.value)}>
            ${open.map((r) => html`<option value=${r.id}>${r.id} · ${r.platform} · ${r.sentDate}</option>`)}
          </select></div>
        <div class="row"><label for="or-status">Their answer</label>
          <select id="or-status" value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>${data.statuses.map((s) => html`<option value=${s}>${s}</option>`)}</select></div>
        <div class="row"><label for="or-date">Date</label><input id="or-date" type="date" value=${date} onInput=${(e) => setDate(e.currentTarget.value)} /></div>
        <div class="row"><label for="or-note">Note</label><input id="or-note" value=${note} onInput=${(e) => setNote(e.currentTarget.value)} /></div>
        <button type="submit">Record response</button>`}
    ${ok != null ? html`<p class="note ok" role="status">${ok}</p>` : null}
    <${ErrorNote} error=${error} />
  </form>`;
}

export function OptoutsPage({ live }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [platform, setPlatform] = useState('');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api('/optouts').then(setData, setError);
  }, [live.ledgerVersion, tick]);
  if (data == null) return html`<h1>Opt-outs</h1><${ErrorNote} error=${error} /><p class="muted">Loading…</p>`;
  const due = data.requests.filter((r) => r.overdue);
  return html`<h1>Opt-outs</h1>
    <p class="muted">Where to ask each platform not to train on your work, and what you asked when. A request with no reply after ${data.overdueDays} days is overdue. Platform facts checked ${data.checked}.</p>
    ${due.length > 0 ? html`<p class="note bad" role="status">${due.length} request${due.length === 1 ? ' is' : 's are'} overdue: ${due.map((r) => r.platform).join(', ')}.</p>` : null}
    <div class="grid2">
      <${RequestForm} data=${data} platform=${platform} setPlatform=${setPlatform} onDone=${() => setTick((t) => t + 1)} />
      <${ResponseForm} data=${data} onDone=${() => setTick((t) => t + 1)} />
    </div>
    <section class="card">
      <h2>Requests</h2>
      ${data.requests.length === 0
        ? html`<p class="muted">No requests recorded yet.</p>`
        : html`<div class="table-wrap"><table class="list" data-testid="optout-requests">
            <thead><tr><th scope="col">Id</th><th scope="col">Platform</th><th scope="col">Sent</th><th scope="col">How</th><th scope="col">Status</th></tr></thead>
            <tbody>${[...data.requests].reverse().map((r) => html`<tr>
              <td><code>${r.id}</code></td><td>${r.platform}</td><td>${day(r.sentDate)}</td><td>${r.method}${r.ref ? ` · ${r.ref}` : ''}</td>
              <td><${StatusChip} req=${r} overdueDays=${data.overdueDays} /></td>
            </tr>`)}</tbody>
          </table></div>`}
    </section>
    <section class="card">
      <h2>Platform checklist</h2>
      <div class="table-wrap">
        <table class="list checklist">
          <thead><tr><th scope="col">Platform</th><th scope="col">What it offers</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
          <tbody>${data.checklist.map((c) => html`<tr>
            <th scope="row">${c.platform}</th>
            <td>${c.offers}${c.where ? html`<div class="muted small">Where: ${c.where}</div>` : null}<div class="muted small">Limits: ${c.limits}</div></td>
            <td>${c.methods.length === 0 && c.request == null ? html`<span class="chip muted">nothing to request</span>` : html`<${StatusChip} req=${c.request} overdueDays=${data.overdueDays} />`}</td>
            <td>${c.methods.length > 0
              ? html`<button type="button" class="secondary small" aria-label=${`Record a request to ${c.platform}`} onClick=${() => {
                  setPlatform(c.platform);
                  document.getElementById('oo-platform')?.focus();
                }}>Record request</button>`
              : html`<span class="muted small">no opt-out offered</span>`}</td>
          </tr>`)}</tbody>
        </table>
      </div>
    </section>`;
}
