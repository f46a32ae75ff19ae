import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { MethodName } from '../../protocol/src/registry.ts';
import { withExifTool } from '../pipeline/exiftool.ts';
import type { CallContext, DaemonState } from './context.ts';
import { HANDLERS, type Handler } from './handlers/index.ts';
import { checkMessage, failure, notification, rpcError, success, toRpcError } from './rpc.ts';

/**
 * Serves JSON-RPC on one WebSocket. Every frame gets exactly one reply (or none when the socket has gone);
 * a bad frame gets an error reply and the connection stays open. When the socket closes, the jobs it
 * started are cancelled.
 */
export function serveConnection(socket: WebSocket, daemon: DaemonState, opts: { maxBytes: number }): void {
  const connectionId = randomUUID();
  const log = daemon.log.child({ conn: connectionId.slice(0, 8) });
  const send = (text: string): void => {
    if (socket.readyState === socket.OPEN) socket.send(text);
  };

  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      send(failure(null, rpcError('INVALID_REQUEST', 'Binary frames are not accepted; send JSON-RPC as text frames.')));
      return;
    }
    const size = (data as Buffer).length;
    if (size > opts.maxBytes) {
      log.info({ bytes: size }, 'rejected message: too large');
      send(failure(null, rpcError('TOO_LARGE', `The message is ${size} bytes, above the daemon's limit of ${opts.maxBytes} bytes (limits.message.maxBytes in config.json). Send fewer files per request, or raise the limit.`)));
      return;
    }
    const checked = checkMessage(data.toString());
    if (!checked.ok) {
      log.info({ key: checked.error.data?.key }, 'rejected message');
      send(failure(checked.id, checked.error));
      return;
    }
    const { id, method, params } = checked;
    let replied!: () => void;
    const afterReply = new Promise<void>((r) => (replied = r));
    const ctx: CallContext = {
      daemon,
      connectionId,
      // Notifications wait for the reply that announced the job, so a client never sees job.finished first.
      notify: (m, p) => void afterReply.then(() => send(notification(m, p))),
    };
    const handler = HANDLERS[method] as Handler<MethodName>;
    const started = Date.now();
    withExifTool(daemon.exiftool, () => handler(params as never, ctx)).then(
      (result) => send(success(id, result)),
      (err: unknown) => {
        const error = toRpcError(err);
        if (error.data?.key === 'INTERNAL') log.error({ err, method }, 'request failed unexpectedly');
        send(failure(id, error));
      },
    ).finally(() => {
      replied();
      log.debug({ method, ms: Date.now() - started }, 'answered');
    });
  });

  socket.on('close', () => {
    const n = daemon.jobs.cancelOwner(connectionId);
    if (n > 0) log.info({ cancelled: n }, 'client disconnected; its jobs were cancelled');
  });
  socket.on('error', (err) => log.warn({ err }, 'websocket error'));
}
