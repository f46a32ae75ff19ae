# SPDX-License-Identifier: GPL-3.0-or-later
"""Saving Blender's Render Result (or any image) to the spool for the daemon, and finding the file
Blender wrote for a frame."""

import os

import bpy

from . import spool

EXR_FORMATS = {"OPEN_EXR", "OPEN_EXR_MULTILAYER"}
_SETTINGS = ("file_format", "color_mode", "color_depth", "compression")  # restored in this order after a temporary change
# A file written this long before the frame started still counts as this frame's (coarse file-system clocks).
_MTIME_SLACK = 2.0


def outputs_exr(scene):
    return scene.render.image_settings.file_format in EXR_FORMATS


def outputs_movie(scene):
    return bool(scene.render.is_movie_format)


def render_result():
    for image in bpy.data.images:
        if image.type == "RENDER_RESULT":
            return image
    raise RuntimeError("there is no Render Result yet; render first (F12)")


def written_file(scene, since):
    """The file Blender just wrote for the current frame, or None.

    An animation frame (and `-f N`) is named by `frame_path()`; a still saved with "write still"
    is the output path plus the extension, without a frame number. Only a file written since
    `since` (wall-clock seconds) counts, so an old file of the same name is never taken for a new render.
    """
    render = scene.render
    framed = bpy.path.abspath(render.frame_path(frame=scene.frame_current))
    still = bpy.path.abspath(render.filepath)
    ext = os.path.splitext(framed)[1]
    candidates = [framed, still]
    if render.use_file_extension and ext and not still.lower().endswith(ext.lower()):
        candidates.insert(1, still + ext)
    for path in candidates:
        try:
            if os.path.isfile(path) and os.stat(path).st_mtime >= since - _MTIME_SLACK:
                return path
        except OSError:
            continue
    return None


def save_render_result(scene, directory, stem):
    """Save the Render Result: (master, display). The master is the raw EXR when the scene outputs
    EXR (display is then a PNG beside it); otherwise the PNG is the master and display is None.

    This runs on Blender's main thread right after F12, so the PNG is the cheapest faithful one: 8-bit
    (what Blender's own save writes) and not compressed; `spool.deflate_png` compresses it on the worker thread.
    """
    image = render_result()
    png = save_as_png(image, scene, directory, stem, depth="8", compression=0)
    if not outputs_exr(scene):
        return png, None
    exr = spool.unique_path(directory, stem, ".exr")
    # The scene's own EXR settings (codec, depth, layers) are what the artist asked for.
    image.save_render(exr, scene=scene)
    return exr, png


def display_from_file(scene, path, directory, stem):
    """A display-referred 8-bit PNG of an EXR Blender wrote, made by Blender itself: the file is loaded
    as an image and saved with the scene's view transform, look and exposure, as the Render Result
    would be. A MultiLayer EXR gives its Combined pass. Main thread only (it adds and removes an image)."""
    image = bpy.data.images.load(path, check_existing=False)
    try:
        return save_as_png(image, scene, directory, stem, depth="8")
    finally:
        bpy.data.images.remove(image)


def save_as_png(image, scene, directory, stem, depth="16", compression=None):
    """A display-referred (view transform applied) PNG of `image`, without changing the scene for good."""
    path = spool.unique_path(directory, stem, ".png")
    settings = scene.render.image_settings
    saved = {key: getattr(settings, key) for key in _SETTINGS}
    try:
        settings.file_format = "PNG"
        settings.color_mode = saved["color_mode"] if saved["color_mode"] in {"BW", "RGB", "RGBA"} else "RGBA"
        settings.color_depth = depth
        if compression is not None:
            settings.compression = compression
        image.save_render(path, scene=scene)
    finally:
        for key in _SETTINGS:
            try:
                setattr(settings, key, saved[key])
            except (TypeError, ValueError):
                pass  # files from old Blender versions can hold a value the enum no longer has
    if not os.path.isfile(path):
        raise RuntimeError(f"Blender did not write {path}")
    return path
