// Issue 12 item 14: damaged files get CORRUPT_FILE with a sentence that says what is broken, never a decoder's raw words.
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import t from 'tap';
import { FIXTURES } from '../helpers/fixtures.ts';
import { tempHome } from '../daemon/helpers.ts';
import { colophon } from './helpers.ts';

const home = await tempHome('colophon-corrupt-');
const dir = path.join(home, 'in');
await fs.mkdir(dir);

/** Flips one byte of the stored CRC of the first chunk of `type`. */
function breakCrc(png: Buffer, type: string): Buffer {
  const b = Buffer.from(png);
  for (let pos = 8; pos < b.length;) {
    const len = b.readUInt32BE(pos);
    if (b.toString('latin1', pos + 4, pos + 8) === type) {
      b[pos + 8 + len] = b[pos + 8 + len]! ^ 0xff;
      return b;
    }
    pos += 12 + len;
  }
  throw new Error(`no ${type} chunk`);
}

async function failures(files: string[]): Promise<Record<string, { code: string; message: string }>> {
  const r = await colophon(home, ['process', '--json', '--no-ledger', '--out', path.join(home, 'out'), ...files]);
  const report = JSON.parse(r.stdout) as { errors: Array<{ input: string; code: string; message: string }> };
  return Object.fromEntries(report.errors.map((e) => [path.basename(e.input), e]));
}

t.test('bad PNG checksums name the broken chunk instead of "(Unknown error)"', async (t) => {
  const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#abcdef' } }).png().toBuffer();
  await fs.writeFile(path.join(dir, 'bad-ihdr.png'), breakCrc(png, 'IHDR'));
  await fs.writeFile(path.join(dir, 'bad-idat.png'), breakCrc(png, 'IDAT'));
  const f = await failures([path.join(dir, 'bad-ihdr.png'), path.join(dir, 'bad-idat.png')]);
  t.equal(f['bad-ihdr.png']?.code, 'CORRUPT_FILE');
  t.match(f['bad-ihdr.png']?.message, /bad-ihdr\.png: the PNG is damaged: its IHDR chunk at byte 8 has a bad checksum \(CRC\)/);
  t.match(f['bad-idat.png']?.message, /its IDAT chunk at byte \d+ has a bad checksum/);
  for (const e of Object.values(f)) t.notMatch(e.message, /Unknown error|libpng/);
});

t.test('a damaged JPEG is described in words that do not change from run to run', async (t) => {
  const photo = await fs.readFile(path.join(FIXTURES, 'photos', 'DSCN0010.jpg'));
  await fs.writeFile(path.join(dir, 'cut-in-picture.jpg'), photo.subarray(0, photo.length >> 1));
  await fs.writeFile(path.join(dir, 'cut-in-header.jpg'), photo.subarray(0, 600));
  // The corrupt fixture three times over, beside good pictures: libvips' error buffer is shared by its threads, so
  // a message taken from it could read differently (or "Unknown error") depending on what finished alongside.
  const damaged = ['a', 'b', 'c'].map((n) => path.join(dir, `corrupted-${n}.jpg`));
  for (const f of damaged) await fs.copyFile(path.join(FIXTURES, 'photos', 'corrupted.jpg'), f);
  const good: string[] = [];
  for (let i = 0; i < 4; i++) {
    good.push(path.join(dir, `good-${i}.png`));
    await sharp({ create: { width: 900, height: 700, channels: 3, background: { r: 40 * i, g: 120, b: 200 } } }).png().toFile(good.at(-1)!);
  }
  const f = await failures([path.join(dir, 'cut-in-picture.jpg'), path.join(dir, 'cut-in-header.jpg'), ...damaged.flatMap((d, i) => [d, good[i]!]), good[3]!]);
  t.match(f['cut-in-picture.jpg']?.message, /cut-in-picture\.jpg: the JPEG is damaged: it ends before its end-of-image marker: the file was cut short at byte \d+/);
  t.match(f['cut-in-header.jpg']?.message, /cut-in-header\.jpg is a JPEG with no picture data \(it ends before the image scan\)/);
  const said = damaged.map((d) => f[path.basename(d)]?.message.replace(path.basename(d), 'corrupted.jpg'));
  t.match(said[0], /corrupted\.jpg: the JPEG is damaged: its compressed picture data \(from byte \d+ on\) is corrupt/);
  t.same(new Set(said).size, 1, 'the three copies get the same sentence');
  for (const e of Object.values(f)) {
    t.equal(e.code, 'CORRUPT_FILE');
    t.notMatch(e.message, /Unknown error|Vips|libjpeg|Corrupt JPEG data/);
  }
});

t.test('an EXR the decoder trips over is CORRUPT_FILE with a sentence, not a JavaScript error', async (t) => {
  const exr = await fs.readFile(path.join(FIXTURES, 'exr/GammaChart.exr'));
  await fs.writeFile(path.join(dir, 'cut.exr'), exr.subarray(0, 633)); // header intact, offset table cut
  const f = await failures([path.join(dir, 'cut.exr')]);
  t.equal(f['cut.exr']?.code, 'CORRUPT_FILE');
  t.match(f['cut.exr']?.message, /pixel data does not match what its header describes/);
  t.notMatch(f['cut.exr']?.message, /DataView|Cannot read properties|undefined/);
});

t.test('a truncated gzip or zstd .blend is CORRUPT_FILE', async (t) => {
  const plain = await fs.readFile(path.join(FIXTURES, 'blend/basic_file.blend'));
  const gz = zlib.gzipSync(plain);
  await fs.writeFile(path.join(dir, 'cut-gzip.blend'), gz.subarray(0, Math.floor(gz.length / 2)));
  const zst = await fs.readFile(path.join(FIXTURES, 'blend/basic_file_compressed_zstd.blend'));
  await fs.writeFile(path.join(dir, 'cut-zstd.blend'), zst.subarray(0, Math.floor(zst.length / 2)));
  await fs.writeFile(path.join(dir, 'whole-gzip.blend'), gz);
  const f = await failures([path.join(dir, 'cut-gzip.blend'), path.join(dir, 'cut-zstd.blend'), path.join(dir, 'whole-gzip.blend')]);
  t.equal(f['cut-gzip.blend']?.code, 'CORRUPT_FILE');
  t.match(f['cut-gzip.blend']?.message, /cut-gzip\.blend is truncated|cut-gzip\.blend is a gzip-compressed/);
  t.equal(f['cut-zstd.blend']?.code, 'CORRUPT_FILE');
  t.equal(f['whole-gzip.blend'], undefined, 'the complete gzip .blend is processed');
});
