# SPDX-License-Identifier: GPL-3.0-or-later
"""A small RFC 6455 WebSocket client on the standard library. bpy-free. (JSON-RPC on top: rpc.py.)

Blender's Python ships no websocket package and PyPI wheels are not an option, so this speaks the
protocol directly: masked client frames, 16/64-bit lengths, fragmented messages, ping -> pong and
the close handshake. Only loopback `ws://` URLs are accepted: the daemon never listens elsewhere.

Everything that goes wrong surfaces as exactly one of two exceptions (see errors.py):
DaemonUnavailable (nothing usable answered) or ProtocolError (the daemon answered with an error).
"""

import base64
import hashlib
import os
import socket
import struct
import time
from urllib.parse import urlsplit

from .errors import DaemonUnavailable, ProtocolError

__all__ = ["WebSocket", "DaemonUnavailable", "ProtocolError"]

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_MAX_HEADER_BYTES = 16 * 1024
# Far above any reply we expect (an asset.process answer for a big batch is well under 1 MB), low
# enough that a broken peer cannot make Blender allocate without bound.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class _Timeout(Exception):
    """Internal: no complete message arrived in time; the buffer is left intact."""


def parse_url(url):
    """Split a ws:// URL into (host, port, path); refuse anything that is not loopback."""
    try:
        parts = urlsplit(url)
        port = parts.port or 80
    except ValueError as exc:
        raise ProtocolError("BAD_URL", f"{url!r} is not a valid ws:// URL ({exc})") from None
    if parts.scheme != "ws" or not parts.hostname:
        raise ProtocolError("BAD_URL", f"{url!r} is not a ws:// URL; the daemon prints its URL in daemon.json")
    if parts.hostname not in _LOOPBACK:
        raise ProtocolError("BAD_URL", f"{parts.hostname} is not this computer; Colophon only talks to 127.0.0.1")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, port, path


