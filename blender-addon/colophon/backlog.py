# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps unsent requests across Blender sessions. bpy-free.

When Blender quits while the daemon is down, the renders are already safe in the spool but their
requests would be lost with the process. They are written to `pending.json` in the spool and
queued again the next time the add-on starts, so the render still reaches the ledger later.
"""

import json
import logging
import os

from .outbox import Request

log = logging.getLogger(__name__)

FILE_NAME = "pending.json"
# Requests worth keeping: each names files that are still there next time. Pack jobs and archives
# are started by a button press, and the artist sees at once that they did not run.
KEPT_METHODS = ("asset.process", "preview.export")


def inputs(request):
    """The files a kept request names (what must survive until it is answered)."""
    return _inputs(request)


def _inputs(request):
    params = request.params
    if request.method == "asset.process":
        return list(params.get("paths", [])) + ([params["display"]] if params.get("display") else [])
    return [params.get("path", "")]


def save(spool, requests):
    """Add `requests` to the backlog file (atomically: temp file, then rename). Returns how many were kept."""
    keep = [r for r in requests if r.method in KEPT_METHODS]
    if not keep:
        return 0
    path = os.path.join(spool, FILE_NAME)
    entries = _read(path) + [{"method": r.method, "params": r.params, "label": r.label} for r in keep]
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return len(keep)


def take(spool):
    """The saved requests whose files still exist; the backlog file is removed once read."""
    path = os.path.join(spool, FILE_NAME)
    entries = _read(path)
    if not entries:
        return []
    requests = []
    for entry in entries:
        request = Request(entry["method"], entry["params"], label=entry.get("label", ""))
        if all(os.path.isfile(p) for p in _inputs(request)):
            requests.append(request)
        else:
            log.warning("Colophon: dropped a saved request whose files are gone: %s", request.label)
    os.remove(path)
    return requests


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("Colophon: ignoring an unreadable %s (%s)", path, exc)
        return []
    good = []
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, dict) and entry.get("method") in KEPT_METHODS and isinstance(entry.get("params"), dict):
            good.append(entry)
    return good
