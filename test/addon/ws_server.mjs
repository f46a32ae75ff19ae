// A real WebSocket server (the `ws` package) for the add-on's transport tests. It checks the Bearer
// token on upgrade, prints "PORT <n>" once listening, and answers JSON-RPC requests whose method
// picks a behaviour (echo, big replies, ping, fragments, server-initiated close, errors, notifications).
// Usage: node ws_server.mjs <token> [port]
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const token = process.argv[2] ?? 'secret';
const wantedPort = Number(process.argv[3] ?? 0);
const server = createServer((_req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
let connections = 0;

server.on('upgrade', (req, socket, head) => {
  if (req.headers.authorization !== `Bearer ${token}` || req.url !== '/ws') {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

wss.on('connection', (ws, req) => {
  connections++;
  let pongs = 0;
  ws.on('pong', () => { pongs++; });
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    const reply = (result) => ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    let msg;
    try { msg = JSON.parse(data.toString()); } catch {
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'not JSON', data: { key: 'PARSE_ERROR' } } }));
      return;
    }
    const p = msg.params ?? {};
    switch (msg.method) {
      case 'session.hello':
        return reply({ protocol: 1, server: { name: 'test-server', version: '9.9.9' },
          profile: { creator: { name: 'Test Artist' }, licence: { name: 'All rights reserved' }, dataMining: 'DMI-PROHIBITED' } });
      case 'echo':
        return reply({ params: p, isBinary, bytes: data.length, host: req.headers.host, origin: req.headers.origin ?? null, connections });
      case 'big':
        return reply({ data: 'y'.repeat(p.size) });
      case 'ping.later':
        setTimeout(() => ws.ping(Buffer.from('still there?')), p.ms);
        return reply({ scheduled: true });
      case 'pongs':
        return reply({ pongs });
      case 'ping.me':
        ws.ping(Buffer.from('are you there'));
        return setTimeout(() => reply({ pongs }), 300);
      case 'fragmented': {
        const text = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { parts: p.parts } });
        const step = Math.ceil(text.length / p.parts);
        for (let i = 0; i < p.parts; i++) ws.send(text.slice(i * step, (i + 1) * step), { fin: i === p.parts - 1 });
        return;
      }
      case 'close.me':
        return ws.close(4000, 'test asked to close');
      case 'drop.me':
        return ws.terminate();
      case 'fail':
        return ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id,
          error: { code: -32001, message: 'no such file: /nope.png', data: { key: 'FILE_NOT_FOUND' } } }));
      case 'notify.then.reply':
        for (let i = 1; i <= p.count; i++) {
          ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'job.progress', params: { jobId: 'j1', done: i, total: p.count } }));
        }
        return reply({ ok: true });
      case 'slow':
        return setTimeout(() => reply({ slept: p.ms }), p.ms);
      case 'asset.process':
        return reply({ results: p.paths.map((path, i) => ({
          assetId: String(i).padStart(16, '0'), source: p.source ?? 'cli',
          input: { path, sha256: '0'.repeat(64), bytes: 1, kind: 'render', sourceRich: false, format: 'png' },
          outputs: [], warnings: [], ledgerSeq: i })), errors: [] });
      default:
        return ws.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id,
          error: { code: -32601, message: `no method ${msg.method}`, data: { key: 'METHOD_NOT_FOUND' } } }));
    }
  });
});

server.listen(wantedPort, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.on('SIGTERM', () => { for (const c of wss.clients) c.terminate(); server.close(() => process.exit(0)); });
