import { getExifTool } from '../pipeline/exiftool.ts';

/** What the original file already says about its author, place and camera (for the pre-flight report). */
export interface OriginalScan {
  gps: boolean;
  /** Tag names holding camera/lens serial numbers or the owner's name. */
  serials: string[];
  /** Tag names holding rights information (creator, copyright, usage terms, data-mining). */
  rights: string[];
  error?: string;
}

const GPS_TAGS = ['GPSLatitude', 'GPSLongitude', 'GPSPosition'];
const SERIAL_TAGS = ['SerialNumber', 'InternalSerialNumber', 'LensSerialNumber', 'CameraSerialNumber', 'BodySerialNumber', 'OwnerName', 'CameraOwnerName'];
const RIGHTS_TAGS = ['Copyright', 'Rights', 'CopyrightNotice', 'Artist', 'Creator', 'By-line', 'UsageTerms', 'DataMining', 'WebStatement', 'Marked', 'LicensorName'];

/** Reads privacy- and rights-relevant tags from an original with exiftool. Never throws. */
export async function scanOriginal(file: string): Promise<OriginalScan> {
  try {
    const args = ['-G1', '-n', ...[...GPS_TAGS, ...SERIAL_TAGS, ...RIGHTS_TAGS].map((t) => `-${t}`)];
    const got = (await getExifTool().readRaw(file, args)) as Record<string, unknown>;
    const present = (names: string[]) =>
      Object.keys(got).filter((k) => {
        const tag = k.split(':').pop() ?? k;
        const v = got[k];
        return names.includes(tag) && v != null && String(v).trim() !== '';
      });
    return { gps: present(GPS_TAGS).length > 0, serials: present(SERIAL_TAGS), rights: present(RIGHTS_TAGS) };
  } catch (err) {
    return { gps: false, serials: [], rights: [], error: (err as Error).message };
  }
}
