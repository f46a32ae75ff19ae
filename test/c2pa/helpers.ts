import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { run } from '../helpers/pipeline-env.ts';

/** The vendored exiftool (13.x): an independent JUMBF/CBOR reader of C2PA manifests. */
const EXIFTOOL = path.resolve(import.meta.dirname, '../../node_modules/exiftool-vendored.pl/bin/exiftool');

/** exiftool's reading of a file's JUMBF/CBOR boxes, every copy of a tag kept (-G4 numbers the copies). */
export async function jumbfTags(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('perl', [EXIFTOOL, '-a', '-j', '-b', '-G4', '-JUMBF:all', '-CBOR:all', file], { maxBuffer: 64 << 20 });
  return (JSON.parse(stdout) as Array<Record<string, unknown>>)[0]!;
}

/** Values of one tag in the order exiftool met them (`:Tag`, `Copy1:Tag`, …). */
export function copies(tags: Record<string, unknown>, name: string): unknown[] {
  return Object.entries(tags)
    .filter(([k]) => k === `:${name}` || new RegExp(`^Copy\\d+:${name}$`).test(k))
    .sort(([a], [b]) => copyNo(a) - copyNo(b))
    .map(([, v]) => v);
}
const copyNo = (k: string) => (k.startsWith(':') ? 0 : Number(/^Copy(\d+):/.exec(k)![1]));

/**
 * Checks the active manifest's `c2pa.hash.data` against the bytes, independently of the C2PA SDK: the SHA-256
 * of the file without its excluded range (where the manifest store sits) must be the hash the manifest signs.
 * For a sidecar the whole file is hashed (no exclusions).
 */
export async function hashBindingHolds(asset: string, manifestFile = asset): Promise<{ holds: boolean; expected: string; actual: string }> {
  const tags = await jumbfTags(manifestFile);
  const hashes = copies(tags, 'Hash').map(String);
  const expected = hashes[hashes.length - 1]!.replace(/^base64:/, '');
  const bytes = await fs.readFile(asset);
  const starts = copies(tags, 'ExclusionsStart').map(Number);
  const lengths = copies(tags, 'ExclusionsLength').map(Number);
  let hashed = bytes;
  if (manifestFile === asset) {
    const start = starts[starts.length - 1]!;
    const length = lengths[lengths.length - 1]!;
    hashed = Buffer.concat([bytes.subarray(0, start), bytes.subarray(start + length)]);
  }
  const actual = createHash('sha256').update(hashed).digest('base64');
  return { holds: actual === expected, expected, actual };
}
