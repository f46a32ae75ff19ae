# SPDX-License-Identifier: GPL-3.0-or-later
"""The add-on's one outbox, its drain timer and the exit flush: the glue between Blender and outbox.py.

Everything the worker thread reads lives in `_settings` as plain values, copied here on the main
thread; the worker never reads Blender data.
"""

import atexit
import logging
import os
import shutil
import sys
import time

import bpy

from . import backlog, discovery, meta, outbox, spool, wire
from .status import Status
from .rpc import RpcConnection

log = logging.getLogger(__package__)

status = Status()
_settings = {"url": "", "spool": "", "flush_seconds": 120.0, "auto_process": True}
_state = {"outbox": None, "client": None, "on_server_changed": None}
_TIMER_SECONDS = 0.25
_REDRAW_AREAS = {"PROPERTIES", "IMAGE_EDITOR", "STATUSBAR"}


def configure(url_override=None, spool_override=None, flush_seconds=None, auto_process=None):
    """Copy preference values here (main thread) for the worker and the render-thread handlers."""
    if auto_process is not None:
        _settings["auto_process"] = bool(auto_process)
    if url_override is not None and url_override != _settings["url"]:
        _settings["url"] = url_override
        box = _state["outbox"]
        if box is not None:
            box.reconnect()
    if spool_override is not None:
        _settings["spool"] = spool_override
    if flush_seconds is not None:
        _settings["flush_seconds"] = float(flush_seconds)


def spool_dir(*sub):
    """The spool folder (made if needed), or a subfolder of it."""
    path = os.path.join(spool.spool_dir(_settings["spool"]), *sub)
    os.makedirs(path, exist_ok=True)
    return path


def _connect():
    # Runs on the worker thread.
    endpoint = discovery.discover(_settings["url"])
    return RpcConnection.open(endpoint.url, endpoint.token, _state["client"])


def start(prefs, on_server_changed=None):
    """Start with the add-on's preferences (or their defaults); `on_server_changed()` runs on the main thread
    each time the daemon (re)connects, since what it says (the stamp note's wording) may have changed."""
    _setup_logging()
    _state["on_server_changed"] = on_server_changed
    configure(prefs.daemon_url, bpy.path.abspath(prefs.spool_dir) if prefs.spool_dir else "", prefs.flush_seconds,
              prefs.auto_process)
    _state["client"] = wire.ClientInfo(meta.NAME, meta.VERSION, bpy.app.version_string)
    _state["outbox"] = outbox.Outbox(_connect)
    _state["outbox"].connect_soon()  # learn the daemon's profile (stamp note, LICENSE text) before it is needed
    _resume_backlog()
    if not bpy.app.timers.is_registered(_drain_timer):
        bpy.app.timers.register(_drain_timer, first_interval=_TIMER_SECONDS, persistent=True)
    atexit.register(_flush_at_exit)


def stop():
    # Blender disables every add-on before it quits (before Python's atexit runs), so in background
    # mode this is where queued renders get their bounded chance to reach the daemon.
    _flush_at_exit()
    atexit.unregister(_flush_at_exit)
    if bpy.app.timers.is_registered(_drain_timer):
        bpy.app.timers.unregister(_drain_timer)
    box = _state["outbox"]
    _state["outbox"] = None
    if box is not None:
        box.stop()
        _save_backlog(box)


def _resume_backlog():
    try:
        requests = backlog.take(spool_dir())
    except OSError:
        log.exception("Colophon: could not read the saved requests")
        return
    for request in requests:
        _state["outbox"].submit(request)
    try:
        removed = spool.prune(spool_dir(), keep=[p for r in requests for p in backlog.inputs(r)])
        if removed:
            log.info("Colophon: removed %d spool file(s) older than %d days", removed, spool.MAX_AGE_DAYS)
    except OSError:
        log.exception("Colophon: could not tidy the spool")
    if requests:
        log.info("Colophon: %d render(s) from an earlier session queued again", len(requests))


