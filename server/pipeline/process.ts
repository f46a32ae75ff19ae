import type { PreviewSettings, Profile } from '../../protocol/src/profile.ts';
import type { AssetResult, ProcessReport, RenderContext, Source } from '../../protocol/src/results.ts';
import type { Ledger } from '../ledger/ledger.ts';

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
  signal?: AbortSignal;
}

/** Where and with what a request runs. */
export interface PipelineEnv {
  profile: Profile;
  /** Output root: public/ and private/ are created below it. */
  outRoot: string;
  /** When given, every processed asset is recorded as `asset.recorded`. */
  ledger: Ledger | null;
}

export type ProgressFn = (done: number, total: number, current?: string) => void;

/** SPEC §4 on one file: classify → stamp → preview → hash → write → record. Throws ColophonError. */
export declare function processFile(inputPath: string, req: ProcessRequest, env: PipelineEnv): Promise<AssetResult>;

/** Files and folders (walked file by file); one Failure per bad input, the rest still processed. */
export declare function processPaths(
  paths: string[],
  req: ProcessRequest,
  env: PipelineEnv,
  onProgress?: ProgressFn,
): Promise<ProcessReport>;
