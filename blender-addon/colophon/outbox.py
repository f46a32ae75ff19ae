# SPDX-License-Identifier: GPL-3.0-or-later
"""Outbound queue and the one worker thread that owns the daemon connection. bpy-free.

Threading rules: Blender's main thread only calls `submit`, `drain`, `flush` and `stop`, and only
passes plain data. The worker never touches bpy; it connects, sends, waits for replies and puts
plain events on the inbound queue, which a timer on the main thread drains. A daemon that is not
running is a normal state: requests wait in the queue and the worker retries with capped
exponential back-off.
"""

import collections
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from . import wire
from .errors import DaemonUnavailable, ProtocolError

log = logging.getLogger(__name__)

# How to read each method's result; anything else is passed through as the raw value.
_PARSERS = {
    "asset.process": wire.parse_process_result,
    "preview.export": wire.parse_asset_result,
    "blend.archive": wire.parse_archive_result,
    "pack.process": wire.parse_job_started,
}

STATE_IDLE = "idle"  # nothing tried yet
STATE_CONNECTED = "connected"
STATE_UNREACHABLE = "unreachable"  # no daemon answered: normal, keep retrying
STATE_REFUSED = "refused"  # a daemon answered but refused us (bad token, wrong protocol): retrying, user must act


@dataclass
class Request:
    method: str
    params: dict
    label: str = ""  # what the artist would call it ("render Scene frame 1")
    timeout: float = 600.0  # seconds to wait for the reply once sent
    tag: object = None  # echoed back untouched in the result event
    attempts: int = 0  # sends that died with the connection
    outcome: tuple = None  # (level, text) for the artist, set on the main thread once answered
    prepare: object = None  # bpy-free callable run on the worker just before the first send (e.g. compress a PNG)


@dataclass(frozen=True)
class Done:
    request: Request
    value: object


@dataclass(frozen=True)
class Failed:
    request: Request
    error: Exception


@dataclass(frozen=True)
class StateChanged:
    state: str
    message: str
    server: object = None


@dataclass(frozen=True)
class JobEvent:
    value: object  # wire.JobProgress or wire.JobFinished


@dataclass
class Backoff:
    """Capped exponential delays: first, first*2, first*4, ... never above `cap`."""

    first: float = 0.5
    cap: float = 30.0
    failures: int = 0

    def next_delay(self):
        self.failures += 1
        return min(self.cap, self.first * (2 ** (self.failures - 1)))

    def reset(self):
        self.failures = 0


@dataclass
class _Shared:
    pending: collections.deque = field(default_factory=collections.deque)
    in_flight: Request = None
    connect_attempts: int = 0  # how many connects finished (either way); flush() watches it
    last_connect_ok: bool = False
    state: str = STATE_IDLE
    message: str = ""
    retry_at: float = 0.0
    reconnect: bool = False
    want_connection: bool = False  # connect even with nothing to send (to learn the daemon's profile)
    stopping: bool = False


