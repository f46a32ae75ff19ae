# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the add-on keeps the files it saves for the daemon (render results, archive copies). bpy-free.

The spool sits beside the daemon's config (COLOPHON_HOME/spool in tests) unless the preferences
name another folder. Files there are ours: the daemon reads them and copies what it keeps into
its output root. Policy: a spooled file is removed as soon as the daemon has answered the request
that names it (it has its own copy then); a file whose request failed or never got an answer is
kept for the next session, and anything older than MAX_AGE_DAYS is removed when the add-on starts.
"""

import logging
import os
import re
import struct
import time
import zlib

from . import discovery

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_AGE_DAYS = 7


def spool_dir(override="", env=None):
    directory = override or os.path.join(discovery.config_dir(env), "spool")
    os.makedirs(directory, exist_ok=True)
    return directory


def safe_part(text, fallback="untitled"):
    """A file-name-safe version of a scene/blend name (no separators, no spaces)."""
    cleaned = _UNSAFE.sub("_", text or "").strip("._")
    return cleaned[:60] or fallback


def render_stem(blend_path, scene, frame, now=None):
    """`<blend>_<scene>_f<frame>_<yyyymmdd-hhmmss-ms>`: unique per render, readable by the artist."""
    now = time.time() if now is None else now
    blend = safe_part(os.path.splitext(os.path.basename(blend_path or ""))[0])
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1000) % 1000:03d}"
    return f"{blend}_{safe_part(scene, 'scene')}_f{int(frame):04d}_{stamp}"


def unique_path(directory, stem, ext):
    """`directory/stem.ext`, or `stem-2.ext`, ... when that already exists (two renders in one millisecond)."""
    candidate = os.path.join(directory, stem + ext)
    n = 2
    while os.path.exists(candidate):
        candidate = os.path.join(directory, f"{stem}-{n}{ext}")
        n += 1
    return candidate


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
log = logging.getLogger(__name__)


def deflate_png(path, level=6):
    """Re-compress a PNG saved without compression, in place (temp file, then rename). bpy-free, so it runs
    on the worker thread: Blender's main thread only pays for the uncompressed save after F12.
    Every chunk but the image data is kept as Blender wrote it (its text chunks carry the render's stamp)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG")
    chunks, idat, pos = [], [], len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IDAT":
            if not idat:
                chunks.append((b"IDAT", None))  # where the image data goes back
            idat.append(body)
        else:
            chunks.append((kind, body))
    pixels = zlib.compress(zlib.decompress(b"".join(idat)), level)
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        out.write(_PNG_SIGNATURE)
        for kind, body in chunks:
            body = pixels if body is None else body
            out.write(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body)))
    os.replace(tmp, path)
    return path


def inside(directory, path):
    """Whether `path` lies inside `directory` (the spool): only such files are ever removed."""
    directory, path = os.path.realpath(directory), os.path.realpath(path)
    return os.path.commonpath([directory, path]) == directory and path != directory


def remove_spooled(directory, paths):
    """Remove the files among `paths` that lie in the spool `directory`; returns how many went."""
    removed = 0
    for path in paths:
        if path and inside(directory, path):
            try:
                os.remove(path)
                removed += 1
            except OSError:
                pass  # already gone, or still open elsewhere: the age limit takes it later
    return removed


def prune(directory, keep=(), now=None, max_age_days=MAX_AGE_DAYS):
    """Remove spool files older than `max_age_days` except those in `keep` (named by waiting requests)."""
    now = time.time() if now is None else now
    keep = {os.path.realpath(p) for p in keep}
    removed = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            try:
                if os.path.realpath(path) in keep or now - os.stat(path).st_mtime < max_age_days * 86400:
                    continue
                os.remove(path)
                removed += 1
            except OSError:
                continue
    for root, dirs, _files in os.walk(directory, topdown=False):
        for name in dirs:
            try:
                os.rmdir(os.path.join(root, name))  # only empty ones
            except OSError:
                pass
    return removed
