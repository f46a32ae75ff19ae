"""transport.py against a real WebSocket server (the `ws` package in Node), not a mock."""

import socket
import threading
import time
import unittest

from ._load import addon_module
from ._server import WsServer

transport = addon_module("transport")
rpc = addon_module("rpc")
errors = addon_module("errors")
wire = addon_module("wire")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TransportAgainstWsServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = WsServer("s3cret-token")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def connect(self):
        ws = transport.WebSocket.connect(self.server.url, "s3cret-token", connect_timeout=2)
        self.addCleanup(ws.close)
        return ws

    def rpc(self):
        conn = rpc.RpcConnection(self.connect())
        return conn

    def test_handshake_sends_bearer_and_host_and_no_origin(self):
        result = self.rpc().call("echo", {"hello": "wörld"}, timeout=5)
        self.assertEqual(result["params"], {"hello": "wörld"})
        self.assertEqual(result["host"], f"127.0.0.1:{self.server.port}")
        self.assertIsNone(result["origin"])
        self.assertFalse(result["isBinary"])

    def test_session_hello_is_parsed(self):
        conn = rpc.RpcConnection.open(self.server.url, "s3cret-token",
                                            wire.ClientInfo("colophon-blender", "0.1.0", "3.4.1"))
        self.addCleanup(conn.close)
        self.assertEqual(conn.server.server_name, "test-server")
        self.assertEqual(conn.server.creator, "Test Artist")
        self.assertEqual(conn.server.data_mining, "DMI-PROHIBITED")

    def test_large_frames_both_ways(self):
        conn = self.rpc()
        payload = "x" * 70_000  # needs the 16-bit length form
        self.assertEqual(conn.call("echo", {"blob": payload}, timeout=5)["params"]["blob"], payload)
        big = "é" * 40_000 + "z" * 30_000  # 110 KB of UTF-8
        self.assertEqual(conn.call("echo", {"blob": big}, timeout=5)["bytes"] > 100_000, True)
        reply = conn.call("big", {"size": 200_000}, timeout=5)  # 64-bit length form from the server
        self.assertEqual(len(reply["data"]), 200_000)
        huge = "q" * 70_000 * 1  # and 64-bit from us: > 65535 bytes
        self.assertEqual(len(conn.call("echo", {"blob": huge * 2}, timeout=5)["params"]["blob"]), 140_000)

    def test_ping_is_answered_with_pong(self):
        self.assertEqual(self.rpc().call("ping.me", {}, timeout=5)["pongs"], 1)

    def test_fragmented_message_is_reassembled(self):
        self.assertEqual(self.rpc().call("fragmented", {"parts": 4}, timeout=5), {"parts": 4})

    def test_client_fragments_are_accepted_by_server(self):
        ws = self.connect()
        text = wire.encode_request(7, "echo", {"frag": "abc" * 1000}).encode()
        ws.send_frame(transport.OP_TEXT, text[:100], fin=False)
        ws.send_frame(transport.OP_CONT, text[100:2000], fin=False)
        ws.send_frame(transport.OP_CONT, text[2000:], fin=True)
        reply = wire.decode_message(ws.recv_text(5))
        self.assertEqual(reply.id, 7)
        self.assertEqual(reply.result["params"]["frag"], "abc" * 1000)

    def test_server_close_raises_daemon_unavailable(self):
        conn = self.rpc()
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            conn.call("close.me", {}, timeout=5)
        self.assertIn("4000", str(caught.exception))
        self.assertTrue(conn.ws.closed)

    def test_server_reset_raises_daemon_unavailable(self):
        with self.assertRaises(errors.DaemonUnavailable):
            self.rpc().call("drop.me", {}, timeout=5)

    def test_error_reply_raises_protocol_error_with_key(self):
        conn = self.rpc()
        with self.assertRaises(errors.ProtocolError) as caught:
            conn.call("fail", {}, timeout=5)
        self.assertEqual(caught.exception.key, "FILE_NOT_FOUND")
        self.assertIn("/nope.png", caught.exception.message)
        # the connection stays usable after an error reply
        self.assertEqual(conn.call("echo", {"n": 1}, timeout=5)["params"], {"n": 1})

    def test_notifications_reach_the_callback_before_the_reply(self):
        seen = []
        result = self.rpc().call("notify.then.reply", {"count": 3}, timeout=5, on_notification=seen.append)
        self.assertEqual(result, {"ok": True})
        self.assertEqual([n.params["done"] for n in seen], [1, 2, 3])
        self.assertEqual({n.method for n in seen}, {"job.progress"})

    def test_read_timeout_is_daemon_unavailable_and_bounded(self):
        conn = self.rpc()
        started = time.monotonic()
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            conn.call("slow", {"ms": 3000}, timeout=0.3)
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertIn("no answer", str(caught.exception))

    def test_recv_timeout_without_message_returns_none(self):
        ws = self.connect()
        self.assertIsNone(ws.recv_text(0.2))
        ws.send_text(wire.encode_request(1, "echo", {}))
        self.assertIsNotNone(ws.recv_text(5))

    def test_bad_token_is_refused(self):
        with self.assertRaises(errors.ProtocolError) as caught:
            transport.WebSocket.connect(self.server.url, "wrong-token", connect_timeout=2)
        self.assertEqual(caught.exception.key, "UNAUTHORIZED")

    def test_close_handshake_is_clean(self):
        ws = self.connect()
        ws.close()
        self.assertTrue(ws.closed)
        ws.close()  # idempotent
        with self.assertRaises(errors.DaemonUnavailable):
            ws.send_text("{}")


