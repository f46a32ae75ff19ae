import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { ERROR_CODES } from '../../protocol/src/errors.ts';
import { PACK_PROFILES } from '../../protocol/src/methods.ts';
import { METHOD_NAMES, METHODS, NOTIFICATION_NAMES } from '../../protocol/src/registry.ts';
import { SOURCES } from '../../protocol/src/results.ts';
import { generatedFiles, PYTHON_FILE } from '../../protocol/scripts/generate.ts';
import { MARKET_PROFILES } from '../../server/pack/markets.ts';
import { HANDLERS } from '../../server/daemon/handlers/index.ts';

t.test('the committed schema.json and protocol_gen.py match the zod sources', async (t) => {
  for (const [file, text] of generatedFiles()) {
    t.equal(fs.readFileSync(file, 'utf8'), text, `${path.basename(file)} is current (run npm run protocol:gen)`);
  }
});

t.test('--check exits 0 when current and 1 (naming the file) when stale', async (t) => {
  const repo = path.resolve(import.meta.dirname, '..', '..');
  const copy = t.testdir({ protocol: {}, 'blender-addon': { colophon: {} } });
  for (const [file, text] of generatedFiles()) fs.writeFileSync(path.join(copy, path.relative(repo, file)), text);
  const run = () => spawnSync(process.execPath, ['--import', 'tsx', 'protocol/scripts/generate.ts', '--check'], {
    cwd: repo, encoding: 'utf8', env: { ...process.env, COLOPHON_PROTOCOL_ROOT: copy },
  });
  t.equal(run().status, 0);
  const py = path.join(copy, 'blender-addon', 'colophon', 'protocol_gen.py');
  fs.writeFileSync(py, fs.readFileSync(py, 'utf8').replace('PROTOCOL_VERSION = 1', 'PROTOCOL_VERSION = 0'));
  const r = run();
  t.equal(r.status, 1);
  t.match(r.stderr, /protocol_gen\.py is stale/);
  fs.rmSync(path.join(copy, 'protocol', 'schema.json'));
  t.match(run().stderr, /schema\.json is missing/);
});

t.test('the Python module holds what the add-on needs, readable by python3', async (t) => {
  const code = `import importlib.util,json,sys
spec=importlib.util.spec_from_file_location('g', sys.argv[1]); m=importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(json.dumps({'v':m.PROTOCOL_VERSION,'methods':m.METHODS,'notes':m.NOTIFICATIONS,'codes':m.ERROR_CODES,'sources':m.SOURCES,'dm':m.DATA_MINING_CODES}))`;
  const r = spawnSync('python3', ['-c', code, PYTHON_FILE], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  t.equal(got.v, 1);
  t.same(got.methods, METHOD_NAMES);
  t.same(got.notes, NOTIFICATION_NAMES);
  t.same(got.sources, [...SOURCES]);
  t.same(got.codes, Object.fromEntries(Object.entries(ERROR_CODES).map(([k, v]) => [k, v.code])));
  t.equal(got.dm.length, 9);
});

t.test('every registry method has a handler, and nothing else does', async (t) => {
  t.same(Object.keys(HANDLERS).sort(), Object.keys(METHODS).sort());
  for (const m of METHOD_NAMES) t.type(HANDLERS[m], 'function', `${m} has a handler`);
});

t.test('the protocol\'s pack profiles are the pack engine\'s market profiles', async (t) => {
  t.same([...PACK_PROFILES], [...MARKET_PROFILES]);
});

t.test('error codes: standard JSON-RPC ones, application ones in -32000..-32099, all distinct', async (t) => {
  const codes = Object.values(ERROR_CODES).map((e) => e.code);
  t.equal(new Set(codes).size, codes.length);
  for (const [k, v] of Object.entries(ERROR_CODES)) {
    const standard = v.code >= -32700 && v.code <= -32600;
    t.ok(standard || (v.code <= -32000 && v.code >= -32099), `${k} (${v.code}) is in a valid range`);
  }
});
