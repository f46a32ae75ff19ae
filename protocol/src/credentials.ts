import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** One `cawg.training-mining` entry as read from a credential. */
export const TrainingMiningUseSchema = z.object({
  use: z.string(),
  constraint_info: z.string().optional(),
});

/** What `colophon verify` and `credentials.verify` report about one file's Content Credential. */
export const CredentialReportSchema = z.object({
  /** The file checked (a `.c2pa` sidecar passed in is resolved to the file it belongs to). */
  path: z.string(),
  sha256: Sha256,
  /** Where the credential was found. */
  credential: z.enum(['embedded', 'sidecar', 'absent']),
  /** Present, structurally sound and bound to these bytes (a signer outside the trust list does not make it invalid). */
  valid: z.boolean(),
  /** True when the bytes differ from the signed ones; null when there is no readable credential to compare with. */
  changed: z.boolean().nullable(),
  /** The signer's certificate chains to the C2PA trust list. */
  trusted: z.boolean(),
  signer: z.object({ name: z.string().nullable(), issuer: z.string().nullable(), trusted: z.boolean() }).nullable(),
  /** RFC 3161 time of signing, when the signature carries one. */
  timestamp: z.string().nullable(),
  trainingMining: z.record(z.string(), TrainingMiningUseSchema).nullable(),
  creator: z.object({ name: z.string(), rights: z.string().optional(), webStatement: z.string().optional() }).nullable(),
  /** Validation failures other than trust (codes as the C2PA SDK names them). */
  problems: z.array(z.string()),
  /** One sentence for people. */
  summary: z.string(),
  /** Whether the evidence ledger has recorded a file with exactly these bytes. */
  ledger: z.object({ known: z.boolean(), assetId: z.string().optional(), seq: z.number().int().nonnegative().optional(), recordedAt: z.string().optional() }).optional(),
});
export type CredentialReport = z.infer<typeof CredentialReportSchema>;

// credentials.verify
export const CredentialsVerifyParamsSchema = z.object({ path: z.string().min(1).max(4096) }).strict();
export const CredentialsVerifyResultSchema = CredentialReportSchema;
