import { ExifTool } from 'exiftool-vendored';

let instance: ExifTool | null = null;

/** One shared exiftool process pool (stay_open), created on first use. */
export function getExifTool(): ExifTool {
  instance ??= new ExifTool({ maxProcs: 2, taskTimeoutMillis: 60_000, writeArgs: ['-overwrite_original'] });
  return instance;
}

/** Ends the pool; safe to call more than once. */
export async function closeExifTool(): Promise<void> {
  const et = instance;
  instance = null;
  if (et != null) await et.end();
}
