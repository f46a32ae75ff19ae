import { z } from 'zod';

export const SOURCES = ['f12', 'animation', 'export', 'archive', 'pack', 'watch', 'cli'] as const;
export const SourceSchema = z.enum(SOURCES);
export type Source = z.infer<typeof SourceSchema>;

export const KINDS = ['render', 'texture', 'hdri', 'blend', 'texture-pack', 'model', 'video', 'other'] as const;
export const KindSchema = z.enum(KINDS);
export type Kind = z.infer<typeof KindSchema>;

export const TEXTURE_ROLES = [
  'base-color', 'normal', 'roughness', 'metallic', 'ambient-occlusion', 'height', 'displacement', 'bump',
  'opacity', 'emission', 'specular', 'orm', 'mask', 'unknown',
] as const;
export const TextureRoleSchema = z.enum(TEXTURE_ROLES);
export type TextureRole = z.infer<typeof TextureRoleSchema>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** 64-bit perceptual hash as 16 hex digits. */
const PHash = z.string().regex(/^[0-9a-f]{16}$/);

export const InputInfoSchema = z.object({
  path: z.string(),
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  kind: KindSchema,
  role: TextureRoleSchema.optional(),
  sourceRich: z.boolean(),
  format: z.string(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  phash: PHash.optional(),
  /** Made by a camera (the file's EXIF or EXR header names one): a captured photo, not a digital creation. */
  photo: z.boolean().optional(),
});
export type InputInfo = z.infer<typeof InputInfoSchema>;

export const OutputSchema = z.object({
  path: z.string(),
  visibility: z.enum(['public', 'private']),
  purpose: z.enum(['preview', 'master', 'sidecar', 'archive', 'contact-sheet', 'manifest']),
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  phash: PHash.optional(),
  metadata: z.enum(['embedded', 'sidecar', 'none']),
  /** Where this file's Content Credential (C2PA) is: inside it, or in `<path>.c2pa` beside it. */
  credential: z.enum(['embedded', 'sidecar']).optional(),
  /** For a file delivered inside an archive (a pack's zip, `path`): its member name there. */
  entry: z.string().optional(),
});
export type Output = z.infer<typeof OutputSchema>;

export const AssetResultSchema = z.object({
  assetId: z.string().regex(/^[0-9a-f]{16}$/),
  source: SourceSchema,
  input: InputInfoSchema,
  outputs: z.array(OutputSchema),
  warnings: z.array(z.string()),
  ledgerSeq: z.number().int().nonnegative().nullable(),
});
export type AssetResult = z.infer<typeof AssetResultSchema>;

export const FailureSchema = z.object({
  input: z.string(),
  code: z.string(),
  message: z.string(),
});
export type Failure = z.infer<typeof FailureSchema>;

export const ProcessReportSchema = z.object({
  results: z.array(AssetResultSchema),
  errors: z.array(FailureSchema),
});
export type ProcessReport = z.infer<typeof ProcessReportSchema>;

export const RenderContextSchema = z.object({
  blendFile: z.string().optional(),
  scene: z.string().optional(),
  frame: z.number().int().optional(),
  camera: z.string().optional(),
  engine: z.string().optional(),
  samples: z.number().int().nonnegative().optional(),
  resolution: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  renderSeconds: z.number().nonnegative().optional(),
  blenderVersion: z.string().optional(),
});
export type RenderContext = z.infer<typeof RenderContextSchema>;
