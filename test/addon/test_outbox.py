"""outbox.py: queueing, capped back-off, retry after a lost connection, flush; with a scripted
connection and with the real ws server."""

import json
import os
import socket
import time
import unittest

from ._load import addon_module, temp_dir
from ._server import WsServer

outbox = addon_module("outbox")
errors = addon_module("errors")
wire = addon_module("wire")
rpc = addon_module("rpc")
discovery = addon_module("discovery")


class ScriptedConnection:
    """Stands in for RpcConnection: replies from a function; records what was sent."""

    def __init__(self, log, answer):
        self.log, self.answer, self.server, self.closed = log, answer, None, False

    def call(self, method, params, timeout, on_notification=None):
        self.log.append((method, params))
        return self.answer(method, params, on_notification)

    def poll(self, timeout, on_notification):
        time.sleep(min(timeout, 0.01))

    def close(self):
        self.closed = True


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


class BackoffTests(unittest.TestCase):
    def test_delays_double_up_to_the_cap_and_reset(self):
        b = outbox.Backoff(first=0.5, cap=4.0)
        self.assertEqual([b.next_delay() for _ in range(6)], [0.5, 1.0, 2.0, 4.0, 4.0, 4.0])
        b.reset()
        self.assertEqual(b.next_delay(), 0.5)


class OutboxScripted(unittest.TestCase):
    def make(self, connect, first=0.01, cap=0.04):
        box = outbox.Outbox(connect, backoff=outbox.Backoff(first=first, cap=cap), idle_poll=0.02)
        self.addCleanup(box.stop)
        return box

    def test_retries_with_capped_backoff_until_the_daemon_appears(self):
        sent = []
        attempts = []

        def connect():
            attempts.append(time.monotonic())
            if len(attempts) <= 5:
                raise errors.DaemonUnavailable("daemon not running (no daemon.json)")
            return ScriptedConnection(sent, lambda m, p, n: {"results": [], "errors": []})

        box = self.make(connect)
        box.submit(outbox.Request("asset.process", {"paths": ["/a.png"]}, label="a"))
        self.assertTrue(wait_until(lambda: box.pending_count() == 0), "delivered once connect succeeds")
        self.assertEqual(box.delays, [0.01, 0.02, 0.04, 0.04, 0.04])
        gaps = [b - a for a, b in zip(attempts, attempts[1:])]
        for gap, delay in zip(gaps, box.delays):
            self.assertGreaterEqual(gap, delay * 0.9)
        self.assertEqual(sent, [("asset.process", {"paths": ["/a.png"]})])
        events = box.drain()
        states = [e.state for e in events if isinstance(e, outbox.StateChanged)]
        self.assertEqual(states, ["unreachable", "connected"])
        done = [e for e in events if isinstance(e, outbox.Done)]
        self.assertEqual(len(done), 1)
        self.assertIsInstance(done[0].value, wire.ProcessOutcome)

    def test_flush_gives_up_quickly_when_no_daemon(self):
        box = self.make(lambda: (_ for _ in ()).throw(errors.DaemonUnavailable("refused")), first=10, cap=10)
        box.submit(outbox.Request("asset.process", {"paths": ["/a.png"]}))
        started = time.monotonic()
        self.assertEqual(box.flush(30), 1)
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(box.state[0], outbox.STATE_UNREACHABLE)
        self.assertEqual(box.pending_count(), 1, "the request stays queued for a later retry")

    def test_lost_connection_during_send_is_retried_on_a_new_connection(self):
        sent, conns = [], []

        def answer(method, params, _n):
            if len(sent) == 1:
                raise errors.DaemonUnavailable("lost the connection (connection reset)")
            return {"results": [], "errors": []}

        def connect():
            conns.append(ScriptedConnection(sent, answer))
            return conns[-1]

        box = self.make(connect)
        box.submit(outbox.Request("asset.process", {"paths": ["/x.png"]}))
        self.assertEqual(box.flush(5), 0)
        self.assertEqual(len(sent), 2)
        self.assertEqual(len(conns), 2)
        self.assertTrue(conns[0].closed)
        self.assertEqual([type(e).__name__ for e in box.drain() if not isinstance(e, outbox.StateChanged)], ["Done"])

    def test_request_that_keeps_killing_the_connection_is_given_up(self):
        sent = []

        def answer(*_):
            raise errors.DaemonUnavailable("reset")

        box = self.make(lambda: ScriptedConnection(sent, answer))
        box.submit(outbox.Request("asset.process", {"paths": ["/poison.png"]}))
        box.submit(outbox.Request("ledger.verify", {}))
        box.flush(5)
        self.assertEqual(len(sent), 3 + 3)
        failed = [e for e in box.drain() if isinstance(e, outbox.Failed)]
        self.assertEqual([f.request.method for f in failed], ["asset.process", "ledger.verify"])

    def test_error_reply_is_a_failure_not_a_retry(self):
        sent = []

        def answer(method, params, _n):
            raise errors.ProtocolError("FILE_NOT_FOUND", f"{params['paths'][0]} does not exist")

        box = self.make(lambda: ScriptedConnection(sent, answer))
        box.submit(outbox.Request("asset.process", {"paths": ["/gone.png"]}, tag="t1"))
        self.assertEqual(box.flush(5), 0)
        self.assertEqual(len(sent), 1)
        failed = [e for e in box.drain() if isinstance(e, outbox.Failed)]
        self.assertEqual(failed[0].error.key, "FILE_NOT_FOUND")
        self.assertEqual(failed[0].request.tag, "t1")

    def test_requests_keep_their_order(self):
        sent = []
        box = self.make(lambda: ScriptedConnection(sent, lambda m, p, n: {"results": [], "errors": []}))
        for i in range(20):
            box.submit(outbox.Request("asset.process", {"paths": [f"/{i}.png"]}))
        self.assertEqual(box.flush(5), 0)
        self.assertEqual([p["paths"][0] for _, p in sent], [f"/{i}.png" for i in range(20)])

    def test_job_notifications_arrive_as_job_events(self):
        sent = []

        def answer(method, params, notify):
            notify(wire.Notification("job.progress", {"jobId": "j9", "done": 1, "total": 2}))
            return {"jobId": "j9"}

        box = self.make(lambda: ScriptedConnection(sent, answer))
        box.submit(outbox.Request("pack.process", {"path": "/pack"}))
        box.flush(5)
        events = box.drain()
        progress = [e.value for e in events if isinstance(e, outbox.JobEvent)]
        self.assertEqual(progress[0].done, 1)
        self.assertEqual([e.value for e in events if isinstance(e, outbox.Done)], ["j9"])

    def test_stop_ends_the_worker(self):
        box = self.make(lambda: (_ for _ in ()).throw(errors.DaemonUnavailable("x")), first=5, cap=5)
        box.submit(outbox.Request("ledger.verify", {}))
        box.stop(2)
        self.assertFalse(box._thread.is_alive())