class TransportWithoutServer(unittest.TestCase):
    def test_refused_connection_is_daemon_unavailable(self):
        port = free_port()
        started = time.monotonic()
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            transport.WebSocket.connect(f"ws://127.0.0.1:{port}/ws", "t", connect_timeout=1)
        self.assertIn("refused", str(caught.exception))
        self.assertLess(time.monotonic() - started, 2)

    def test_silent_listener_times_out_as_daemon_unavailable(self):
        with socket.socket() as listener:  # accepts TCP but never answers the upgrade
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            url = f"ws://127.0.0.1:{listener.getsockname()[1]}/ws"
            started = time.monotonic()
            with self.assertRaises(errors.DaemonUnavailable):
                transport.WebSocket.connect(url, "t", connect_timeout=0.5)
            self.assertLess(time.monotonic() - started, 5)

    def test_wrong_accept_key_is_rejected(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]

            def answer():
                conn, _ = listener.accept()
                with conn:
                    conn.recv(4096)
                    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 b"Sec-WebSocket-Accept: bm90LXRoZS1yaWdodC1rZXk=\r\n\r\n")
                    time.sleep(0.2)

            t = threading.Thread(target=answer, daemon=True)
            t.start()
            with self.assertRaises(errors.ProtocolError) as caught:
                transport.WebSocket.connect(f"ws://127.0.0.1:{port}/ws", "t", connect_timeout=2)
            t.join(2)
            self.assertEqual(caught.exception.key, "HANDSHAKE_FAILED")

    def test_only_loopback_ws_urls(self):
        for url in ("wss://127.0.0.1:1/ws", "ws://example.com:7717/ws", "http://127.0.0.1:7717/ws", "nonsense"):
            with self.subTest(url=url), self.assertRaises(errors.ProtocolError):
                transport.WebSocket.connect(url, "t")

    def test_frames_are_masked_with_the_right_lengths(self):
        key = b"\x01\x02\x03\x04"
        for size, header_len in ((10, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (70_000, 10)):
            frame = transport.encode_frame(transport.OP_TEXT, b"a" * size, mask_key=key)
            self.assertEqual(frame[0], 0x81)
            self.assertTrue(frame[1] & 0x80, "client frames must be masked")
            self.assertEqual(len(frame), header_len + 4 + size)
            self.assertEqual(frame[header_len:header_len + 4], key)
            body = frame[header_len + 4:]
            unmasked = bytes(b ^ key[i % 4] for i, b in enumerate(body))
            self.assertEqual(unmasked, b"a" * size)

    def test_accept_key_matches_rfc_example(self):
        # RFC 6455 section 1.3's worked example
        self.assertEqual(transport.accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")


if __name__ == "__main__":
    unittest.main()
