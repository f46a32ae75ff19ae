import type { z } from 'zod';
import { RequestEnvelopeSchema, type ErrorData, type JsonRpcId, type RpcError } from '../../protocol/src/envelope.ts';
import { ERROR_CODES, type ErrorKey } from '../../protocol/src/errors.ts';
import { isMethodName, METHOD_NAMES, METHODS, type MethodName } from '../../protocol/src/registry.ts';
import { SUPPORTED_PROTOCOLS } from '../../protocol/src/version.ts';
import { toColophonError } from '../errors.ts';

/** A message that passed every check, or the error reply it deserves. */
export type CheckedMessage =
  | { ok: true; id: JsonRpcId; method: MethodName; params: unknown }
  | { ok: false; id: JsonRpcId | null; error: RpcError };

export function rpcError(key: ErrorKey, message: string, extra: Omit<ErrorData, 'key'> = {}): RpcError {
  return { code: ERROR_CODES[key].code, message, data: { key, ...extra } };
}

/** Any thrown value → an error object; unexpected ones say where to look instead of leaking internals. */
export function toRpcError(err: unknown): RpcError {
  const e = toColophonError(err);
  if (e.key !== 'INTERNAL') return rpcError(e.key, e.message);
  return rpcError('INTERNAL', `Unexpected daemon error: ${e.message}. See the daemon log for details.`);
}

export function success(id: JsonRpcId, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result });
}

export function failure(id: JsonRpcId | null, error: RpcError): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error });
}

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

/** Parses one WebSocket text frame. */
export function checkMessage(text: string): CheckedMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      id: null,
      error: rpcError('PARSE_ERROR', `The message is not valid JSON (${(err as Error).message}). Send one JSON-RPC 2.0 object per message.`),
    };
  }
  return checkRequest(raw);
}

/** Checks an already-parsed message: envelope, method, then the method's params. */
export function checkRequest(raw: unknown): CheckedMessage {
  if (Array.isArray(raw)) {
    return invalid(null, 'Batch requests are not supported; send one JSON-RPC request per message.');
  }
  if (raw === null || typeof raw !== 'object') {
    return invalid(null, 'A request must be a JSON object with jsonrpc "2.0", id, method and params.');
  }
  const obj = raw as Record<string, unknown>;
  const replyId = typeof obj.id === 'string' || Number.isSafeInteger(obj.id) ? (obj.id as JsonRpcId) : null;
  if (!('id' in obj)) {
    return invalid(null, 'The request has no id. Every request needs an id: this daemon takes no client notifications.', 'id');
  }
  if (typeof obj.id === 'number' && Number.isInteger(obj.id) && !Number.isSafeInteger(obj.id)) {
    // Beyond 2^53 JSON parsers round the number, so any id echoed back would not be the one the client sent.
    return invalid(null, `The id is an integer beyond ±${Number.MAX_SAFE_INTEGER}, which JSON parsers round; the reply could not name it exactly. Use a smaller integer or a string id.`, 'id');
  }
  const env = RequestEnvelopeSchema.safeParse(raw);
  if (!env.success) {
    const first = describeIssues(env.error.issues, '')[0]!;
    return invalid(replyId, `Not a valid JSON-RPC 2.0 request: ${first.path || '(message)'}: ${first.message}.`, first.path);
  }
  const { id, method } = env.data;
  if (!isMethodName(method)) {
    return {
      ok: false,
      id,
      error: rpcError('METHOD_NOT_FOUND', `Unknown method "${method}". This daemon answers: ${METHOD_NAMES.join(', ')}.`),
    };
  }
  const params = env.data.params ?? {};
  if (method === 'session.hello' && typeof params.protocol === 'number' && !SUPPORTED_PROTOCOLS.includes(params.protocol)) {
    return {
      ok: false,
      id,
      error: rpcError(
        'UNSUPPORTED_PROTOCOL_VERSION',
        `This daemon speaks protocol ${SUPPORTED_PROTOCOLS.join(', ')}, the client asked for ${params.protocol}. Update the add-on or the daemon so they match.`,
        { path: 'params.protocol' },
      ),
    };
  }
  const nul = pathWithNul(params, 'params');
  if (nul != null) {
    return {
      ok: false,
      id,
      error: rpcError('INVALID_PARAMS', `Invalid params for ${method}: ${nul}: contains a NUL byte, which no file name or text field may hold. Send the path exactly as the file system shows it.`, { path: nul }),
    };
  }
  const parsed = METHODS[method].params.safeParse(params);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues, 'params');
    const first = issues[0]!;
    return {
      ok: false,
      id,
      error: rpcError('INVALID_PARAMS', `Invalid params for ${method}: ${first.path}: ${first.message}.`, { path: first.path, issues }),
    };
  }
  return { ok: true, id, method, params: parsed.data };
}

/** The dotted path of the first string holding a NUL byte (the OS cuts paths there, so it is never meant), or null. */
function pathWithNul(v: unknown, at: string): string | null {
  if (typeof v === 'string') return v.includes('\0') ? at : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, child] of Object.entries(v)) {
    const found = pathWithNul(child, `${at}.${k}`);
    if (found != null) return found;
  }
  return null;
}

function invalid(id: JsonRpcId | null, message: string, path?: string): CheckedMessage {
  return { ok: false, id, error: rpcError('INVALID_REQUEST', message, path != null ? { path } : {}) };
}

/** zod issues → dotted paths ("params.context.frame") with messages; unknown keys name the key itself. */
function describeIssues(issues: z.core.$ZodIssue[], prefix: string): Array<{ path: string; message: string }> {
  return issues.map((i) => {
    const parts = [prefix, ...i.path.map(String)];
    let message = i.message;
    if (i.code === 'unrecognized_keys') {
      parts.push(i.keys[0] ?? '');
      message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return { path: parts.filter((p) => p !== '').join('.'), message };
  });
}
