import { useEffect, useState } from 'preact/hooks';
import { api, day, ErrorNote, fileName, html } from '../lib.js';
import { Coverage, WeekChart } from './charts.js';

const KIND_LABEL = { pack: 'Pack', f12: 'Render (F12)', animation: 'Animation frame', export: 'Public preview', archive: '.blend archive', watch: 'Watched file', cli: 'Processing' };
const MARKETS = ['generic', 'superhive', 'gumroad', 'artstation', 'pond5'];

function Job({ job }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const pct = job.total > 0 ? Math.round((job.done / job.total) * 100) : null;
  const title = `${KIND_LABEL[job.kind] ?? job.kind}: ${fileName(job.label) || job.label}`;
  return html`<li class="job">
    <div class="job-head">
      <strong>${title}</strong>
      <span class="muted">${job.running ? 'running' : 'waiting'}</span>
    </div>
    ${job.total != null
      ? html`<div class="progress-row">
          <progress max=${job.total} value=${job.done} aria-label=${`${title} progress`}>${pct}%</progress>
          <span class="num" data-testid="job-progress">${job.done} / ${job.total}</span>
        </div>`
      : html`<progress aria-label=${`${title} progress`}></progress>`}
    ${job.current != null ? html`<div class="muted small">now: ${fileName(job.current)}</div>` : null}
    <button type="button" class="secondary" disabled=${busy} onClick=${async () => {
      setBusy(true);
      try { await api(`/jobs/${job.jobId}/cancel`, { method: 'POST', body: {} }); } catch (e) { setError(e); setBusy(false); }
    }}>Cancel</button>
    <${ErrorNote} error=${error} />
  </li>`;
}

function PackForm() {
  const [path, setPath] = useState('');
  const [market, setMarket] = useState('generic');
  const [error, setError] = useState(null);
  const [started, setStarted] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api('/pack', { method: 'POST', body: { path, profile: market } });
      setStarted(r.jobId);
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="card form" onSubmit=${submit} aria-labelledby="pack-h">
    <h2 id="pack-h">Prepare an asset pack</h2>
    <p class="muted small">Same as <code>colophon pack</code>: stamps, previews and records every file, then zips the delivery.</p>
    <div class="pack-row">
    <div class="row">
      <label for="pack-path">Pack folder or .zip (full path)</label>
      <input id="pack-path" name="path" required value=${path} onInput=${(e) => setPath(e.currentTarget.value)} placeholder="/home/me/Packs/RustyMetal" />
    </div>
    <div class="row">
      <label for="pack-market">Marketplace</label>
      <select id="pack-market" value=${market} onChange=${(e) => setMarket(e.currentTarget.value)}>
        ${MARKETS.map((m) => html`<option value=${m}>${m}</option>`)}
      </select>
    </div>
    <button type="submit">Start pack</button>
    </div>
    ${started != null ? html`<p class="note" role="status">Pack job started; its progress shows above.</p>` : null}
    <${ErrorNote} error=${error} />
  </form>`;
}

export function NowPage({ live }) {
  const [ov, setOv] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/overview').then(setOv, setError);
  }, [live.ledgerVersion]);

  return html`<h1>Now</h1>
    <section aria-labelledby="jobs-h" class="card">
      <h2 id="jobs-h">Running jobs</h2>
      ${live.jobs.length === 0
        ? html`<p class="muted">Nothing is running. Renders from Blender and packs show here while they are processed.</p>`
        : html`<ul class="jobs" aria-live="polite">${live.jobs.map((j) => html`<${Job} key=${j.jobId} job=${j} />`)}</ul>`}
      ${live.finished.length > 0
        ? html`<h3>Finished</h3><ul class="finished">
            ${live.finished.map((f) => html`<li class=${f.error != null ? 'bad' : 'ok'}>
              ${fileName(f.label)}: ${f.error != null ? f.error : `${f.results} files done, ${f.errors} failed${f.archive ? ` · ${fileName(f.archive)}` : ''}`}
            </li>`)}
          </ul>`
        : null}
    </section>
    <${PackForm} />
    <${ErrorNote} error=${error} />
    ${ov == null
      ? null
      : html`<section class="grid2" aria-label="At a glance">
          <div class="card">
            <h2>At a glance</h2>
            <div class="stats">
              <div><span class="big">${ov.assets}</span> assets recorded</div>
              <div><span class="big">${ov.published}</span> published</div>
            </div>
            <${WeekChart} weeks=${ov.perWeek} />
          </div>
          <div class="card">
            <h2>Protections coverage</h2>
            <${Coverage} coverage=${ov.coverage} />
          </div>
          <div class="card span2">
            <h2>Publication timeline</h2>
            ${ov.timeline.length === 0
              ? html`<p class="muted">No publications recorded yet. Record one with <code>colophon publish &lt;assetId&gt; --where ArtStation --url …</code>.</p>`
              : html`<ol class="timeline">
                  ${ov.timeline.map((p) => html`<li>
                    <time datetime=${p.date}>${day(p.date)}</time>
                    <span class="dot" aria-hidden="true"></span>
                    <span><a href=${`#/assets/${p.assetId}`}>${p.name}</a> on <strong>${p.where}</strong> · <a href=${p.url} rel="noreferrer noopener" target="_blank">${p.url}</a></span>
                  </li>`)}
                </ol>`}
          </div>
        </section>`}`;
}
