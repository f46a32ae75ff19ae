import type { WebSocket } from 'ws';

/**
 * Pings `socket` every `intervalMs` and terminates it when the pong to the previous ping never came: a client
 * whose machine slept or whose network vanished otherwise holds its connection slot and jobs forever.
 * Browsers and Blender's websocket client answer pings on their own.
 */
export function keepAlive(socket: WebSocket, intervalMs: number, onDead: () => void = () => undefined): void {
  let answered = true;
  socket.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) {
      onDead();
      socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  socket.once('close', () => clearInterval(timer));
}