def _save_backlog(box):
    try:
        kept = backlog.save(spool_dir(), box.pending_requests())
    except OSError:
        log.exception("Colophon: could not save the unsent requests")
        return
    if kept:
        log.warning("Colophon: %d unsent request(s) saved; they are sent when Blender next starts with the daemon running", kept)


def submit(method, params, label, timeout=600.0, tag=None, prepare=None):
    """Queue one request for the worker; returns at once. `prepare` (bpy-free) runs on the worker before sending."""
    box = _state["outbox"]
    if box is None:
        raise RuntimeError("the Colophon add-on is not running")
    box.submit(outbox.Request(method, params, label=label, timeout=timeout, tag=tag, prepare=prepare))


def auto_process():
    return _settings["auto_process"]


def wait_for_profile(timeout):
    """Connect (bounded wait) so `status.rights()` holds the daemon's profile. For scripts and background mode,
    and for the archive button; returns True when the profile is known."""
    box = _state["outbox"]
    if box is None:
        return False
    if status.rights() is None:
        box.wait_connected(timeout)
        deadline = time.monotonic() + 1.0  # the connected event is on its way to the inbound queue
        while status.rights() is None and box.state[0] == outbox.STATE_CONNECTED and time.monotonic() < deadline:
            drain()
            time.sleep(0.01)
        drain()
    return status.rights() is not None


def pending_count():
    box = _state["outbox"]
    return box.pending_count() if box is not None else 0


def retry_now():
    box = _state["outbox"]
    if box is not None:
        box.retry_now()


def drain():
    """Apply every waiting outbox event to `status`; returns the (level, text) messages produced."""
    box = _state["outbox"]
    if box is None:
        return []
    said = []
    for event in box.drain():
        _cleanup(event)
        message = status.apply(event)
        if isinstance(event, outbox.StateChanged) and event.server is not None and _state["on_server_changed"]:
            _state["on_server_changed"]()
        if message is not None:
            level, text = message
            log.log(logging.WARNING if level in ("WARNING", "ERROR") else logging.INFO, "%s", text)
            said.append(message)
    if said and not bpy.app.background:
        _redraw()
    return said


def _cleanup(event):
    """Remove temporary files a request no longer needs: the folder holding an archive's licensed copy, and
    (once the daemon has answered, so it holds its own copy) the spooled files a render or export named."""
    request = getattr(event, "request", None)
    tag = getattr(request, "tag", None)
    if isinstance(tag, dict) and tag.get("cleanup"):
        shutil.rmtree(tag["cleanup"], ignore_errors=True)
    failed = isinstance(getattr(event, "value", None), wire.ProcessOutcome) and event.value.errors
    if isinstance(event, outbox.Done) and request.method in backlog.KEPT_METHODS and not failed:
        box = _state["outbox"]
        waiting = {p for r in (box.pending_requests() if box else ()) if r.method in backlog.KEPT_METHODS
                   for p in backlog.inputs(r)}  # the same export clicked again names the same file
        spool.remove_spooled(spool_dir(), [p for p in backlog.inputs(request) if p not in waiting])


def flush(timeout):
    """Bounded wait for everything queued (background mode and scripts); then drain. Returns what is left."""
    box = _state["outbox"]
    if box is None:
        return 0
    left = box.flush(timeout)
    drain()
    return left


def _drain_timer():
    try:
        drain()
    except Exception:  # a timer that raises is removed by Blender; keep ours alive
        log.exception("Colophon: applying daemon results failed")
    return _TIMER_SECONDS


def _flush_at_exit():
    if not bpy.app.background or _state["outbox"] is None:
        return
    left = flush(_settings["flush_seconds"])
    if left:
        log.warning("Colophon: %d request(s) not delivered before Blender quit: %s", left, status.connection_text)


def _redraw():
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type in _REDRAW_AREAS:
                area.tag_redraw()


def _setup_logging():
    # Blender installs no logging handler; without one, INFO lines (where a preview went) would be lost.
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
