import fs from 'node:fs/promises';
import path from 'node:path';
import type { AssetResult, Output } from '../../protocol/src/results.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { describeOutput } from './outputs.ts';

const MANIFEST_NAME = 'manifest.json';
/** The manifest's name when one of the asset's own files is called manifest.json: an input is never overwritten. */
const MANIFEST_ALT_NAME = 'manifest.colophon.json';

/** Where an asset's manifest goes: manifest.json, unless the asset's master or sidecar already has that name. */
export function manifestFile(dir: string, result: AssetResult): string {
  const taken = result.outputs.some((o) => o.purpose !== 'manifest' && path.basename(o.path).toLowerCase() === MANIFEST_NAME);
  return path.join(dir, taken ? MANIFEST_ALT_NAME : MANIFEST_NAME);
}

export interface Manifest {
  manifestVersion: 1;
  /** Hash of everything that decides the outputs (input hash, name, classification, profile rights, preview plan). */
  fingerprint: string;
  recordedAt: string;
  context?: unknown;
  result: AssetResult;
}

/** Writes the manifest last: its presence marks a complete asset. Returns the manifest's own Output. */
export async function writeManifest(dir: string, m: Manifest): Promise<Output> {
  const file = manifestFile(dir, m.result);
  await writeFileAtomic(file, JSON.stringify(m, null, 2) + '\n');
  return describeOutput(file, { visibility: 'private', purpose: 'manifest', metadata: 'none' });
}

/**
 * A previous run's manifest, if it was made from the same content with the same settings and every output it
 * lists is still there at its recorded size. Anything less means the asset is processed again.
 */
export async function readReusable(dir: string, fingerprint: string): Promise<Manifest | null> {
  const m = (await readOurs(path.join(dir, MANIFEST_NAME), fingerprint)) ?? (await readOurs(path.join(dir, MANIFEST_ALT_NAME), fingerprint));
  if (m == null) return null;
  for (const o of m.result.outputs) {
    const st = await fs.stat(o.path).catch(() => null);
    if (st == null || st.size !== o.bytes) return null;
  }
  return m;
}

/** A manifest Colophon wrote for this fingerprint, or null (missing, someone else's manifest.json, other settings). */
async function readOurs(file: string, fingerprint: string): Promise<Manifest | null> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
    return m?.manifestVersion === 1 && m.fingerprint === fingerprint && m.result != null ? m : null;
  } catch {
    return null;
  }
}
