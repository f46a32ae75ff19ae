import { z } from 'zod';
import { LedgerEntrySchema } from './ledger.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { CreatorSchema, DataMiningSchema, LicenceSchema } from './profile.ts';
import { AssetResultSchema, OutputSchema, ProcessReportSchema, RenderContextSchema, SourceSchema } from './results.ts';
import { RpcErrorSchema } from './envelope.ts';

// Params are strict (a misspelt field is an error, not silently ignored); results are open so an
// older client keeps working when the daemon adds a field.

const MESSAGE = DEFAULT_LIMITS.message;
const FilePath = z.string().min(1).max(MESSAGE.maxPathChars);
const JobId = z.string().min(1).max(100);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const AssetId = z.string().regex(/^[0-9a-f]{16}$/);

/** Market profiles `pack.process` accepts (same list as the pack engine's MARKET_PROFILES). */
export const PACK_PROFILES = ['generic', 'superhive', 'gumroad', 'artstation', 'pond5'] as const;

// session.hello
export const HelloParamsSchema = z.object({
  protocol: z.literal(1),
  client: z.object({
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    blender: z.string().max(50).optional(),
  }).strict(),
}).strict();
export const HelloResultSchema = z.object({
  protocol: z.literal(1),
  server: z.object({ name: z.string(), version: z.string() }),
  profile: z.object({ creator: CreatorSchema, licence: LicenceSchema, dataMining: DataMiningSchema }),
  /** Profile problems the artist should fix (e.g. creator not set). */
  warnings: z.array(z.string()).optional(),
  /**
   * The profile's rights as finished text, so a client never keeps its own wording: the copyright line
   * (templates expanded), a short note for Blender's stamp metadata, and the LICENSE text to put inside a .blend.
   */
  rights: z.object({ copyright: z.string(), stampNote: z.string(), licenceText: z.string() }).optional(),
});

// asset.process
export const ProcessParamsSchema = z.object({
  paths: z.array(FilePath).min(1).max(MESSAGE.maxPaths),
  /** Default: "f12" when `context` is given (it came from a render), otherwise "cli". */
  source: SourceSchema.optional(),
  context: RenderContextSchema.strict().optional(),
  display: FilePath.optional(),
}).strict();
export const ProcessResultSchema = ProcessReportSchema;

// preview.export
export const PreviewExportParamsSchema = z.object({
  path: FilePath,
  longEdge: z.number().int().min(64).max(8192).optional(),
  format: z.enum(['jpeg', 'webp']).optional(),
  watermark: z.object({
    text: z.string().max(200).optional(),
    opacity: z.number().min(0).max(1).optional(),
    placement: z.enum(['corner', 'tiled', 'none']).optional(),
  }).strict().optional(),
}).strict();
export const PreviewExportResultSchema = AssetResultSchema;

// blend.archive
export const ArchiveParamsSchema = z.object({
  blend: FilePath,
  dependencies: z.array(FilePath).max(MESSAGE.maxDependencies),
  /** The .blend's file name inside the archive (default: its own), e.g. when `blend` is a temporary copy. */
  name: z.string().max(255).regex(/^[^/\\\0]+\.blend$/i, 'a plain file name ending in .blend').optional(),
  /**
   * A licensed copy of `blend` (its content plus a LICENSE text and rights properties) stored in the zip under
   * `blend`'s name. `blend` stays the original as it is on disk: it is what is hashed, named by the assetId and
   * recorded in the ledger; dependencies resolve against its folder. The copy appears nowhere else.
   */
  copy: FilePath.optional(),
}).strict();
export const ArchiveResultSchema = z.object({
  archive: OutputSchema,
  included: z.array(z.string()),
  missing: z.array(z.string()),
  assetId: AssetId,
});

// pack.process
export const PackParamsSchema = z.object({
  path: FilePath,
  profile: z.enum(PACK_PROFILES).optional(),
}).strict();
export const JobStartedSchema = z.object({ jobId: JobId });
export const PackResultSchema = ProcessReportSchema.extend({
  archive: OutputSchema,
  report: z.record(z.string(), z.unknown()),
});

// job.cancel
export const CancelParamsSchema = z.object({ jobId: JobId }).strict();
export const CancelResultSchema = z.object({ cancelled: z.boolean() });

// ledger.verify
export const VerifyParamsSchema = z.object({}).strict();
export const VerifyResultSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int().nonnegative(),
  head: Sha256,
  firstBadSeq: z.number().int().nonnegative().optional(),
  problem: z.string().optional(),
});

// ledger.query
export const QueryParamsSchema = z.object({
  assetId: AssetId.optional(),
  sha256: Sha256.optional(),
  limit: z.number().int().min(1).max(MESSAGE.maxQueryEntries).optional(),
}).strict();
export const QueryResultSchema = z.object({ entries: z.array(LedgerEntrySchema) });

// notifications (daemon → the connection that started the job)
export const JobProgressSchema = z.object({
  jobId: JobId,
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  current: z.string().optional(),
});
export const JobFinishedSchema = z.object({
  jobId: JobId,
  result: PackResultSchema.optional(),
  error: RpcErrorSchema.optional(),
});

// dashboard.login
export const DashboardLoginParamsSchema = z.object({}).strict();
export const DashboardLoginResultSchema = z.object({
  /** Open this in a browser on this machine: it works once, then the code is spent. */
  url: z.string().url(),
  expiresAt: z.string(),
});
