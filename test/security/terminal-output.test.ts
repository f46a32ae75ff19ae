// Issue 12 item 10: file names and EXR attribute names with terminal escapes are printed as visible escapes.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import t from 'tap';
import { safeText } from '../../server/cli/safe-text.ts';
import { tempHome } from '../daemon/helpers.ts';
import { colophon } from './helpers.ts';

const ESC = '\x1b';

t.test('colophon process prints hostile file names and EXR attribute names escaped', async (t) => {
  const home = await tempHome('colophon-term-');
  const dir = path.join(home, 'in');
  await fs.mkdir(dir);
  // A title-setting OSC sequence, a screen clear and a bidi override in a file name.
  const name = `evil${ESC}]0;pwned\x07${ESC}[2J\u202Egnp.png`;
  await sharp({ create: { width: 32, height: 32, channels: 3, background: '#336699' } }).png().toFile(path.join(dir, name));
  // An EXR whose first attribute name carries a colour escape and has an impossible size.
  const exr = Buffer.concat([
    Buffer.from([0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0]),
    Buffer.from(`${ESC}[31mred\0int\0`, 'latin1'),
    Buffer.from([0xff, 0xff, 0x00, 0x00]),
  ]);
  await fs.writeFile(path.join(dir, 'attr.exr'), exr);
  const r = await colophon(home, ['process', '--no-ledger', '--out', path.join(home, 'out'), dir]);
  t.equal(r.code, 1, r.stderr);
  t.notOk(r.stdout.includes(ESC), 'no raw ESC reaches the terminal');
  t.notOk(r.stdout.includes('\x07') || r.stdout.includes('\u202E'), 'no BEL or bidi override either');
  t.match(r.stdout, /evil\\x1b\]0;pwned\\x07\\x1b\[2J\\u202egnp\.png/, 'the name is shown with visible escapes');
  t.match(r.stdout, /attribute "\\x1b\[31mred"/, 'the EXR attribute name is escaped');
  t.match(r.stdout, /1 processed, 1 failed\n$/, 'our own line breaks are kept');
});

t.test('safeText escapes controls and keeps ordinary Unicode', async (t) => {
  t.equal(safeText('Café_ünïcode 日本 ✓'), 'Café_ünïcode 日本 ✓');
  t.equal(safeText('a\nb\rc\td'), 'a\\nb\\rc\\td');
  t.equal(safeText('\x9b2J\x7f'), '\\x9b2J\\x7f');
});
