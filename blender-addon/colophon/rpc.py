# SPDX-License-Identifier: GPL-3.0-or-later
"""JSON-RPC 2.0 calls over one transport.WebSocket. bpy-free.

Raises only DaemonUnavailable (no usable answer) and ProtocolError (the daemon answered with an error).
"""

import time

from . import wire
from .errors import DaemonUnavailable
from .transport import WebSocket


class RpcConnection:
    """JSON-RPC 2.0 calls over one WebSocket. Notifications are handed to a callback as they arrive."""

    def __init__(self, ws):
        self.ws = ws
        self._next_id = 1
        self.server = None  # wire.HelloResult after hello()

    @classmethod
    def open(cls, url, token, client, connect_timeout=1.0, hello_timeout=5.0):
        """Connect and say `session.hello` (always the first message on a connection)."""
        conn = cls(WebSocket.connect(url, token, connect_timeout))
        try:
            result = conn.call("session.hello", wire.hello_params(client), hello_timeout)
            conn.server = wire.parse_hello_result(result)
        except BaseException:
            conn.close()
            raise
        return conn

    def call(self, method, params, timeout, on_notification=None):
        """Send one request and wait up to `timeout` seconds for its reply; returns the `result` value."""
        request_id = self._next_id
        self._next_id += 1
        self.ws.send_text(wire.encode_request(request_id, method, params))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            text = self.ws.recv_text(remaining) if remaining > 0 else None
            if text is None:
                # The daemon may still answer later; this connection's request/reply pairing is now
                # unreliable, so drop it and let the caller retry on a fresh one.
                self.close()
                raise DaemonUnavailable(f"no answer to {method} within {timeout:.0f} s")
            message = wire.decode_message(text)
            if isinstance(message, wire.Notification):
                if on_notification is not None:
                    on_notification(message)
                continue
            if message.id != request_id:
                continue  # a late reply to a call we already gave up on
            if message.error is not None:
                raise message.error
            return message.result

    def poll(self, timeout, on_notification):
        """Read notifications for up to `timeout` seconds (used while pack jobs are running)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            text = self.ws.recv_text(remaining)
            if text is None:
                return
            message = wire.decode_message(text)
            if isinstance(message, wire.Notification):
                on_notification(message)

    def close(self):
        self.ws.close()
