import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import t from 'tap';
import type { z } from 'zod';
import { ErrorResponseSchema, notificationSchema, requestSchema, responseSchema, RequestEnvelopeSchema } from '../../protocol/src/envelope.ts';
import { ERROR_CODES, type ErrorKey } from '../../protocol/src/errors.ts';
import { LEDGER_TYPES } from '../../protocol/src/ledger.ts';
import { LIMITS_NAME, LimitsSchema } from '../../protocol/src/limits.ts';
import { PackReportSchema, RECORD_NAMES, RECORD_SCHEMAS } from '../../protocol/src/records.ts';
import { METHODS, NOTIFICATIONS } from '../../protocol/src/registry.ts';
import { checkMessage, checkRequest } from '../../server/daemon/rpc.ts';

const root = path.resolve(import.meta.dirname, '..', '..', 'protocol');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema.json'), 'utf8')) as { $defs: Record<string, unknown> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(schema, 'colophon');
const validator = (def: string) => ajv.getSchema(`colophon#/$defs/${def}`);

/** The zod schema behind each message-level def name. */
const zodFor = new Map<string, z.ZodType>([['Request', RequestEnvelopeSchema], ['ErrorResponse', ErrorResponseSchema]]);
for (const [method, spec] of Object.entries(METHODS)) {
  zodFor.set(`${spec.name}Request`, requestSchema(method, spec.params));
  zodFor.set(`${spec.name}Response`, responseSchema(spec.result));
}
for (const [method, spec] of Object.entries(NOTIFICATIONS)) zodFor.set(`${spec.name}Notification`, notificationSchema(method, spec.params));
// Data shapes, not messages: ledger entry payloads, the pack report, the profile's limits.
const DATA_DEFS = new Set<string>([...LEDGER_TYPES.map((type) => RECORD_NAMES[type]), 'PackReport', LIMITS_NAME]);
for (const type of LEDGER_TYPES) zodFor.set(RECORD_NAMES[type], RECORD_SCHEMAS[type]);
zodFor.set('PackReport', PackReportSchema);
zodFor.set(LIMITS_NAME, LimitsSchema);

const vectorDir = path.join(root, 'vectors');
const defs = fs.readdirSync(vectorDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const json = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

t.test('every vector folder names a def in schema.json with a zod schema', async (t) => {
  for (const def of defs) {
    t.ok(schema.$defs[def], `${def} is in schema.json`);
    t.ok(zodFor.has(def), `${def} has a zod schema`);
  }
});

t.test('every ledger entry type, the pack report and the limits have valid vectors', async (t) => {
  for (const def of DATA_DEFS) t.ok(defs.includes(def), `${def} vectors exist`);
});

t.test('every request method and notification has valid vectors', async (t) => {
  for (const spec of Object.values(METHODS)) t.ok(defs.includes(`${spec.name}Request`), `${spec.name}Request vectors exist`);
  for (const spec of Object.values(NOTIFICATIONS)) t.ok(defs.includes(`${spec.name}Notification`), `${spec.name}Notification vectors exist`);
});

for (const def of defs) {
  const dir = path.join(vectorDir, def);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    t.test(`valid ${def}/${file}`, async (t) => {
      const msg = json(path.join(dir, file));
      const parsed = zodFor.get(def)!.safeParse(msg);
      t.ok(parsed.success, `zod accepts it${parsed.success ? '' : `: ${parsed.error.message}`}`);
      const validate = validator(def)!;
      t.ok(validate(msg), `ajv accepts it: ${ajv.errorsText(validate.errors)}`);
      if (def.endsWith('Request')) t.ok(checkRequest(msg).ok, 'the daemon\'s checker accepts it');
    });
  }
  const invalidDir = path.join(dir, 'invalid');
  if (!fs.existsSync(invalidDir)) continue;
  for (const file of fs.readdirSync(invalidDir).filter((f) => f.endsWith('.json'))) {
    t.test(`invalid ${def}/invalid/${file}`, async (t) => {
      const v = json(path.join(invalidDir, file)) as { message?: unknown; raw?: string; error: ErrorKey; path?: string };
      t.ok(v.error in ERROR_CODES, `${v.error} is a known error key`);
      const text = v.raw ?? JSON.stringify(v.message);
      const checked = checkMessage(text);
      t.equal(checked.ok, false, 'the daemon refuses it');
      if (checked.ok) return;
      t.equal(checked.error.data?.key, v.error, 'with the declared error key');
      t.equal(checked.error.code, ERROR_CODES[v.error].code, 'and its JSON-RPC code');
      if (v.path != null) t.equal(checked.error.data?.path, v.path, 'naming the failing field');
      t.ok(ErrorResponseSchema.safeParse({ jsonrpc: '2.0', id: checked.id, error: checked.error }).success, 'the reply is a valid ErrorResponse');
      if (v.raw == null && v.error !== 'METHOD_NOT_FOUND') {
        t.notOk(validator(def)!(v.message), 'schema.json rejects it too');
      }
    });
  }
}
