// The dashboard end to end, in Debian's chromium (headless) driven by playwright-core: assets processed by the
// CLI beforehand, the one-time login, matching by drop, an opt-out, a pack's live progress, and the refusals.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import t from 'tap';
import { startTestDaemon, tempHome } from '../daemon/helpers.ts';
import { colophon, ensureDir, fakeRender, fakeTexture, fixtures, repo, screenshots } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
// Functions passed to page.evaluate run in the browser; the project compiles without the DOM library.
declare const document: any;
declare const DataTransfer: any;

interface Raw {
  status: number;
  body: string;
}
/** A request with exactly the headers given (fetch would not let a test set Origin). */
function raw(url: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

await fs.access(CHROMIUM).catch(() => {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does.`);
});
// The page is served from web/dist; build it so the test sees the current sources.
await promisify(execFile)(process.execPath, [path.join(repo, 'web/build.mjs')]);
await ensureDir(screenshots);

const home = await tempHome('colophon-dash-');
const inputs = await ensureDir(path.join(home, 'inputs'));
await fs.writeFile(path.join(home, 'config.json'), JSON.stringify({ creator: { name: 'Test Artist' } }));
const renders = [
  path.join(inputs, 'castle_at_dusk.png'),
  path.join(inputs, 'forest_shrine.png'),
  path.join(inputs, 'harbour_night.png'),
];
for (const [i, f] of renders.entries()) await fakeRender(f, 30 + i * 110);
const photo = path.join(fixtures, 'photos/DSCN0010.jpg');
const processed = JSON.parse((await colophon(home, ['process', ...renders, photo, '--json'])).stdout) as {
  results: Array<{ assetId: string; input: { path: string } }>;
};
t.equal(processed.results.length, 4, 'colophon process recorded four assets before the daemon starts');
const castleId = processed.results.find((r) => r.input.path.endsWith('castle_at_dusk.png'))!.assetId;
await colophon(home, ['publish', castleId, '--where', 'ArtStation', '--url', 'https://www.artstation.com/artwork/castle', '--date', '2026-11-20']);

const daemon = await startTestDaemon(home);
const origin = `http://127.0.0.1:${daemon.port}`;
// startTestDaemon rewrote config.json with the same creator; nothing else changes.
const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
t.teardown(async () => {
  await browser.close();
  await daemon.close();
});

async function loginUrl(): Promise<string> {
  const { stdout } = await colophon(home, ['dashboard', '--print-url']);
  const url = stdout.trim();
  t.match(url, new RegExp(`^${origin}/login\\?code=[0-9a-f]{64}$`), 'colophon dashboard --print-url prints a one-time login URL');
  return url;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

let ctx: BrowserContext;
let page: Page;
let firstUrl: string;

t.test('the one-time URL logs in and the page shows the assets colophon process recorded', async (t) => {
  firstUrl = await loginUrl();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(firstUrl);
  t.equal(new URL(page.url()).pathname, '/', 'redirected to the dashboard');
  t.notOk(page.url().includes('code='), 'the code is gone from the address bar');
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'colophon_session');
  t.ok(session, 'a session cookie was set');
  t.equal(session?.httpOnly, true, 'HttpOnly');
  t.equal(session?.sameSite, 'Strict', 'SameSite=Strict');
  await page.getByRole('heading', { name: 'Now', level: 1 }).waitFor();
  await page.getByText('chain verified', { exact: false }).or(page.getByText('ledger verified')).first().waitFor();
  await page.getByText('castle_at_dusk.png').first().waitFor();
  await shot(page, '01-now');

  await page.getByRole('link', { name: 'Assets' }).click();
  // The Now page links recent assets too: look for the list only once the Assets page has replaced it.
  await page.getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
  for (const f of ['castle_at_dusk.png', 'forest_shrine.png', 'harbour_night.png', 'DSCN0010.jpg']) {
    await page.getByRole('link', { name: new RegExp(f.replace('.', '\\.')) }).waitFor();
  }
  // Thumbnails are real images decoded by the browser, not broken links.
  await page.waitForFunction(() => [...document.querySelectorAll('img.thumb')].length === 4 && [...document.querySelectorAll('img.thumb')].every((i) => (i as any).naturalWidth > 0));
  await shot(page, '02-assets');
  await page.getByLabel('Search by name, asset id or SHA-256').fill('shrine');
  await page.getByText('1 asset matching "shrine"').waitFor();
  t.equal(await page.locator('.asset-card').count(), 1, 'search by name narrows the list');
  await page.getByLabel('Search by name, asset id or SHA-256').fill(castleId.slice(0, 8));
  await page.getByText(`1 asset matching "${castleId.slice(0, 8)}"`).waitFor();
  await page.getByRole('link', { name: /castle_at_dusk/ }).click();
  await page.getByRole('heading', { name: 'castle_at_dusk.png', level: 1 }).waitFor();
  const report = page.frameLocator('iframe.report');
  await report.getByRole('heading', { name: `Evidence for asset ${castleId}` }).waitFor();
  await report.getByText('ArtStation').first().waitFor();
  await shot(page, '03-asset');
  t.same(errors, [], 'no script or CSP errors in the page');
});

t.test('the same URL a second time, no cookie, and a foreign Origin are refused and show no asset', async (t) => {
  const again = await browser.newContext();
  const p2 = await again.newPage();
  const res = await p2.goto(firstUrl);
  t.equal(res?.status(), 403, 'a used code is refused');
  t.notOk((await again.cookies()).some((c) => c.name === 'colophon_session'), 'no session cookie for a used code');
  await p2.goto(origin + '/');
  await p2.getByRole('heading', { name: 'Log in to the Colophon dashboard' }).waitFor();
  t.equal(await p2.getByText('castle_at_dusk').count(), 0, 'the page without a session shows no asset');
  await shot(p2, '00-refused');
  const api = await p2.request.get(origin + '/api/assets');
  t.equal(api.status(), 401, 'an API call without a session is refused');
  t.notOk((await api.text()).includes(castleId), 'and names no asset');
  await again.close();

  const cookie = (await ctx.cookies()).find((c) => c.name === 'colophon_session')!;
  const withCookie = { host: `127.0.0.1:${daemon.port}`, cookie: `colophon_session=${cookie.value}` };
  const ok = await raw(origin + '/api/assets', withCookie);
  t.equal(ok.status, 200, 'the session cookie alone reads the API');
  t.ok(ok.body.includes(castleId));
  const foreign = await raw(origin + '/api/assets', { ...withCookie, origin: 'http://evil.example' });
  t.equal(foreign.status, 403, 'a foreign Origin is refused even with the session cookie');
  t.notOk(foreign.body.includes(castleId), 'and sees no asset');
  const rebound = await raw(origin + '/api/assets', { ...withCookie, host: `evil.example:${daemon.port}` });
  t.equal(rebound.status, 403, 'a foreign Host (DNS rebinding) is refused');
  const noCsrf = await raw(origin + '/api/optouts', { ...withCookie, origin, 'content-type': 'application/json' }, 'POST', '{"platform":"X","method":"form"}');
  t.equal(noCsrf.status, 403, 'a state-changing request without the CSRF header is refused');
  t.notOk(foreign.body.includes('access-control'), 'no CORS');
  const login = await raw(firstUrl, { host: `127.0.0.1:${daemon.port}` });
  t.equal(login.status, 403, 'the used URL stays refused');
});

t.test('find copies: dropping a file shows what it copies, side by side, with the distance', async (t) => {
  const copy = await sharp(renders[1]!).resize(700).flop().jpeg({ quality: 70 }).toBuffer();
  await page.getByRole('link', { name: 'Find copies' }).click();
  await page.getByRole('heading', { name: 'Find copies' }).waitFor();
  const dt = await page.evaluateHandle((b64: string) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const d = new DataTransfer();
    d.items.add(new File([bytes], 'suspect-repost.jpg', { type: 'image/jpeg' }));
    return d;
  }, copy.toString('base64'));
  await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: dt });
  const verdict = page.getByTestId('match-distance');
  await verdict.waitFor();
  t.match(await verdict.textContent(), /distance \d+ of 64 bits/, 'the distance is shown');
  await page.locator('.match-row').getByRole('link', { name: 'forest_shrine.png', exact: true }).waitFor();
  t.match(await page.locator('.match-row').textContent(), /mirrored/, 'the mirrored copy is recognised as such');
  await page.waitForFunction(() => [...document.querySelectorAll('.match-row img')].length === 2 && [...document.querySelectorAll('.match-row img')].every((i) => (i as any).naturalWidth > 0));
  await shot(page, '04-find-copies');
});

