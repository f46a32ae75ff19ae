import { z } from 'zod';

export const LEDGER_TYPES = [
  'asset.recorded', 'asset.published', 'asset.licensed', 'optout.sent', 'optout.response', 'notice.changed',
  'ledger.anchored',
] as const;
export const LedgerTypeSchema = z.enum(LEDGER_TYPES);
export type LedgerType = z.infer<typeof LedgerTypeSchema>;

export const LedgerEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  ts: z.string(),
  type: LedgerTypeSchema,
  data: z.record(z.string(), z.unknown()),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;
