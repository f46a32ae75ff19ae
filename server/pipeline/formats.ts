import type { Source } from '../../protocol/src/results.ts';
import type { SniffedFormat } from './sniff.ts';

/** What Colophon can do with one picture format. */
export interface FormatFacts {
  /** sharp (libvips) decodes it: classified by its pixels, previews made from it. */
  sharpReadable: boolean;
  /** The XMP rights stamp (IPTC Core/Extension, PLUS DataMining) goes inside the file, not only in a sidecar. */
  xmpEmbeddable: boolean;
  /** The media type a C2PA manifest is embedded with, or null when a credential can only sit beside the file. */
  c2paMime: string | null;
  /** EXIF Artist/Copyright and IPTC-IIM are standard places for rights too, so they are written as well. */
  legacyExifIptc: boolean;
}

export type PictureFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'avif' | 'heif';

/** The one table of picture formats; the sets below are read from it. */
export const FORMATS: Readonly<Record<PictureFormat, FormatFacts>> = {
  jpeg: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/jpeg', legacyExifIptc: true },
  png: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/png', legacyExifIptc: false },
  webp: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/webp', legacyExifIptc: false },
  tiff: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/tiff', legacyExifIptc: true },
  gif: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/gif', legacyExifIptc: false },
  avif: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/avif', legacyExifIptc: false },
  heif: { sharpReadable: true, xmpEmbeddable: true, c2paMime: 'image/heif', legacyExifIptc: false },
};

function where(test: (f: FormatFacts) => boolean): ReadonlySet<SniffedFormat> {
  return new Set((Object.keys(FORMATS) as PictureFormat[]).filter((name) => test(FORMATS[name])));
}

/** Formats sharp decodes (classification by pixels, previews). */
export const SHARP_READABLE = where((f) => f.sharpReadable);
/** Formats that carry the XMP rights stamp inside the file. */
export const XMP_EMBEDDABLE = where((f) => f.xmpEmbeddable);
/** Formats that also get EXIF Artist/Copyright and IPTC-IIM. */
export const LEGACY_EXIF_IPTC = where((f) => f.legacyExifIptc);
/** Format → media type for an embedded C2PA manifest (only the formats that can hold one). */
export const C2PA_MIME: Readonly<Partial<Record<string, string>>> = Object.fromEntries(
  (Object.keys(FORMATS) as PictureFormat[]).flatMap((name) => (FORMATS[name].c2paMime != null ? [[name, FORMATS[name].c2paMime]] : [])),
);

/** Where a file comes from when it is a presentation render (never a texture map, whatever its name says). */
export const PRESENTATION_SOURCES: ReadonlySet<Source> = new Set<Source>(['f12', 'animation', 'export']);