class OutboxAgainstRealServer(unittest.TestCase):
    """The add-on's own path: discovery (daemon.json + token) -> RpcConnection.open -> outbox."""

    def test_queued_while_down_then_delivered_when_the_server_starts(self):
        home = temp_dir(self, "colophon-outbox-")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(os.path.join(home, "token"), "w") as fh:
            fh.write("tok-123\n")
        with open(os.path.join(home, "daemon.json"), "w") as fh:
            json.dump({"url": f"ws://127.0.0.1:{port}/ws", "pid": 1, "version": "0"}, fh)
        env = {"COLOPHON_HOME": home}
        client = wire.ClientInfo("colophon-blender", "0.1.0", "test")

        def connect():
            ep = discovery.discover("", env=env)
            return rpc.RpcConnection.open(ep.url, ep.token, client, connect_timeout=0.5)

        box = outbox.Outbox(connect, backoff=outbox.Backoff(first=0.05, cap=0.2))
        self.addCleanup(box.stop)
        box.submit(outbox.Request("asset.process", wire.process_params(["/r1.png"], "f12"), label="r1"))
        self.assertTrue(wait_until(lambda: box.state[0] == outbox.STATE_UNREACHABLE))
        self.assertEqual(box.pending_count(), 1)
        server = WsServer("tok-123", port)
        self.addCleanup(server.stop)
        self.assertEqual(box.flush(10), 0)
        done = [e for e in box.drain() if isinstance(e, outbox.Done)]
        self.assertEqual(len(done), 1)
        self.assertEqual(done[0].value.results[0].input_path, "/r1.png")
        self.assertEqual(done[0].value.results[0].source, "f12")
        self.assertEqual(box.state[0], outbox.STATE_CONNECTED)

    def test_an_idle_connection_still_answers_the_daemons_heartbeat_pings(self):
        server = WsServer("tok-hb")
        self.addCleanup(server.stop)
        client = wire.ClientInfo("colophon-blender", "0.1.0", "test")
        box = outbox.Outbox(lambda: rpc.RpcConnection.open(f"ws://127.0.0.1:{server.port}/ws", "tok-hb", client, connect_timeout=0.5), idle_read=0.2)
        self.addCleanup(box.stop)
        box.submit(outbox.Request("ping.later", {"ms": 300}, label="schedule a ping"))
        self.assertEqual(box.flush(5), 0)
        time.sleep(1.2)  # the ping arrives while nothing is queued
        box.submit(outbox.Request("pongs", {}, label="count"))
        self.assertEqual(box.flush(5), 0)
        done = [e for e in box.drain() if isinstance(e, outbox.Done)]
        self.assertEqual(done[-1].value, {"pongs": 1}, "the ping sent while idle was answered")


if __name__ == "__main__":
    unittest.main()
