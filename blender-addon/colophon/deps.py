# SPDX-License-Identifier: GPL-3.0-or-later
"""Turns the paths a .blend names into the real files on disk. bpy-free.

Blender names a UDIM texture once, with a `<UDIM>` (or `<UVTILE>`) token, and an image sequence
by its first frame; an archive needs every tile and every frame. operators.py gathers the raw
paths with bpy; this module expands and de-duplicates them.
"""

import glob
import os
import re

UDIM_TOKEN = "<UDIM>"
UVTILE_TOKEN = "<UVTILE>"
_FRAME_DIGITS = re.compile(r"^(.*?)(\d+)$")


def expand_udim(path, tiles=()):
    """Every tile file of a UDIM path. With `tiles` (tile numbers such as 1001) each one is listed,
    present or not; without, whatever tiles exist on disk are found."""
    if UDIM_TOKEN in path:
        if tiles:
            return [path.replace(UDIM_TOKEN, str(int(t))) for t in tiles]
        return sorted(glob.glob(glob.escape(path).replace(glob.escape(UDIM_TOKEN), "[1-9][0-9][0-9][0-9]")))
    if UVTILE_TOKEN in path:
        if tiles:
            return [path.replace(UVTILE_TOKEN, _uvtile(int(t))) for t in tiles]
        return sorted(glob.glob(glob.escape(path).replace(glob.escape(UVTILE_TOKEN), "u*_v*")))
    return [path]


def _uvtile(tile):
    index = tile - 1001
    return f"u{index % 10 + 1}_v{index // 10 + 1}"


def expand_sequence(path):
    """All frames of the image sequence whose one frame is `path` (same prefix, suffix and digit count).
    When none exist on disk, the named frame itself is returned so it is reported missing."""
    directory, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    match = _FRAME_DIGITS.match(stem)
    if not match:
        return [path]
    prefix, digits = match.groups()
    pattern = os.path.join(glob.escape(directory), glob.escape(prefix) + "[0-9]" * len(digits) + glob.escape(ext))
    frames = sorted(glob.glob(pattern))
    return frames or [path]


def sequence_frame(path, frame):
    """The file of frame `frame` in the image sequence whose one frame is `path` (same digit count), or None."""
    directory, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    match = _FRAME_DIGITS.match(stem)
    if not match:
        return None
    prefix, digits = match.groups()
    return os.path.join(directory, f"{prefix}{int(frame):0{len(digits)}d}{ext}")


def split_existing(paths):
    """(existing, missing), each de-duplicated and normalised, first occurrence order kept."""
    seen = set()
    existing, missing = [], []
    for raw in paths:
        path = os.path.normpath(raw)
        if path in seen:
            continue
        seen.add(path)
        (existing if os.path.isfile(path) else missing).append(path)
    return existing, missing
