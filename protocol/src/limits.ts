import { z } from 'zod';

// Every size, count and time limit Colophon enforces, in one place: the profile's `limits` section (all optional,
// these are the defaults). The request schemas in methods.ts take their caps from the defaults here, so what the
// protocol promises and what the daemon enforces come from the same numbers.

const MIB = 1024 * 1024;
const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const PixelLimitsSchema = z.object({
  /** Largest decoded image, in pixels (sharp's own default: 16384 × 16384). */
  maxImagePixels: int(1, 2 ** 31).default(16384 * 16384),
  /** EXR/HDR decode to 16-byte float pixels in memory: about 640 MB at the default. */
  maxFloatPixels: int(1, 2 ** 31).default(40_000_000),
}).strict();

export const MetadataLimitsSchema = z.object({
  /** One embedded metadata block (a PNG text/iCCP/eXIf chunk after inflating, assembled JPEG extended XMP, a WebP chunk). */
  maxBlockBytes: int(64 * 1024, 1024 * MIB).default(16 * MIB),
  /** All metadata blocks of one file together. */
  maxTotalBytes: int(64 * 1024, 4096 * MIB).default(64 * MIB),
}).strict();

/** Zip bomb limits, checked against the central directory before anything is extracted or classified. */
export const ZipLimitsSchema = z.object({
  /** One number for both a zip given to `process` and a zipped pack (they were 10 000 and 20 000). */
  maxEntries: int(1, 1_000_000).default(20_000),
  maxTotalBytes: int(1, Number.MAX_SAFE_INTEGER).default(32 * 1024 ** 3),
  /** Largest compression ratio accepted for an entry of 1 MiB or more. */
  maxRatio: z.number().positive().default(1000),
  /** Largest ratio of all entries' uncompressed size to the zip's size, once that total passes ratioFloorBytes. */
  maxTotalRatio: z.number().positive().default(100),
  ratioFloorBytes: int(0, Number.MAX_SAFE_INTEGER).default(256 * MIB),
}).strict();

/** What one JSON-RPC message may carry. */
export const MessageLimitsSchema = z.object({
  /** Largest WebSocket message the daemon reads; a larger one is answered TOO_LARGE (twice this closes the socket, 1009). */
  maxBytes: int(4 * 1024, 64 * MIB).default(MIB),
  /** Longest file path in a request. */
  maxPathChars: int(1, 65_536).default(4096),
  /** Files in one asset.process request. */
  maxPaths: int(1, 100_000).default(1000),
  /** Dependencies of one blend.archive request. */
  maxDependencies: int(0, 1_000_000).default(10_000),
  /** Entries one ledger.query returns. */
  maxQueryEntries: int(1, 100_000).default(1000),
}).strict();

export const HttpLimitsSchema = z.object({
  /** WebSocket clients at once. */
  maxConnections: int(1, 10_000).default(64),
  /** Every TCP connection, upgraded WebSockets included. */
  maxHttpConnections: int(1, 20_000).default(128),
  headersTimeoutMs: int(100, 600_000).default(10_000),
  requestTimeoutMs: int(100, 600_000).default(15_000),
  idleTimeoutMs: int(100, 3_600_000).default(30_000),
  keepAliveTimeoutMs: int(100, 600_000).default(5_000),
  /** WebSocket ping interval; a client that misses a pong for one interval is dropped. */
  heartbeatMs: int(100, 3_600_000).default(30_000),
}).strict();

export const ConcurrencyLimitsSchema = z.object({
  /** Daemon jobs run at once; default: the machine's cores less one, between 2 and 4. */
  jobs: int(1, 64).optional(),
  /** Jobs waiting or running. */
  queue: int(1, 10_000).default(64),
  /**
   * Files of one job being read and decoded at once; default: the machine's cores plus one, at most 4. As many again
   * may be writing, signing their previews and being recorded, so the next file decodes meanwhile.
   */
  files: int(1, 64).optional(),
}).strict();

export const TimeoutLimitsSchema = z.object({
  /** One exiftool read or write. */
  exiftoolTaskMs: int(1000, 3_600_000).default(60_000),
  /** Waiting for the ledger's lock (another run appending). */
  ledgerLockMs: int(100, 600_000).default(10_000),
  /** Waiting for another run processing the same content before answering BUSY. */
  assetLockMs: int(1000, 24 * 3_600_000).default(10 * 60_000),
}).strict();

export const LimitsSchema = z.object({
  pixels: PixelLimitsSchema.prefault({}),
  metadata: MetadataLimitsSchema.prefault({}),
  zip: ZipLimitsSchema.prefault({}),
  message: MessageLimitsSchema.prefault({}),
  http: HttpLimitsSchema.prefault({}),
  concurrency: ConcurrencyLimitsSchema.prefault({}),
  timeouts: TimeoutLimitsSchema.prefault({}),
}).strict();
export type Limits = z.infer<typeof LimitsSchema>;
export type LimitsInput = z.input<typeof LimitsSchema>;
export const LIMITS_NAME = 'Limits';

/** The limits when the profile sets none. */
export const DEFAULT_LIMITS: Limits = LimitsSchema.parse({});
