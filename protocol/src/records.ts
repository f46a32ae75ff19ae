import { z } from 'zod';
import type { LedgerType } from './ledger.ts';
import { CreatorSchema, DataMiningSchema, LicenceSchema } from './profile.ts';
import { InputInfoSchema, OutputSchema, RenderContextSchema, SourceSchema } from './results.ts';

// The `data` of each ledger entry type, and the pack's report.json. Writers validate against these before
// appending (server/ledger/records.ts), readers parse with them. Ledgers already on users' disks must keep
// reading: a field added after the first release is optional here, with a note saying so. Unknown fields are
// ignored when reading, and refused when writing (the writer compares what it was given with what parsed).

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const AssetId = z.string().regex(/^[0-9a-f]{16}$/);
/** YYYY-MM-DD, or a full ISO 8601 timestamp when the artist gave one. */
const DateArg = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[0-9:.]+Z)?$/);

/** The input as recorded. The .blend archiver records no `sourceRich`, so it is optional here. */
export const RecordedInputSchema = InputInfoSchema.extend({ sourceRich: z.boolean().optional() });
export type RecordedInput = z.infer<typeof RecordedInputSchema>;

/**
 * An output as recorded: the pipeline records path, visibility, purpose, hashes (and phash/credential when
 * there are); the .blend archiver records the whole Output, `metadata` included.
 */
export const RecordedOutputSchema = OutputSchema.extend({ metadata: OutputSchema.shape.metadata.optional() });
export type RecordedOutput = z.infer<typeof RecordedOutputSchema>;

export const ArchiveMemberSchema = z.object({ entry: z.string(), sha256: Sha256, bytes: z.number().int().nonnegative() });

/** `asset.recorded`: one asset, its outputs and the rights it went out under. */
export const AssetRecordedSchema = z.object({
  assetId: AssetId,
  source: SourceSchema,
  input: RecordedInputSchema,
  outputs: z.array(RecordedOutputSchema),
  creator: CreatorSchema,
  licence: LicenceSchema,
  dataMining: DataMiningSchema,
  noticeVersion: z.string(),
  termsVersion: z.string(),
  /** Blender's render context (F12 / animation from the add-on). */
  context: RenderContextSchema.optional(),
  warnings: z.array(z.string()).optional(),
  /** .blend archive only: every member of the zip with its hash. */
  files: z.array(ArchiveMemberSchema).optional(),
  /** .blend archive only: dependencies that could not be read, so are not in the zip. */
  missing: z.array(z.string()).optional(),
});
export type AssetRecorded = z.infer<typeof AssetRecordedSchema>;

/** `asset.published`: where and when the artist put the asset online. */
export const AssetPublishedSchema = z.object({
  assetId: AssetId,
  sha256: Sha256,
  where: z.string().min(1).max(500),
  url: z.url({ protocol: /^https?$/ }),
  date: DateArg,
});
export type AssetPublished = z.infer<typeof AssetPublishedSchema>;

/** `asset.licensed`: a legitimate licensee, so they are never mistaken for an infringer. */
export const AssetLicensedSchema = z.object({
  assetId: AssetId,
  sha256: Sha256,
  licensee: z.string().min(1).max(500),
  terms: z.string().min(1).max(4000).optional(),
  date: DateArg,
});
export type AssetLicensed = z.infer<typeof AssetLicensedSchema>;

export const OPTOUT_METHODS = ['form', 'email', 'setting', 'robots'] as const;
export const OPTOUT_STATUSES = ['accepted', 'refused', 'no-reply'] as const;
const OptoutId = z.string().regex(/^oo-[0-9a-f]{6}$/);

/** `optout.sent`: an opt-out request the artist sent to a platform. */
export const OptoutSentSchema = z.object({
  optoutId: OptoutId,
  platform: z.string().min(1),
  method: z.enum(OPTOUT_METHODS),
  date: DateArg,
  ref: z.string().min(1).optional(),
  note: z.string().min(1).optional(),
});
export type OptoutSent = z.infer<typeof OptoutSentSchema>;

