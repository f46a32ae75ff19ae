# SPDX-License-Identifier: GPL-3.0-or-later
"""The "Open dashboard" button. A worker thread asks the daemon for a one-time login URL
(`dashboard.login` over the token-authenticated WebSocket); a timer on the main thread opens it in
the browser, so Blender's UI never waits on the network."""

import queue
import threading
import webbrowser

import bpy

from . import discovery, meta, preferences, rpc, wire
from .errors import DaemonUnavailable, ProtocolError

_ANSWER_TIMEOUT = 5.0
_POLL_SECONDS = 0.2
_replies = queue.Queue()
_busy = threading.Event()


def login_url(url_override="", client=None, timeout=_ANSWER_TIMEOUT):
    """The daemon's one-time dashboard URL. Raises DaemonUnavailable or ProtocolError."""
    endpoint = discovery.discover(url_override)
    conn = rpc.RpcConnection.open(endpoint.url, endpoint.token, client or wire.ClientInfo(meta.NAME, meta.VERSION))
    try:
        result = conn.call("dashboard.login", {}, timeout)
    finally:
        conn.close()
    url = result.get("url") if isinstance(result, dict) else None
    # Only ever open the daemon's own loopback page, whatever came back.
    if not isinstance(url, str) or not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ProtocolError("INTERNAL", f"the daemon sent an unexpected dashboard address: {url!r}")
    return url


def _ask(url_override, client):
    try:
        _replies.put(("ok", login_url(url_override, client)))
    except DaemonUnavailable as exc:
        _replies.put(("error", f"Colophon: no daemon to open the dashboard of ({exc}). Start `colophon serve`."))
    except ProtocolError as exc:
        _replies.put(("error", f"Colophon: the daemon refused the dashboard login ({exc.message})."))
    except Exception as exc:  # the worker must always answer, or the button stays busy
        _replies.put(("error", f"Colophon: could not open the dashboard ({exc})."))


def _deliver():
    try:
        kind, value = _replies.get_nowait()
    except queue.Empty:
        return _POLL_SECONDS
    _busy.clear()
    if kind == "ok":
        try:
            bpy.ops.wm.url_open(url=value)
        except (RuntimeError, AttributeError):
            webbrowser.open(value)
    else:
        print(value)
        _report(value)
    return None  # one-shot timer: done


def _report(text):
    wm = getattr(bpy.context, "window_manager", None)
    if wm is not None and hasattr(wm, "popup_menu"):
        wm.popup_menu(lambda menu, _ctx: menu.layout.label(text=text), title="Colophon", icon="ERROR")


class COLOPHON_OT_open_dashboard(bpy.types.Operator):
    """Open the local Colophon dashboard in your browser (one-time login link from the daemon)"""

    bl_idname = "colophon.open_dashboard"
    bl_label = "Open Dashboard"
    bl_options = {"REGISTER"}

    def execute(self, context):
        if _busy.is_set():
            self.report({"INFO"}, "Colophon: already asking the daemon for the dashboard link")
            return {"CANCELLED"}
        client = wire.ClientInfo(meta.NAME, meta.VERSION, bpy.app.version_string)
        url_override = preferences.get(context).daemon_url
        if bpy.app.background:
            # No event loop for timers and no desktop to open: ask, wait briefly, print the link.
            try:
                url = login_url(url_override, client)
            except (DaemonUnavailable, ProtocolError) as exc:
                # A missing daemon is a normal state: warn (an ERROR report would raise in the calling script).
                self.report({"WARNING"}, f"Colophon: cannot get a dashboard link ({exc})")
                return {"CANCELLED"}
            self.report({"INFO"}, f"Colophon dashboard (one-time link): {url}")
            return {"FINISHED"}
        _busy.set()
        threading.Thread(target=_ask, args=(url_override, client), name="colophon-dashboard", daemon=True).start()
        bpy.app.timers.register(_deliver, first_interval=_POLL_SECONDS)
        self.report({"INFO"}, "Colophon: opening the dashboard")
        return {"FINISHED"}


classes = (COLOPHON_OT_open_dashboard,)
