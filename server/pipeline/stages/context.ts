import path from 'node:path';
import type { PreviewSettings, Profile } from '../../../protocol/src/profile.ts';
import type { Output, RenderContext, Source } from '../../../protocol/src/results.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { Classification } from '../classify.ts';
import type { Pixels } from '../pixels.ts';
import type { PreviewPlan } from '../preview.ts';
import type { RightsStamp } from '../stamp.ts';

/** What one processing request asks for. */
export interface ProcessRequest {
  source: Source;
  context?: RenderContext;
  /** A display-referred rendition of the same picture: the preview is made from it, the master from the input. */
  display?: string;
  /** Per-request preview overrides (preview.export). */
  preview?: Partial<Omit<PreviewSettings, 'watermark'>> & { watermark?: Partial<PreviewSettings['watermark']> };
  /** 'auto' (default): presentation images get a preview, source-rich images a small tiled one, others none. */
  publicPreview?: 'auto' | 'always' | 'never';
  /** False: texture maps get no preview of their own (a pack shows them on a contact sheet instead). */
  texturePreviews?: boolean;
  /** Keep a thumbnail of this edge (px) of the picture, for a contact sheet, in the context. */
  thumbnailEdge?: number;
  signal?: AbortSignal;
}

/** Where an asset's outputs go, relative to the output root. */
export interface OutputLayout {
  /** Folder of the private master and its sidecars (and the asset's manifest). */
  privateDir: string;
  /** The public preview's path, given its extension ('jpg' or 'webp'). */
  previewFile: (ext: string) => string;
}

/** Where and with what a request runs. */
export interface PipelineEnv {
  profile: Profile;
  /** Output root: every output is written below it. */
  outRoot: string;
  /** When given, every processed asset is recorded as `asset.recorded`. */
  ledger: Ledger | null;
  /** Holds the signing identity for Content Credentials; default: the config dir of the environment. */
  configDir?: string;
}

export type ProgressFn = (done: number, total: number, current?: string) => void;

/** The input as read once: its hash, and its bytes when small enough to keep in memory for the later stages. */
export interface InputSnapshot {
  /** Absolute path. */
  file: string;
  sha256: string;
  bytes: number;
  /** The whole content (files up to IN_MEMORY_MAX_BYTES); null for larger files, which later stages stream. */
  data: Buffer | null;
  mtimeMs: number;
}

/**
 * One asset on its way through the stages. Each stage fills in what it learned, so no later stage (nor a caller
 * such as pack) reads, hashes, classifies or decodes the file again.
 */
export interface AssetContext {
  /** The file as the user named it (messages use this, never a temp name). */
  label: string;
  req: ProcessRequest;
  env: PipelineEnv;
  layout: OutputLayout;
  /** read-input */
  input: InputSnapshot;
  assetId: string;
  /** classify */
  cls?: Classification;
  display?: { cls: Classification; pixels: Pixels } | null;
  /** plan: everything that decides the outputs, hashed; the same fingerprint means earlier outputs are reused. */
  fingerprint?: string;
  plan?: PreviewPlan | null;
  photo?: boolean;
  rights?: RightsStamp;
  /** decode */
  width?: number;
  height?: number;
  preview?: { buffer: Buffer; width: number; height: number } | null;
  inputPhash?: string;
  thumbnail?: Buffer | null;
  /** write-outputs */
  outputs: Output[];
  warnings: string[];
  /** Asset folders this run created, removed again when the asset fails. */
  madeDirs: string[];
  ledgerSeq: number | null;
  /** Wall milliseconds per stage, for the benchmark's breakdown of where a file's time goes. */
  timings: Record<string, number>;
}

/** The default layout: `private/<assetId>/<name>` and `public/<assetId>/<stem>.preview.<ext>`. */
export function defaultLayout(assetId: string, name: string): OutputLayout {
  const stem = path.basename(name, path.extname(name));
  return {
    privateDir: path.join('private', assetId),
    previewFile: (ext) => path.join('public', assetId, `${stem}.preview.${ext}`),
  };
}
