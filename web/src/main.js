import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, html, setCsrf } from './lib.js';
import { AssetPage } from './pages/asset.js';
import { AssetsPage } from './pages/assets.js';
import { LedgerPage } from './pages/ledger.js';
import { MatchPage } from './pages/match.js';
import { NowPage } from './pages/now.js';
import { OptoutsPage } from './pages/optouts.js';
import { SitekitPage } from './pages/sitekit.js';

const NAV = [
  ['now', 'Now'],
  ['assets', 'Assets'],
  ['ledger', 'Ledger'],
  ['optouts', 'Opt-outs'],
  ['match', 'Find copies'],
  ['sitekit', 'Site kit'],
];

function parseRoute() {
  const [page = 'now', arg] = location.hash.replace(/^#\/?/, '').split('/');
  return { page: NAV.some(([k]) => k === page) ? page : 'now', arg: arg == null ? undefined : decodeURIComponent(arg) };
}

/** One EventSource for the whole page: job queue, ledger state and finished jobs arrive as they happen. */
function useLive(enabled) {
  const [live, setLive] = useState({ jobs: [], verify: null, ledgerVersion: 0, finished: [], connected: false });
  useEffect(() => {
    if (!enabled) return undefined;
    const es = new EventSource('/api/events');
    es.addEventListener('open', () => setLive((l) => ({ ...l, connected: true })));
    es.addEventListener('error', () => setLive((l) => ({ ...l, connected: false })));
    es.addEventListener('jobs', (e) => setLive((l) => ({ ...l, jobs: JSON.parse(e.data) })));
    es.addEventListener('ledger', (e) => setLive((l) => ({ ...l, verify: JSON.parse(e.data), ledgerVersion: l.ledgerVersion + 1 })));
    es.addEventListener('finished', (e) => setLive((l) => ({ ...l, finished: [JSON.parse(e.data), ...l.finished].slice(0, 10) })));
    return () => es.close();
  }, [enabled]);
  return live;
}

function LoginNeeded({ error }) {
  return html`<main class="login-needed" id="main">
    <h1>Log in to the Colophon dashboard</h1>
    <p>${error?.status === 401 ? 'This browser has no dashboard session.' : `The dashboard could not start: ${error?.message}`}</p>
    <p>Run <code>colophon dashboard</code> in a terminal, or press <strong>Open dashboard</strong> in Blender's Colophon panel.
      Each link logs in once and expires after two minutes.</p>
  </main>`;
}

function VerifyBadge({ verify }) {
  if (verify == null) return html`<span class="badge">ledger: checking…</span>`;
  return verify.ok
    ? html`<span class="badge ok" title=${`head ${verify.head}`}>ledger verified · ${verify.entries} entries</span>`
    : html`<span class="badge bad">ledger BROKEN at entry ${verify.firstBadSeq}</span>`;
}

function App() {
  const [session, setSession] = useState(null);
  const [error, setError] = useState(null);
  const [route, setRoute] = useState(parseRoute());
  const live = useLive(session != null);

  useEffect(() => {
    api('/session').then(
      (s) => {
        setCsrf(s.csrf);
        setSession(s);
      },
      setError,
    );
    const onHash = () => {
      setRoute(parseRoute());
      document.getElementById('main')?.focus();
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (error != null) return html`<${LoginNeeded} error=${error} />`;
  if (session == null) return html`<p class="boot">Loading…</p>`;

  const running = live.jobs.length;
  const props = { live, session, arg: route.arg };
  const page =
    route.page === 'assets'
      ? route.arg != null
        ? html`<${AssetPage} ...${props} />`
        : html`<${AssetsPage} ...${props} />`
      : route.page === 'ledger'
        ? html`<${LedgerPage} ...${props} />`
        : route.page === 'optouts'
          ? html`<${OptoutsPage} ...${props} />`
          : route.page === 'match'
            ? html`<${MatchPage} ...${props} />`
            : route.page === 'sitekit'
              ? html`<${SitekitPage} ...${props} />`
              : html`<${NowPage} ...${props} />`;

  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
    <header class="top">
      <div class="brand"><span class="mark" aria-hidden="true">©</span> Colophon</div>
      <div class="who">${session.creator?.name} · v${session.version}</div>
      <div class="state" aria-live="polite">
        <${VerifyBadge} verify=${live.verify} />
        ${!live.connected ? html`<span class="badge warn">live updates paused</span>` : null}
      </div>
    </header>
    <div class="shell">
      <nav class="side" aria-label="Dashboard sections">
        <ul>
          ${NAV.map(([key, label]) => html`<li>
            <a href=${`#/${key}`} aria-current=${route.page === key ? 'page' : undefined}>
              ${label}${key === 'now' && running > 0 ? html` <span class="count" aria-label=${`${running} running`}>${running}</span>` : null}
            </a>
          </li>`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1">${page}</main>
    </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
