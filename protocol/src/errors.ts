/**
 * Stable error keys. JSON-RPC codes for the standard ones; application codes in -32000..-32099.
 * The same keys are the `code` of a Failure in results.
 */
export const ERROR_CODES = {
  PARSE_ERROR: { code: -32700, summary: 'The message is not valid JSON.' },
  INVALID_REQUEST: { code: -32600, summary: 'The message is not a valid JSON-RPC 2.0 request.' },
  METHOD_NOT_FOUND: { code: -32601, summary: 'No such method.' },
  INVALID_PARAMS: { code: -32602, summary: 'The params do not match the method\'s schema.' },
  INTERNAL: { code: -32603, summary: 'Unexpected daemon error.' },
  FILE_NOT_FOUND: { code: -32001, summary: 'The input path does not exist.' },
  NOT_A_FILE: { code: -32002, summary: 'A file was expected but the path is something else.' },
  UNREADABLE: { code: -32003, summary: 'The file exists but cannot be read.' },
  EMPTY_FILE: { code: -32004, summary: 'The file is empty.' },
  CORRUPT_FILE: { code: -32005, summary: 'The file is damaged or truncated.' },
  UNSUPPORTED_FORMAT: { code: -32006, summary: 'The content is not a format Colophon can process.' },
  TOO_LARGE: { code: -32007, summary: 'The input exceeds a size or pixel limit.' },
  METADATA_WRITE_FAILED: { code: -32008, summary: 'Writing or verifying rights metadata failed.' },
  PATH_NOT_ALLOWED: { code: -32009, summary: 'The path is outside what Colophon may read or write.' },
  OUTPUT_FAILED: { code: -32010, summary: 'An output file could not be written.' },
  BUSY: { code: -32011, summary: 'The job queue is full; try again shortly.' },
  CANCELLED: { code: -32012, summary: 'The job was cancelled.' },
  UNSUPPORTED_PROTOCOL_VERSION: { code: -32013, summary: 'The client speaks a protocol version this daemon does not.' },
  JOB_NOT_FOUND: { code: -32014, summary: 'No such job.' },
  LEDGER_ERROR: { code: -32015, summary: 'The evidence ledger could not be read or written.' },
  CONFIG_INVALID: { code: -32016, summary: 'The profile (config.json) is invalid.' },
  NOT_IMPLEMENTED: { code: -32017, summary: 'Not supported yet.' },
  UNSAFE_ARCHIVE: { code: -32018, summary: 'An archive entry or link would escape its folder, or the archive is a bomb.' },
  CHANGED_WHILE_READING: { code: -32019, summary: 'The file changed while it was being read.' },
  NO_PREVIEW: { code: -32020, summary: 'A public preview was asked for, but the file has no picture to make one from.' },
  DISK_FULL: { code: -32021, summary: 'The disk is full; nothing was half-written. Free space and try again.' },
  SIGNING_FAILED: { code: -32022, summary: 'A Content Credential could not be signed or read.' },
  KEYS_INVALID: { code: -32023, summary: 'The signing identity, or a certificate or key given for it, is not usable.' },
} as const;
export type ErrorKey = keyof typeof ERROR_CODES;
export const ERROR_KEYS = Object.keys(ERROR_CODES) as ErrorKey[];

/**
 * Keys a client gives failures the daemon never sends as a JSON-RPC error: the link itself went wrong.
 * UNAUTHORIZED is the daemon's HTTP 401 (bad or missing token) at the WebSocket upgrade.
 */
export const CLIENT_ERROR_KEYS = ['BAD_URL', 'HANDSHAKE_FAILED', 'UNAUTHORIZED', 'BAD_REPLY', 'DISCONNECTED'] as const;