t.test('opt-outs: record a request and its response', async (t) => {
  await page.getByRole('link', { name: 'Opt-outs' }).click();
  await page.getByRole('heading', { name: 'Platform checklist' }).waitFor();
  await page.getByRole('button', { name: 'Record a request to ArtStation' }).click();
  t.equal(await page.getByLabel('Platform').inputValue(), 'ArtStation', 'the checklist button fills the platform in');
  await page.getByLabel('How you asked').selectOption('setting');
  await page.getByLabel('Reference (ticket, e-mail subject)').fill('NoAI tag on the account');
  await page.getByRole('button', { name: 'Record request' }).click();
  const recorded = page.getByText(/Recorded request oo-[0-9a-f]{6}/);
  await recorded.waitFor();
  const id = /oo-[0-9a-f]{6}/.exec((await recorded.textContent()) ?? '')![0];
  await page.getByTestId('optout-requests').getByText(id).waitFor();
  await page.getByLabel('Their answer').selectOption('accepted');
  await page.getByRole('button', { name: 'Record response' }).click();
  await page.getByText(/Recorded the reply/).waitFor();
  await page.getByTestId('optout-requests').getByText('accepted').waitFor();
  const { stdout } = await colophon(home, ['optout', 'list', '--json']);
  t.match(stdout, id, 'the CLI sees the request the page recorded (same ledger)');
  await shot(page, '05-optouts');
});

