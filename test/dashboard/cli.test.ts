// `colophon dashboard` without a daemon, and how it picks the browser opener.
import t from 'tap';
import { browserCommand } from '../../server/dashboard/client.ts';
import { tempHome } from '../daemon/helpers.ts';
import { colophon } from './helpers.ts';

t.test('without a running daemon it says how to start one and exits 1', async (t) => {
  const home = await tempHome('colophon-dash-cli-');
  const err = await colophon(home, ['dashboard', '--print-url']).then(() => null, (e: { code?: number; stderr?: string; stdout?: string }) => e);
  t.equal(err?.code, 1);
  t.match(err?.stderr, /No Colophon daemon is running for .*colophon serve/);
  t.equal(err?.stdout, '', 'no URL is printed');
});

t.test('the browser opener per platform', async (t) => {
  t.same(browserCommand('darwin', {}), ['open', []]);
  t.same(browserCommand('win32', {}), ['cmd', ['/c', 'start', '']]);
  t.same(browserCommand('linux', { DISPLAY: ':0' }), ['xdg-open', []]);
  t.same(browserCommand('linux', { WAYLAND_DISPLAY: 'wayland-0' }), ['xdg-open', []]);
  t.equal(browserCommand('linux', {}), null, 'no desktop: the URL is printed instead');
});
