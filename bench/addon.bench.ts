// The add-on's costs. (1) Its stdlib WebSocket client (transport.py + rpc.py) against the Node `ws` client as
// the baseline, both talking to the same real `ws` server: small round trips per second and MB/s with 1 MB
// messages. (2) With Blender installed: the main-thread pause Colophon adds after F12 (saving the image to the
// spool as the render_complete handler does), against Blender saving the same image as its default 8-bit PNG,
// best of 5 runs each, interleaved, in the same Blender. The PNG's compression then runs on the worker thread.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

const REPO = path.resolve(import.meta.dirname, '..');
const SMALL = 300;
const LARGE = 20;
const MB = 1024 * 1024;

function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [path.join(REPO, 'test/addon/ws_server.mjs'), 'bench-token'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m == null) return reject(new Error(`server said ${d}`));
      resolve({ url: `ws://127.0.0.1:${m[1]}/ws`, stop: () => child.kill('SIGTERM') });
    });
    child.once('error', reject);
  });
}

async function nodeBaseline(url: string): Promise<{ rtPerSec: number; mbPerSec: number }> {
  const ws = new WebSocket(url, { headers: { Authorization: 'Bearer bench-token' } });
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  let id = 0;
  const call = (params: unknown) => new Promise<void>((resolve) => {
    const want = ++id;
    const onMsg = (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { id: number }).id === want) { ws.off('message', onMsg); resolve(); }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: want, method: 'echo', params }));
  });
  let t0 = performance.now();
  for (let i = 0; i < SMALL; i++) await call({ i });
  const rtPerSec = SMALL / ((performance.now() - t0) / 1000);
  const blob = 'x'.repeat(MB);
  t0 = performance.now();
  for (let i = 0; i < LARGE; i++) await call({ blob });
  const mbPerSec = (2 * LARGE) / ((performance.now() - t0) / 1000); // 1 MB each way per call
  ws.close();
  return { rtPerSec, mbPerSec };
}

const PY_CLIENT = `
import json, sys, time
sys.path.insert(0, ${JSON.stringify(REPO)})
from test.addon._load import addon_module
rpc, transport = addon_module("rpc"), addon_module("transport")
conn = rpc.RpcConnection(transport.WebSocket.connect(sys.argv[1], "bench-token", 2))
t0 = time.perf_counter()
for i in range(${SMALL}):
    conn.call("echo", {"i": i}, 10)
rt = ${SMALL} / (time.perf_counter() - t0)
blob = "x" * ${MB}
t0 = time.perf_counter()
for i in range(${LARGE}):
    conn.call("echo", {"blob": blob}, 30)
mb = 2 * ${LARGE} / (time.perf_counter() - t0)
conn.close()
print(json.dumps({"rtPerSec": rt, "mbPerSec": mb}))
`;

const BLENDER_SAVE = `
import bpy, json, os, sys, tempfile, time
from colophon import render_files, spool
out = os.path.join(os.environ["COLOPHON_HOME"], "bench-out")
os.makedirs(out, exist_ok=True)
scene = bpy.context.scene
res = {}
for w, h in ((1920, 1080), (3840, 2160)):
    img = bpy.data.images.new(f"bench{w}", w, h, float_buffer=True)
    img.generated_type = "COLOR_GRID"
    img.save_render(os.path.join(out, f"warm{w}.png"), scene=scene)  # first save also builds the pixels: untimed
    base = ours = worker = float("inf")
    for i in range(5):
        t0 = time.perf_counter(); img.save_render(os.path.join(out, f"base{w}.png"), scene=scene); base = min(base, time.perf_counter() - t0)
        # the same call the render_complete handler makes for F12
        t0 = time.perf_counter(); png = render_files.save_as_png(img, scene, out, f"ours{w}", depth="8", compression=0); ours = min(ours, time.perf_counter() - t0)
        t0 = time.perf_counter(); spool.deflate_png(png); worker = min(worker, time.perf_counter() - t0)
        os.remove(png)
    res[f"{w}x{h}"] = {"oursMs": ours * 1000, "baselineMs": base * 1000, "workerMs": worker * 1000}
print("BENCH " + json.dumps(res))
`;

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const node = await nodeBaseline(server.url);
    const py = JSON.parse(execFileSync('python3', ['-c', PY_CLIENT, server.url], { encoding: 'utf8' })) as typeof node;
    console.log(`add-on transport (Python stdlib) vs Node ws client, same ws server, ${SMALL} small round trips, ${LARGE} x 1 MB each way`);
    console.log(`  round trips/s: add-on ${py.rtPerSec.toFixed(0)}, node ws ${node.rtPerSec.toFixed(0)}  (ratio ${(py.rtPerSec / node.rtPerSec).toFixed(2)})`);
    console.log(`  MB/s (1 MB messages): add-on ${py.mbPerSec.toFixed(1)}, node ws ${node.mbPerSec.toFixed(1)}  (ratio ${(py.mbPerSec / node.mbPerSec).toFixed(2)})`);
  } finally {
    server.stop();
  }
  const blender = process.env.BLENDER ?? '/usr/bin/blender';
  if (!existsSync(blender)) {
    console.log('render_complete save cost: skipped (blender not installed)');
    return;
  }
  // Blender finds add-ons under <scripts>/addons; a temp folder links to the repo's copy for this run.
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'colophon-bench-addon-'));
  await fs.mkdir(path.join(tmp, 'scripts', 'addons'), { recursive: true });
  await fs.symlink(path.join(REPO, 'blender-addon', 'colophon'), path.join(tmp, 'scripts', 'addons', 'colophon'), 'dir');
  const env = { ...process.env, BLENDER_USER_SCRIPTS: path.join(tmp, 'scripts'), BLENDER_USER_CONFIG: path.join(tmp, 'config'), COLOPHON_HOME: path.join(tmp, 'home') };
  try {
    const out = execFileSync(blender, ['-b', '--factory-startup', '--python-exit-code', '1', '--addons', 'colophon', '--python-expr', BLENDER_SAVE], { env, encoding: 'utf8', maxBuffer: 16 * MB });
    const line = out.split('\n').find((l) => l.startsWith('BENCH '));
    const res = JSON.parse(line!.slice(6)) as Record<string, { oursMs: number; baselineMs: number; workerMs: number }>;
    console.log('F12 UI pause added by Colophon (main-thread save to the spool) vs Blender\'s own default 8-bit PNG save of the same image');
    for (const [size, r] of Object.entries(res)) {
      console.log(`  ${size}: add-on ${r.oursMs.toFixed(0)} ms, Blender's save ${r.baselineMs.toFixed(0)} ms  (ratio ${(r.oursMs / r.baselineMs).toFixed(2)}); `
        + `then off the main thread: PNG compression ${r.workerMs.toFixed(0)} ms`);
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

await main();
