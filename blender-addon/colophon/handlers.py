# SPDX-License-Identifier: GPL-3.0-or-later
"""Render handlers: save what Blender rendered and queue it for the daemon.

A still render (F12) ends in `render_complete`: the Render Result is saved to the spool as a
display-referred 16-bit PNG (plus the raw EXR when the scene outputs EXR) and sent with source
"f12". An animation calls `render_write` once per written frame and then `render_complete` once;
each written file is sent with source "animation" and `render_complete` sends nothing more.

A still saved with "write still" also calls `render_write` once, so the first write of a job is
held back until a second one proves it is an animation. A one-frame animation therefore counts
as a still.

Handlers never talk to the network and never let an exception reach Blender.
"""

import logging
import time

import bpy
from bpy.app.handlers import persistent

from . import preferences, render_files, runtime, spool, wire

log = logging.getLogger(__name__)

_job = {"frame_started": None, "seconds": None, "writes": 0, "held": None}


def _reset():
    _job.update(frame_started=None, seconds=None, writes=0, held=None)


def _enabled():
    # A plain copy of the preference: render_write runs on the render thread in the UI, where
    # reading Blender's preferences is not safe.
    return runtime.auto_process()


@persistent
def on_render_init(scene, *_args):
    _reset()


@persistent
def on_render_pre(scene, *_args):
    _job["frame_started"] = time.monotonic()


@persistent
def on_render_post(scene, *_args):
    if _job["frame_started"] is not None:
        _job["seconds"] = time.monotonic() - _job["frame_started"]


@persistent
def on_render_write(scene, *_args):
    try:
        if not _enabled():
            return
        frame = _written_frame(scene)
        _job["writes"] += 1
        if _job["writes"] == 1:
            _job["held"] = frame
            return
        if _job["held"] is not None:
            _send(_job["held"])
            _job["held"] = None
        _send(frame)
    except Exception:
        log.exception("Colophon: could not queue the written frame; the render goes on")


@persistent
def on_render_complete(scene, *_args):
    try:
        if _enabled() and _job["writes"] < 2:
            _send(_still(scene))
    except Exception:
        log.exception("Colophon: could not queue the finished render; the render itself is fine")
    finally:
        _reset()


@persistent
def on_render_cancel(scene, *_args):
    try:
        if _job["held"] is not None:  # a cancelled animation still wrote its first frame
            _send(_job["held"])
    except Exception:
        log.exception("Colophon: could not queue the written frame")
    finally:
        _reset()


@persistent
def on_load_post(*_args):
    preferences.apply_stamp_note()


def _written_frame(scene):
    """Plain data for the file Blender just wrote for the current frame."""
    path = bpy.path.abspath(scene.render.frame_path(frame=scene.frame_current))
    display = None
    # Saving the display PNG changes the scene's output settings for a moment. In the UI this
    # handler runs on the render thread, where that is unsafe, so there the daemon tone-maps the EXR itself.
    if render_files.outputs_exr(scene) and bpy.app.background:
        stem = spool.render_stem(bpy.data.filepath, scene.name, scene.frame_current)
        display = render_files.save_display_png(scene, runtime.spool_dir("renders"), stem)
    return {
        "paths": [path], "display": display, "source": "animation",
        "context": render_context(scene), "label": f"{scene.name} frame {scene.frame_current}",
    }


def _still(scene):
    """Save the Render Result to the spool; plain data for the request."""
    stem = spool.render_stem(bpy.data.filepath, scene.name, scene.frame_current)
    master, display = render_files.save_render_result(scene, runtime.spool_dir("renders"), stem)
    return {
        "paths": [master], "display": display, "source": "f12",
        "context": render_context(scene), "label": f"Render {scene.name} frame {scene.frame_current}",
    }


def _send(item):
    params = wire.process_params(item["paths"], item["source"], item["context"], item["display"])
    runtime.submit("asset.process", params, label=item["label"])


def render_context(scene):
    render = scene.render
    scale = render.resolution_percentage / 100.0
    return wire.RenderContext(
        blend_file=bpy.data.filepath or None,
        scene=scene.name,
        frame=scene.frame_current,
        camera=scene.camera.name if scene.camera else None,
        engine=render.engine,
        samples=_samples(scene),
        resolution=(max(1, int(render.resolution_x * scale)), max(1, int(render.resolution_y * scale))),
        render_seconds=_job["seconds"],
        blender_version=bpy.app.version_string,
    )


def _samples(scene):
    engine = scene.render.engine
    if engine == "CYCLES" and hasattr(scene, "cycles"):
        return int(scene.cycles.samples)
    if engine.startswith("BLENDER_EEVEE"):
        return int(scene.eevee.taa_render_samples)
    return None


_HANDLERS = (
    ("render_init", on_render_init),
    ("render_pre", on_render_pre),
    ("render_post", on_render_post),
    ("render_write", on_render_write),
    ("render_complete", on_render_complete),
    ("render_cancel", on_render_cancel),
    ("load_post", on_load_post),
)


def register():
    for name, fn in _HANDLERS:
        handlers = getattr(bpy.app.handlers, name)
        if fn not in handlers:
            handlers.append(fn)


def unregister():
    for name, fn in _HANDLERS:
        handlers = getattr(bpy.app.handlers, name)
        if fn in handlers:
            handlers.remove(fn)
