import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from '../../util/sharp.ts';
import { ColophonError } from '../../errors.ts';
import { runTool, ToolMissingError, VIPS } from './tool.ts';

/**
 * HEIC photos are HEVC-coded, and the libvips bundled with sharp has no HEVC decoder (patents). The system's
 * libvips (Debian libvips-tools, linked to libheif with libde265) decodes them; its output (the .v format, which
 * keeps the ICC profile) is turned into 8-bit sRGB here. Returns null when sharp can decode the file itself.
 */
export async function decodeHeifPreview(file: string, signal?: AbortSignal): Promise<{ raw: Buffer; width: number; height: number } | null> {
  const meta = await sharp(file).metadata();
  if (meta.compression !== 'hevc') return null;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-heif-'));
  try {
    const out = path.join(tmp, 'picture.v');
    try {
      await runTool(VIPS, ['copy', file, out], { signal });
    } catch (err) {
      if (err instanceof ToolMissingError) {
        throw new ColophonError(
          'UNSUPPORTED_FORMAT',
          `${file} is a valid HEIC/HEIF photo (HEVC-coded), and decoding it needs the vips command, which is not installed. Install the Debian/Ubuntu package ${VIPS.debianPackage} (apt install ${VIPS.debianPackage}) and process it again, or export the photo as JPEG.`,
          { cause: err },
        );
      }
      if (err instanceof ColophonError) throw err;
      throw new ColophonError('CORRUPT_FILE', `${file}: the HEIC/HEIF picture cannot be decoded (${(err as Error).message}). The file is damaged or truncated; copy it from the phone again.`, { cause: err });
    }
    const { data, info } = await sharp(out).toColourspace('srgb').flatten({ background: '#ffffff' }).removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    return { raw: data, width: info.width, height: info.height };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
