import { z } from 'zod';
import { LimitsSchema } from './limits.ts';

/** The nine final PLUS DataMining codes (IPTC Photo Metadata 2023.1). Draft codes are deliberately absent. */
export const DATA_MINING_CODES = [
  'DMI-UNSPECIFIED',
  'DMI-ALLOWED',
  'DMI-PROHIBITED-AIMLTRAINING',
  'DMI-PROHIBITED-GENAIMLTRAINING',
  'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING',
  'DMI-PROHIBITED',
  'DMI-PROHIBITED-SEECONSTRAINT',
  'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR',
  'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR',
] as const;
export const DataMiningSchema = z.enum(DATA_MINING_CODES);
export type DataMining = z.infer<typeof DataMiningSchema>;


export const DEFAULT_OTHER_CONSTRAINTS =
  'No use of this work for AI/ML training, text-and-data mining, dataset creation, model fine-tuning, ' +
  'embeddings, or the generation of synthetic or derivative outputs is permitted without a written licence. ' +
  'The rightsholder expressly reserves these rights under Article 4(3) of Directive (EU) 2019/790 (DSM Directive).';

export const CreatorSchema = z.object({
  name: z.string().min(1).max(200),
  email: z.email().optional(),
  url: z.url().optional(),
});
export type Creator = z.infer<typeof CreatorSchema>;

export const LicenceSchema = z.object({
  name: z.string().min(1).max(200),
  url: z.url().optional(),
  terms: z.string().max(4000).optional(),
});
export type Licence = z.infer<typeof LicenceSchema>;

export const WatermarkSchema = z.object({
  text: z.string().max(200).default('© {year} {creator}'),
  opacity: z.number().min(0).max(1).default(0.35),
  placement: z.enum(['corner', 'tiled', 'none']).default('corner'),
});

export const PreviewSettingsSchema = z.object({
  longEdge: z.number().int().min(64).max(8192).default(1600),
  format: z.enum(['jpeg', 'webp']).default('jpeg'),
  quality: z.number().int().min(1).max(100).default(82),
  watermark: WatermarkSchema.prefault({}),
});
export type PreviewSettings = z.infer<typeof PreviewSettingsSchema>;

/**
 * The profile (config.json). Every field has a default so `{}` is a working profile.
 * `creator` is optional here: the loader fills it from the OS user name and warns.
 */
export const ProfileSchema = z.object({
  creator: CreatorSchema.optional(),
  copyright: z.string().min(1).max(500).default('© {year} {creator}. All rights reserved.'),
  licence: LicenceSchema.prefault({ name: 'All rights reserved' }),
  dataMining: DataMiningSchema.default('DMI-PROHIBITED-AIMLTRAINING'),
  otherConstraints: z.string().min(1).max(4000).default(DEFAULT_OTHER_CONSTRAINTS),
  webStatement: z.url().optional(),
  noticeVersion: z.string().min(1).max(100).default('1'),
  termsVersion: z.string().min(1).max(100).default('1'),
  preview: PreviewSettingsSchema.prefault({}),
  output: z.object({ root: z.string().min(1).optional() }).prefault({}),
  /** Content Credentials (C2PA): a thumbnail inside the manifest only when asked; an RFC 3161 timestamp when a TSA is named. */
  credentials: z
    .object({
      thumbnail: z.boolean().default(false),
      tsaUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .prefault({}),
  server: z
    .object({
      host: z.literal('127.0.0.1').default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(7717),
    })
    .prefault({}),
  /** Sizes, counts, concurrency and timeouts (protocol/src/limits.ts); every one has a default. */
  limits: LimitsSchema.prefault({}),
}).strict();
export type ProfileInput = z.input<typeof ProfileSchema>;
export type ParsedProfile = z.infer<typeof ProfileSchema>;
/** A profile after loading: creator and output root always resolved. */
export type Profile = Omit<ParsedProfile, 'creator' | 'output'> & { creator: Creator; output: { root: string } };
