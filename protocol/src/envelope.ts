import { z } from 'zod';
import { ERROR_KEYS } from './errors.ts';

/** JSON-RPC 2.0 framing. Ids are strings or integers; the daemon takes no client notifications. */
export const JsonRpcIdSchema = z.union([z.string().min(1).max(200), z.number().int()]);
export type JsonRpcId = z.infer<typeof JsonRpcIdSchema>;

/** What every request shares, before its method's params are checked. */
export const RequestEnvelopeSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: JsonRpcIdSchema,
  method: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()).optional(),
}).strict();
export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

/** `error.data`: the stable key, and for invalid params the dotted path of the first bad field. */
export const ErrorDataSchema = z.object({
  key: z.enum(ERROR_KEYS as [string, ...string[]]),
  path: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorData = z.infer<typeof ErrorDataSchema>;

export const RpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: ErrorDataSchema.optional(),
});
export type RpcError = z.infer<typeof RpcErrorSchema>;

export const ErrorResponseSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: JsonRpcIdSchema.nullable(),
  error: RpcErrorSchema,
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/**
 * Builds the typed request, success-response and notification schemas for one method.
 * `params` may be left out when the method's params accept `{}` (JSON-RPC allows omitting them).
 */
export function requestSchema<M extends string, P extends z.ZodType>(method: M, params: P) {
  const omittable = params.safeParse({}).success;
  return z.object({
    jsonrpc: z.literal('2.0'),
    id: JsonRpcIdSchema,
    method: z.literal(method),
    params: omittable ? params.optional() : params,
  }).strict();
}

export function responseSchema<R extends z.ZodType>(result: R) {
  return z.object({ jsonrpc: z.literal('2.0'), id: JsonRpcIdSchema, result });
}

export function notificationSchema<M extends string, P extends z.ZodType>(method: M, params: P) {
  return z.object({ jsonrpc: z.literal('2.0'), method: z.literal(method), params });
}
