// A reader for the marker segments before a JPEG's first scan. Hand-written because it is a dozen lines over the
// JPEG framing (ITU T.81 B.1) and only has to find the segments Colophon itself put there; exiftool still reads
// and writes every field.

export interface JpegSegment {
  marker: number;
  /** The identifier string an APPn segment starts with (up to its NUL), e.g. 'Exif' or 'Photoshop 3.0'. */
  id: string;
  start: number;
  end: number;
  /** The whole segment, marker included. */
  bytes: Buffer;
}

/** The segments from SOI up to the first SOS (start of scan); throws when the framing is broken. */
export function readJpegSegments(jpeg: Buffer): JpegSegment[] {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const out: JpegSegment[] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) throw new Error(`JPEG framing broken at byte ${pos}`);
    const marker = jpeg[pos + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image: no more header segments
    const len = jpeg.readUInt16BE(pos + 2);
    const end = pos + 2 + len;
    if (len < 2 || end > jpeg.length) throw new Error(`JPEG segment at byte ${pos} runs past the end`);
    const body = jpeg.subarray(pos + 4, end);
    const nul = body.indexOf(0);
    const id = marker >= 0xe0 && marker <= 0xef && nul > 0 && nul < 64 ? body.toString('latin1', 0, nul) : '';
    out.push({ marker, id, start: pos, end, bytes: jpeg.subarray(pos, end) });
    pos = end;
  }
  return out;
}