class Outbox:
    """Queue + worker. `connect()` returns an object with call/poll/close and a `server` attribute."""

    MAX_SEND_ATTEMPTS = 3  # a request whose send keeps killing the connection is given up
    MAX_PENDING = 1000

    def __init__(self, connect, backoff=None, idle_poll=0.25, idle_read=5.0):
        self._connect = connect
        # While idle the worker still reads the open connection this often, so it answers the daemon's heartbeat
        # pings (the daemon drops a client that misses one) and notices at once when the daemon has gone.
        self._idle_read = idle_read
        self.backoff = backoff or Backoff()
        self.delays = []  # every back-off delay used, newest last (status and tests read it)
        self._idle_poll = idle_poll
        self._cv = threading.Condition()
        self._s = _Shared()
        self._inbound = queue.SimpleQueue()
        self._jobs = set()  # pack jobs whose progress we still expect (worker only)
        self._conn = None  # worker only
        self._thread = threading.Thread(target=self._run, name="colophon-outbox", daemon=True)
        self._thread.start()

    # ---- main-thread API -------------------------------------------------------------------

    def submit(self, request):
        with self._cv:
            if len(self._s.pending) >= self.MAX_PENDING:
                dropped = self._s.pending.popleft()
                self._inbound.put(Failed(dropped, DaemonUnavailable("too many requests waiting for the daemon")))
            self._s.pending.append(request)
            self._cv.notify_all()

    def drain(self, limit=100):
        """Up to `limit` inbound events, oldest first, without waiting."""
        events = []
        while len(events) < limit:
            try:
                events.append(self._inbound.get_nowait())
            except queue.Empty:
                break
        return events

    def pending_requests(self):
        """Copies of every request not yet answered, oldest first (to keep them across a restart)."""
        with self._cv:
            waiting = ([self._s.in_flight] if self._s.in_flight else []) + list(self._s.pending)
            return [Request(r.method, r.params, r.label, r.timeout) for r in waiting]

    def pending_count(self):
        with self._cv:
            return len(self._s.pending) + (1 if self._s.in_flight else 0)

    @property
    def state(self):
        with self._cv:
            return self._s.state, self._s.message

    def retry_now(self):
        """Skip the current back-off wait (the artist pressed Reconnect, or we are about to exit)."""
        with self._cv:
            self._s.retry_at = 0.0
            self._cv.notify_all()

    def connect_soon(self):
        """Connect without waiting for a request, so the daemon's profile is known before the first render."""
        with self._cv:
            self._s.want_connection = True
            self._s.retry_at = 0.0
            self._cv.notify_all()

    def wait_connected(self, timeout):
        """Connect now if not connected and wait, at most `timeout` seconds, for that attempt. True when connected."""
        deadline = time.monotonic() + timeout
        with self._cv:
            if self._s.state == STATE_CONNECTED:
                return True
            before = self._s.connect_attempts
            self._s.want_connection = True
            self._s.retry_at = 0.0
            self._cv.notify_all()
            while self._s.connect_attempts == before:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    break
                self._cv.wait(remaining)
            return self._s.connect_attempts > before and self._s.last_connect_ok

    def reconnect(self):
        """Drop the current connection and connect again (the daemon URL preference changed)."""
        with self._cv:
            self._s.reconnect = True
            self._s.retry_at = 0.0
            self._cv.notify_all()

    def flush(self, timeout):
        """Wait until everything queued has been answered, at most `timeout` seconds.

        Gives up early when a fresh connection attempt fails: with no daemon there is nothing to wait
        for. Returns how many requests are still unsent or unanswered.
        """
        deadline = time.monotonic() + timeout
        with self._cv:
            attempts_before = self._s.connect_attempts
            self._s.retry_at = 0.0
            self._cv.notify_all()
            while self._s.pending or self._s.in_flight:
                if self._s.connect_attempts > attempts_before and not self._s.last_connect_ok:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    break
                self._cv.wait(remaining)
            return len(self._s.pending) + (1 if self._s.in_flight else 0)

    def stop(self, timeout=2.0):
        with self._cv:
            self._s.stopping = True
            self._cv.notify_all()
        self._thread.join(timeout)

    # ---- worker ----------------------------------------------------------------------------

    def _run(self):
        while True:
            with self._cv:
                if self._s.stopping:
                    break
                if self._s.reconnect:
                    self._s.reconnect = False
                    self._close_conn()
                request = self._s.pending[0] if self._s.pending else None
                wait = self._s.retry_at - time.monotonic()
                connect_only = request is None and self._conn is None and self._s.want_connection
                if connect_only and wait > 0:
                    self._cv.wait(min(wait, 5.0))
                    continue
                idle = request is None and not connect_only and not (self._jobs and self._conn)
                if idle:
                    self._cv.wait(self._idle_poll if self._jobs else self._idle_read)
                    if self._conn is None or self._s.pending or self._s.stopping or self._s.reconnect:
                        continue
                if request is not None and self._conn is None and wait > 0:
                    self._cv.wait(wait)
                    continue
            try:
                if connect_only:
                    if self._ensure_connected():
                        with self._cv:
                            self._s.want_connection = False
                elif request is None:
                    self._poll_jobs()  # also answers heartbeat pings while idle
                elif self._ensure_connected():
                    self._send(request)
            except Exception:  # never let the worker die; a bug here must not stop later sends
                log.exception("colophon outbox worker error")
                self._close_conn()
        self._close_conn()

    def _ensure_connected(self):
        if self._conn is not None:
            return True
        try:
            conn = self._connect()
        except (DaemonUnavailable, ProtocolError) as exc:
            state = STATE_UNREACHABLE if isinstance(exc, DaemonUnavailable) else STATE_REFUSED
            delay = self.backoff.next_delay()
            self.delays.append(delay)
            with self._cv:
                self._s.connect_attempts += 1
                self._s.last_connect_ok = False
                self._s.retry_at = time.monotonic() + delay
                self._cv.notify_all()
            self._set_state(state, str(exc.message if isinstance(exc, ProtocolError) else exc))
            return False
        self._conn = conn
        self.backoff.reset()
        with self._cv:
            self._s.connect_attempts += 1
            self._s.last_connect_ok = True
            self._cv.notify_all()
        server = getattr(conn, "server", None)
        self._set_state(STATE_CONNECTED, "connected", server)
        return True

    def _send(self, request):
        with self._cv:
            self._s.pending.popleft()
            self._s.in_flight = request
        event = None
        if request.prepare is not None:
            prepare, request.prepare = request.prepare, None
            try:
                prepare()
            except Exception:  # the request is still worth sending as it is
                log.exception("colophon: preparing %s failed", request.label)
        try:
            raw = self._conn.call(request.method, request.params, request.timeout, self._on_notification)
            parser = _PARSERS.get(request.method)
            value = parser(raw) if parser else raw
            if request.method == "pack.process":
                self._jobs.add(value)
            event = Done(request, value)
        except DaemonUnavailable as exc:
            self._close_conn()
            request.attempts += 1
            if request.attempts >= self.MAX_SEND_ATTEMPTS:
                event = Failed(request, exc)
            else:
                with self._cv:
                    self._s.pending.appendleft(request)
                self._set_state(STATE_UNREACHABLE, str(exc))
        except ProtocolError as exc:
            event = Failed(request, exc)
        finally:
            if event is not None:
                self._inbound.put(event)
            with self._cv:
                self._s.in_flight = None
                self._cv.notify_all()

    def _poll_jobs(self):
        try:
            self._conn.poll(self._idle_poll, self._on_notification)
        except (DaemonUnavailable, ProtocolError) as exc:
            self._close_conn()
            for job_id in list(self._jobs):
                self._inbound.put(JobEvent(wire.JobFinished(job_id, error=wire.FailureInfo("", "DISCONNECTED", str(exc)))))
            self._jobs.clear()
            self._set_state(STATE_UNREACHABLE, str(exc))

    def _on_notification(self, note):
        if note.method == "job.progress":
            self._inbound.put(JobEvent(wire.parse_job_progress(note.params)))
        elif note.method == "job.finished":
            finished = wire.parse_job_finished(note.params)
            self._jobs.discard(finished.job_id)
            self._inbound.put(JobEvent(finished))

    def _close_conn(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                log.debug("closing the daemon connection failed", exc_info=True)
            self._conn = None

    def _set_state(self, state, message, server=None):
        with self._cv:
            changed = (state, message) != (self._s.state, self._s.message)
            self._s.state, self._s.message = state, message
        if changed:
            self._inbound.put(StateChanged(state, message, server))
