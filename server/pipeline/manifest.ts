import fs from 'node:fs/promises';
import path from 'node:path';
import type { AssetResult, Output } from '../../protocol/src/results.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { describeOutput } from './outputs.ts';

export const MANIFEST_NAME = 'manifest.json';

export interface Manifest {
  manifestVersion: 1;
  /** Hash of everything that decides the outputs (input hash, name, classification, profile rights, preview plan). */
  fingerprint: string;
  recordedAt: string;
  context?: unknown;
  result: AssetResult;
}

/** Writes manifest.json last: its presence marks a complete asset. Returns the manifest's own Output. */
export async function writeManifest(dir: string, m: Manifest): Promise<Output> {
  const file = path.join(dir, MANIFEST_NAME);
  await writeFileAtomic(file, JSON.stringify(m, null, 2) + '\n');
  return describeOutput(file, { visibility: 'private', purpose: 'manifest', metadata: 'none' });
}

/**
 * A previous run's manifest, if it was made from the same content with the same settings and every output it
 * lists is still there at its recorded size. Anything less means the asset is processed again.
 */
export async function readReusable(dir: string, fingerprint: string): Promise<Manifest | null> {
  let m: Manifest;
  try {
    m = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_NAME), 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (m.manifestVersion !== 1 || m.fingerprint !== fingerprint) return null;
  for (const o of m.result.outputs) {
    const st = await fs.stat(o.path).catch(() => null);
    if (st == null || st.size !== o.bytes) return null;
  }
  return m;
}