def accept_key(key):
    """The Sec-WebSocket-Accept value a server must answer for `key`."""
    digest = hashlib.sha1((key + _GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(opcode, payload, fin=True, mask_key=None):
    """One client frame (always masked, as RFC 6455 requires of clients)."""
    mask_key = mask_key if mask_key is not None else os.urandom(4)
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < 1 << 16:
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    head += mask_key
    return bytes(head) + _mask(payload, mask_key)


def _mask(data, key):
    # XOR through one big integer: far faster in pure Python than a byte loop for 70 KB+ payloads,
    # and little-endian conversion is about 3x faster than big-endian (bench/addon.bench.ts).
    n = len(data)
    if n == 0:
        return b""
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")).to_bytes(n, "little")


class WebSocket:
    """One client connection. Not thread-safe: the outbox worker is its only user."""

    def __init__(self, sock, leftover=b""):
        self._sock = sock
        self._buf = bytearray(leftover)
        self._fragments = None  # list of bytes while a fragmented message is arriving
        self._fragment_op = None
        self.closed = False

    @classmethod
    def connect(cls, url, token, connect_timeout=1.0):
        """Open the socket and do the upgrade handshake with `Authorization: Bearer <token>`."""
        host, port, path = parse_url(url)
        try:
            sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            raise DaemonUnavailable(f"no daemon at {host}:{port} ({_short(exc)})") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            leftover = _handshake(sock, host, port, path, token, connect_timeout)
        except BaseException:
            sock.close()
            raise
        return cls(sock, leftover)

    def send_text(self, text):
        self._send(OP_TEXT, text.encode("utf-8"))

    def send_frame(self, opcode, payload, fin=True):
        """Low level: one frame as given (tests use it to send fragments)."""
        self._send(opcode, payload, fin)

    def recv_text(self, timeout):
        """The next complete text message, or None if none arrived within `timeout` seconds.

        Pings are answered and pongs dropped on the way. A close from the daemon, a reset or a broken
        frame raises DaemonUnavailable.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                opcode, fin, payload = self._next_frame(deadline)
            except _Timeout:
                return None
            message = self._handle_frame(opcode, fin, payload)
            if message is not None:
                return message

    def close(self, code=1000, reason=""):
        """Send a close frame, wait briefly for the echo, then drop the socket. Idempotent."""
        if self.closed:
            return
        try:
            self._send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])
            deadline = time.monotonic() + 0.5
            while True:
                opcode, _fin, _payload = self._next_frame(deadline)
                if opcode == OP_CLOSE:
                    break
        except (DaemonUnavailable, _Timeout, ProtocolError):
            pass
        finally:
            self._drop()

    def _drop(self):
        self.closed = True
        try:
            self._sock.close()
        except OSError:
            pass

    def _send(self, opcode, payload, fin=True):
        if self.closed:
            raise DaemonUnavailable("the connection to the daemon is closed")
        try:
            self._sock.settimeout(10.0)
            self._sock.sendall(encode_frame(opcode, payload, fin))
        except OSError as exc:
            self._drop()
            raise DaemonUnavailable(f"lost the connection to the daemon ({_short(exc)})") from None

    def _handle_frame(self, opcode, fin, payload):
        if opcode == OP_PING:
            self._send(OP_PONG, payload)
            return None
        if opcode == OP_PONG:
            return None
        if opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            reason = payload[2:].decode("utf-8", "replace")
            try:
                self._send(OP_CLOSE, payload[:2])
            except DaemonUnavailable:
                pass
            self._drop()
            detail = f"code {code}" + (f", {reason}" if reason else "")
            raise DaemonUnavailable(f"the daemon closed the connection ({detail})")
        if opcode in (OP_TEXT, OP_BINARY):
            if self._fragments is not None:
                self._fail("a new message started before the previous one ended")
            if fin:
                return self._decode(opcode, payload)
            self._fragments, self._fragment_op = [payload], opcode
            return None
        if opcode == OP_CONT:
            if self._fragments is None:
                self._fail("a continuation frame arrived with no message to continue")
            self._fragments.append(payload)
            if sum(len(p) for p in self._fragments) > MAX_MESSAGE_BYTES:
                self._fail("message too large")
            if not fin:
                return None
            whole, op = b"".join(self._fragments), self._fragment_op
            self._fragments = self._fragment_op = None
            return self._decode(op, whole)
        self._fail(f"unknown opcode {opcode:#x}")

    def _decode(self, opcode, payload):
        if opcode == OP_BINARY:
            self._fail("binary messages are not part of the Colophon protocol")
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            self._fail("a text message was not valid UTF-8")

    def _fail(self, why):
        self._drop()
        raise DaemonUnavailable(f"the daemon sent a broken WebSocket frame: {why}")

    def _next_frame(self, deadline):
        """Parse one frame from the buffer, reading more as needed; bytes are consumed only when whole."""
        while True:
            frame = self._parse_buffered()
            if frame is not None:
                return frame
            self._read_more(deadline)

    def _parse_buffered(self):
        buf = self._buf
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        if b0 & 0x70:
            self._fail("reserved bits set (no extension was negotiated)")
        if b1 & 0x80:
            self._fail("server frames must not be masked")
        opcode, fin, n, pos = b0 & 0x0F, bool(b0 & 0x80), b1 & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, pos = struct.unpack_from("!H", buf, 2)[0], 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, pos = struct.unpack_from("!Q", buf, 2)[0], 10
        if n > MAX_MESSAGE_BYTES:
            self._fail(f"frame of {n} bytes is over the {MAX_MESSAGE_BYTES} byte limit")
        if opcode >= 0x8 and (n > 125 or not fin):
            self._fail("control frames must be short and unfragmented")
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos:pos + n])
        del buf[:pos + n]
        return opcode, fin, payload

    def _read_more(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Timeout()
        try:
            self._sock.settimeout(remaining)
            chunk = self._sock.recv(256 * 1024)
        except socket.timeout:
            raise _Timeout() from None
        except OSError as exc:
            self._drop()
            raise DaemonUnavailable(f"lost the connection to the daemon ({_short(exc)})") from None
        if not chunk:
            self._drop()
            raise DaemonUnavailable("the daemon closed the connection without a close frame")
        self._buf += chunk


def _handshake(sock, host, port, path, token, timeout):
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    host_header = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    request = (
        f"GET {path} HTTP/1.1\r\n"
        f"Host: {host_header}\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        f"Authorization: Bearer {token}\r\n"
        "User-Agent: colophon-blender\r\n"
        "\r\n"
    )
    deadline = time.monotonic() + max(timeout, 2.0)
    data = bytearray()
    try:
        sock.sendall(request.encode("ascii"))
        while b"\r\n\r\n" not in data:
            if len(data) > _MAX_HEADER_BYTES:
                raise ProtocolError("HANDSHAKE_FAILED", "the daemon's handshake reply is too long")
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = sock.recv(4096)
            if not chunk:
                raise DaemonUnavailable("the daemon closed the connection during the handshake")
            data += chunk
    except (socket.timeout, TimeoutError):
        raise DaemonUnavailable(f"the daemon at {host}:{port} did not answer the handshake in time") from None
    except OSError as exc:
        raise DaemonUnavailable(f"lost the connection during the handshake ({_short(exc)})") from None
    head, _, leftover = bytes(data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status_parts = lines[0].split(" ", 2)
    status = int(status_parts[1]) if len(status_parts) > 1 and status_parts[1].isdigit() else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if status in (401, 403):
        raise ProtocolError(
            "UNAUTHORIZED",
            f"the daemon refused the connection (HTTP {status}); the token does not match. "
            "Restart Blender's connection after `colophon serve` has started, or check the token file",
        )
    if status != 101:
        raise ProtocolError("HANDSHAKE_FAILED", f"expected HTTP 101 from the daemon, got: {lines[0]!r}")
    if headers.get("upgrade", "").lower() != "websocket" or "upgrade" not in headers.get("connection", "").lower():
        raise ProtocolError("HANDSHAKE_FAILED", "the daemon's reply is not a WebSocket upgrade")
    if headers.get("sec-websocket-accept") != accept_key(key):
        raise ProtocolError("HANDSHAKE_FAILED", "the daemon's Sec-WebSocket-Accept does not match our key")
    return leftover


def _short(exc):
    """A one-line reason without the long library text (Flamenco drops it too)."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    return getattr(exc, "strerror", None) or str(exc) or exc.__class__.__name__
