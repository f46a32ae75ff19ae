import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from '../util/sharp.ts';
import type { Profile } from '../../protocol/src/profile.ts';
import type { Output } from '../../protocol/src/results.ts';
import { expandTemplate } from '../config.ts';
import { classifyFile } from '../pipeline/classify.ts';
import { pixelSource } from '../pipeline/pixels.ts';
import { rightsFromProfile } from '../pipeline/stamp.ts';
import { applyJpegTemplate, assertCarriesTemplate, stampTemplate } from '../pipeline/stamp-template.ts';
import { signOutput } from '../c2pa/sign.ts';
import { produceAtomic } from '../util/atomic.ts';
import { canonicalJson, sha256File, sha256Hex } from '../util/hash.ts';
import { renderContactSheet } from './contact-sheet.ts';
import type { FileOutcome } from './process-files.ts';
import { groupTextureSets } from './texture-sets.ts';

export interface PublicOptions {
  publicDir: string;
  /** Cache of rendered contact sheets inside the work area, keyed by content. */
  sheetCache: string;
  /** Holds the signing identity for Content Credentials; default: the config dir of the environment. */
  configDir?: string;
  profile: Profile;
  watermark: boolean;
}

/** Copies a file into place atomically unless an identical copy is already there. */
async function place(src: string, sha256: string, dest: string): Promise<void> {
  const existing = await sha256File(dest).catch(() => null);
  if (existing?.sha256 === sha256) return;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  await produceAtomic(dest, (tmp) => fs.copyFile(src, tmp));
}

/** For a map reused from an earlier run: decodes what sharp cannot read (EXR, HDR) through the pipeline's decoder, as a PNG. */
async function decodeForSheet(file: string): Promise<Buffer | null> {
  const cls = await classifyFile(file, 'pack');
  const px = await pixelSource(file, cls);
  if (px?.src == null || !('raw' in px.src)) return null;
  return sharp(px.src.raw, { raw: { width: px.src.width, height: px.src.height, channels: 3 } }).png().toBuffer();
}

/**
 * public/: the previews (written in place by the pipeline: listed here) and one labelled contact sheet per texture
 * material, stamped with the rights metadata. Removes what an earlier run left that this one did not make.
 */
export async function writePublicOutputs(outcomes: FileOutcome[], opts: PublicOptions): Promise<Output[]> {
  const out: Output[] = [];
  for (const o of outcomes) {
    if (!o.ok) continue;
    const preview = o.result.outputs.find((x) => x.purpose === 'preview');
    if (preview != null) out.push(preview);
  }
  // Texture maps decoded in this run bring their thumbnail; maps reused from an earlier run are read again.
  const thumbOf = new Map(outcomes.flatMap((o) => (o.ok && o.thumbnail != null ? [[o.file.abs, o.thumbnail] as const] : [])));

  const textures = outcomes.flatMap((o) =>
    o.ok && o.result.input.kind === 'texture'
      ? [{ rel: o.file.rel, abs: o.file.abs, sha256: o.result.input.sha256, ...(o.result.input.role ? { role: o.result.input.role } : {}) }]
      : [],
  );
  const wm = opts.profile.preview.watermark;
  const watermark = opts.watermark && wm.placement !== 'none' ? expandTemplate(wm.text, opts.profile) : null;
  const rights = rightsFromProfile(opts.profile, 'digitalCreation');
  for (const set of groupTextureSets(textures)) {
    const shaOf = new Map(textures.map((t) => [t.rel, t.sha256]));
    const key = sha256Hex(canonicalJson({
      v: 3, material: set.material, maps: set.maps.map((m) => [m.label, shaOf.get(m.rel)]), watermark, opacity: wm.opacity,
      quality: opts.profile.preview.quality, rights,
    })).slice(0, 32);
    const cached = path.join(opts.sheetCache, `${key}.jpg`);
    let dims = await sharp(cached).metadata().then((m) => ({ width: m.width, height: m.height })).catch(() => null);
    if (dims == null) {
      const sheet = await renderContactSheet(set, {
        watermark, opacity: wm.opacity, placement: 'tiled', quality: opts.profile.preview.quality, decode: decodeForSheet, thumbnails: thumbOf,
      });
      await fs.mkdir(opts.sheetCache, { recursive: true });
      const template = await stampTemplate('jpeg', rights, opts.configDir);
      const label = `the contact sheet of ${set.material}`;
      await produceAtomic(cached, async (tmp) => {
        if (template.format !== 'jpeg') throw new Error('a JPEG stamp template was expected');
        await fs.writeFile(tmp, applyJpegTemplate(sheet.jpeg, template, label));
        // Sign: the sheet's Content Credential is the last write to it; the stamp must still be whole after it.
        await signOutput({ file: tmp, dest: cached, format: 'jpeg', role: 'master', rights }, { profile: opts.profile, ...(opts.configDir != null ? { configDir: opts.configDir } : {}) });
        assertCarriesTemplate(await fs.readFile(tmp), template, label);
      });
      dims = { width: sheet.width, height: sheet.height };
    }
    const { sha256, bytes } = await sha256File(cached);
    const dest = path.join(opts.publicDir, set.dir, `${set.material}.contact-sheet.jpg`);
    await place(cached, sha256, dest);
    out.push({ path: dest, visibility: 'public', purpose: 'contact-sheet', sha256, bytes, width: dims.width, height: dims.height, metadata: 'embedded' });
  }
  await removeStale(opts.publicDir, new Set(out.map((o) => o.path)));
  return out;
}

/** Deletes files a previous run left in public/ that this run did not produce (only inside public/). */
async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      await removeStale(p, keep);
      if ((await fs.readdir(p)).length === 0) await fs.rmdir(p);
    } else if (!keep.has(p)) await fs.rm(p, { force: true });
  }
}
