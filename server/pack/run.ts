import type { Output, ProcessReport } from '../../protocol/src/results.ts';
import type { PipelineEnv, ProgressFn } from '../pipeline/process.ts';

export const MARKET_PROFILES = ['generic', 'superhive', 'gumroad', 'artstation', 'pond5'] as const;
export type MarketProfile = (typeof MARKET_PROFILES)[number];

export interface PackOptions {
  /** Outputs go under <outDir>/<pack-name>/. */
  outDir: string;
  market: MarketProfile;
  env: Omit<PipelineEnv, 'outRoot'>;
  onProgress?: ProgressFn;
  signal?: AbortSignal;
}

export interface PackResult extends ProcessReport {
  archive: Output;
  /** The pre-flight report (report.json's content). */
  report: Record<string, unknown>;
}

/** Prepares a pack (folder or zip) for marketplace upload (issue 5). */
export declare function runPack(input: string, opts: PackOptions): Promise<PackResult>;