t.test('a pack started from the page shows live progress, then its outcome', async (t) => {
  const pack = await ensureDir(path.join(home, 'RustyMetal'));
  const maps = ['albedo', 'normal', 'roughness', 'metallic', 'ao', 'height', 'emission', 'opacity'];
  for (const [i, m] of maps.entries()) await fakeTexture(path.join(pack, `rusty_metal_${m}.png`), i + 1, 1536);
  await page.getByRole('link', { name: /^Now/ }).click();
  await page.getByLabel('Pack folder or .zip (full path)').fill(pack);
  await page.getByRole('button', { name: 'Start pack' }).click();
  const progress = page.getByTestId('job-progress');
  await progress.first().waitFor({ timeout: 60_000 });
  const seen = new Set<string>();
  const done = page.locator('.finished li');
  const deadline = Date.now() + 180_000;
  while ((await done.count()) === 0 && Date.now() < deadline) {
    for (const txt of await progress.allTextContents()) seen.add(txt.trim());
    if (seen.size === 1) await shot(page, '06-pack-running');
    await page.waitForTimeout(100);
  }
  t.ok(seen.size >= 1, `progress was shown while the pack ran (${[...seen].join(', ')})`);
  t.match(await done.first().textContent(), /RustyMetal: 8 files done, 0 failed/, 'the outcome is shown when the job finishes');
  await page.getByText('Nothing is running').waitFor();
  await shot(page, '07-pack-done');
});

t.test('ledger: live verify state, anchor state and CSV export', async (t) => {
  await page.getByRole('link', { name: 'Ledger' }).click();
  await page.getByTestId('verify').waitFor();
  t.equal(await page.getByTestId('verify').textContent(), 'chain verified');
  await page.getByText('No trusted timestamp yet').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  const csv = await fs.readFile((await download.path())!, 'utf8');
  t.match(csv.split('\n')[0], /^\uFEFF?seq,ts,type,assetId/, 'the CSV has its header');
  t.ok(csv.includes(castleId), 'and the assets');
  await shot(page, '08-ledger');
  // Another process appends: the page re-verifies without a reload.
  const before = await page.locator('.stats .big').first().textContent();
  await colophon(home, ['publish', castleId, '--where', 'Mastodon', '--url', 'https://mastodon.art/@test/1']);
  await page.waitForFunction((b) => document.querySelector('.stats .big')?.textContent !== b, before, { timeout: 20_000 });
  t.pass('a ledger entry appended by the CLI shows up live');
});

t.test('site kit: generate, then download with what each file does', async (t) => {
  await page.getByRole('link', { name: 'Site kit' }).click();
  await page.getByRole('button', { name: 'Generate site kit' }).click();
  await page.getByText(/Written to/).waitFor();
  await page.getByText('Turns away known AI training crawlers').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download robots.txt' }).click()]);
  t.match(await fs.readFile((await download.path())!, 'utf8'), /User-agent: GPTBot/, 'robots.txt downloads');
  await shot(page, '09-sitekit');
});

t.test('a narrow window still works', async (t) => {
  await page.setViewportSize({ width: 420, height: 860 });
  await page.getByRole('link', { name: /^Now/ }).click();
  await page.getByRole('heading', { name: 'Protections coverage' }).waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  t.ok(overflow <= 1, `no sideways scrolling at 420 px (overflow ${overflow}px)`);
  await shot(page, '10-narrow-now');
  await page.getByRole('link', { name: 'Assets' }).click();
  await page.getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
  await page.getByRole('link', { name: /castle_at_dusk/ }).waitFor();
  await shot(page, '11-narrow-assets');
  await page.reload();
  await page.getByRole('heading', { name: 'Assets', level: 1 }).waitFor();
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content', 'the first Tab stop skips to the content');
  await ctx.close();
});
