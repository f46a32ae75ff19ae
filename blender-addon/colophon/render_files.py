# SPDX-License-Identifier: GPL-3.0-or-later
"""Saving Blender's Render Result (or any image) to the spool for the daemon."""

import os

import bpy

from . import spool

EXR_FORMATS = {"OPEN_EXR", "OPEN_EXR_MULTILAYER"}
_SETTINGS = ("file_format", "color_mode", "color_depth")  # restored in this order after a temporary change


def outputs_exr(scene):
    return scene.render.image_settings.file_format in EXR_FORMATS


def render_result():
    for image in bpy.data.images:
        if image.type == "RENDER_RESULT":
            return image
    raise RuntimeError("there is no Render Result yet; render first (F12)")


def save_render_result(scene, directory, stem):
    """Save the Render Result: (master, display). The master is the raw EXR when the scene outputs
    EXR (display is then a 16-bit PNG beside it); otherwise the 16-bit PNG is the master and display is None."""
    image = render_result()
    png = save_as_png(image, scene, directory, stem)
    if not outputs_exr(scene):
        return png, None
    exr = spool.unique_path(directory, stem, ".exr")
    # The scene's own EXR settings (codec, depth, layers) are what the artist asked for.
    image.save_render(exr, scene=scene)
    return exr, png


def save_display_png(scene, directory, stem):
    return save_as_png(render_result(), scene, directory, stem)


def save_as_png(image, scene, directory, stem):
    """A display-referred (view transform applied) 16-bit PNG of `image`, without changing the scene for good."""
    path = spool.unique_path(directory, stem, ".png")
    settings = scene.render.image_settings
    saved = {key: getattr(settings, key) for key in _SETTINGS}
    try:
        settings.file_format = "PNG"
        settings.color_mode = saved["color_mode"] if saved["color_mode"] in {"BW", "RGB", "RGBA"} else "RGBA"
        settings.color_depth = "16"
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