/** `optout.response`: what the platform answered. */
export const OptoutResponseSchema = z.object({
  optoutId: OptoutId,
  status: z.enum(OPTOUT_STATUSES),
  date: DateArg,
  note: z.string().min(1).optional(),
});
export type OptoutResponse = z.infer<typeof OptoutResponseSchema>;

/** `notice.changed`: the site kit (robots.txt, TDMRep, licence files) written for the artist's website. */
export const NoticeChangedSchema = z.object({
  kind: z.literal('sitekit'),
  outDir: z.string(),
  noticeVersion: z.string(),
  termsVersion: z.string(),
  dataMining: DataMiningSchema,
  /** The date of the AI-crawler list the kit was written from. */
  crawlerList: z.string(),
  files: z.array(z.object({ path: z.string(), sha256: Sha256, bytes: z.number().int().nonnegative() })),
});
export type NoticeChanged = z.infer<typeof NoticeChangedSchema>;

/** `ledger.anchored`: an RFC 3161 time-stamp token over one entry's hash. */
export const LedgerAnchoredSchema = z.object({
  anchoredSeq: z.number().int().nonnegative(),
  anchoredHash: Sha256,
  digestAlgorithm: z.literal('sha256'),
  genTime: z.string(),
  /** Absent when the token carries none (serial and policy are required by RFC 3161, nonce is not). */
  serial: z.string().optional(),
  policy: z.string().optional(),
  nonce: z.string().optional(),
  signatureVerified: z.boolean(),
  replySha256: Sha256,
  /** The reply and request DER, base64. */
  reply: z.string(),
  request: z.string(),
  verifyWith: z.string(),
  /** Only when the signature was checked against a CA file. */
  caSha256: Sha256.optional(),
});
export type LedgerAnchored = z.infer<typeof LedgerAnchoredSchema>;

/** Every ledger entry type and the schema of its data. */
export const RECORD_SCHEMAS = {
  'asset.recorded': AssetRecordedSchema,
  'asset.published': AssetPublishedSchema,
  'asset.licensed': AssetLicensedSchema,
  'optout.sent': OptoutSentSchema,
  'optout.response': OptoutResponseSchema,
  'notice.changed': NoticeChangedSchema,
  'ledger.anchored': LedgerAnchoredSchema,
} as const satisfies Record<LedgerType, z.ZodType>;
export type RecordData<T extends LedgerType> = z.infer<(typeof RECORD_SCHEMAS)[T]>;

/** The def names in schema.json, one per entry type. */
export const RECORD_NAMES: Record<LedgerType, string> = {
  'asset.recorded': 'AssetRecorded',
  'asset.published': 'AssetPublished',
  'asset.licensed': 'AssetLicensed',
  'optout.sent': 'OptoutSent',
  'optout.response': 'OptoutResponse',
  'notice.changed': 'NoticeChanged',
  'ledger.anchored': 'LedgerAnchored',
};

export const FindingSchema = z.object({
  id: z.string(),
  severity: z.enum(['fail', 'warning', 'info']),
  message: z.string(),
  files: z.array(z.string()).optional(),
});

/** The pack's report.json. */
export const PackReportSchema = z.object({
  pack: z.string(),
  market: z.string(),
  marketLabel: z.string(),
  created: z.string(),
  /** true when no file failed and no check failed. */
  ok: z.boolean(),
  summary: z.object({
    files: z.number().int().nonnegative(),
    processed: z.number().int().nonnegative(),
    reused: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    previews: z.number().int().nonnegative(),
    contactSheets: z.number().int().nonnegative(),
    checksFailed: z.number().int().nonnegative(),
    warnings: z.number().int().nonnegative(),
  }),
  findings: z.array(FindingSchema),
  notChecked: z.array(z.string()),
  failures: z.array(z.object({ file: z.string(), code: z.string(), message: z.string() })),
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  public: z.array(z.string()),
  archive: z.object({ path: z.string(), sha256: Sha256, bytes: z.number().int().nonnegative() }).nullable(),
});
export type PackReport = z.infer<typeof PackReportSchema>;
