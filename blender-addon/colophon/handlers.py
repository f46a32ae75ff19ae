# SPDX-License-Identifier: GPL-3.0-or-later
"""Render handlers: save what Blender rendered and queue it for the daemon.

Every frame Blender writes to disk calls `render_write` (an animation, `blender -b f.blend -f N`
or `-a`, and a still saved with "write still"); that file is the master, sent as it is. A render
that writes nothing (F12) ends in `render_complete` with no write: the Render Result is saved to
the spool as a display-referred 8-bit PNG (plus the raw EXR when the scene outputs EXR) and sent
with source "f12". So each render is sent once, whichever way it was started.

The first write of a job is held back until a second one proves it is an animation (source
"animation"); a job that wrote one frame counts as a still ("f12"). A held frame is sent when the
job completes, is cancelled, or the add-on stops.

A written EXR needs a display-referred rendition for the preview. In background mode `render_write`
runs on the main thread and nothing waits on it, so Blender itself saves a PNG of the EXR with the
scene's view transform. With the UI it runs on the render thread, where adding an image is not
safe, so the EXR goes alone and the daemon tone-maps it. Movie outputs are not processed.

Handlers never talk to the network and never let an exception reach Blender.
"""

import logging
import time

import bpy
from bpy.app.handlers import persistent

from . import preferences, render_files, runtime, spool, wire

log = logging.getLogger(__name__)

_job = {"frame_started": None, "frame_wall": 0.0, "seconds": None, "writes": 0, "held": None, "movie_said": False}


def _reset():
    _job.update(frame_started=None, frame_wall=0.0, seconds=None, writes=0, held=None, movie_said=False)


def _enabled():
    # A plain copy of the preference: render_write runs on the render thread in the UI, where
    # reading Blender's preferences is not safe.
    return runtime.auto_process()


@persistent
def on_render_init(scene, *_args):
    _reset()
    try:
        # A farm render starts right after Blender does: wait (bounded) for the daemon's wording of the note.
        if bpy.app.background and preferences.get().use_stamp_note:
            runtime.wait_for_profile(10.0)
            preferences.apply_stamp_note([scene])
    except Exception:
        log.exception("Colophon: could not write the stamp note; the render goes on")


@persistent
def on_render_pre(scene, *_args):
    _job["frame_started"] = time.monotonic()
    _job["frame_wall"] = time.time()


@persistent
def on_render_post(scene, *_args):
    if _job["frame_started"] is not None:
        _job["seconds"] = time.monotonic() - _job["frame_started"]


@persistent
def on_render_write(scene, *_args):
    try:
        if not _enabled():
            return
        _job["writes"] += 1  # counted even when not sent, so render_complete does not send the Render Result
        if render_files.outputs_movie(scene):
            _say_movie(scene)
            return
        frame = _written_frame(scene)
        if frame is None:
            return
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
        if _enabled() and _job["writes"] == 0:
            _send(_still(scene))
        else:
            release_held()
    except Exception:
        log.exception("Colophon: could not queue the finished render; the render itself is fine")
    finally:
        _reset()


@persistent
def on_render_cancel(scene, *_args):
    try:
        release_held()  # a cancelled animation still wrote its first frame
    except Exception:
        log.exception("Colophon: could not queue the written frame")
    finally:
        _reset()


@persistent
def on_load_post(*_args):
    preferences.apply_stamp_note()


def release_held():
    """Send the held first frame as a still (the job wrote only that one), if there is one."""
    held, _job["held"] = _job["held"], None
    if held is not None:
        held["source"] = "f12"
        _send(held)


def _say_movie(scene):
    if not _job["movie_said"]:
        _job["movie_said"] = True
        path = bpy.path.abspath(scene.render.frame_path(frame=scene.frame_current))
        log.warning("Colophon: not processed: movie output (%s). Render to an image format (PNG, EXR, ...) "
                    "for Colophon to record each frame, or run `colophon process` on the finished movie.", path)


def _written_frame(scene):
    """Plain data for the file Blender just wrote for the current frame, or None when none is found."""
    path = render_files.written_file(scene, _job["frame_wall"])
    if path is None:
        log.warning("Colophon: Blender reported frame %d of %s as written, but no new file was found at %s; not processed",
                    scene.frame_current, scene.name, bpy.path.abspath(scene.render.frame_path(frame=scene.frame_current)))
        return None
    display = None
    if render_files.outputs_exr(scene) and bpy.app.background:
        stem = spool.render_stem(bpy.data.filepath, scene.name, scene.frame_current)
        display = render_files.display_from_file(scene, path, runtime.spool_dir("renders"), stem)
    return {
        "paths": [path], "display": display, "source": "animation",
        "context": render_context(scene), "label": f"{scene.name} frame {scene.frame_current}",
    }


def _still(scene):
    """Save the Render Result to the spool; plain data for the request."""
    stem = spool.render_stem(bpy.data.filepath, scene.name, scene.frame_current)
    master, display = render_files.save_render_result(scene, runtime.spool_dir("renders"), stem)
    png = display or master
    return {
        "paths": [master], "display": display, "source": "f12",
        "context": render_context(scene), "label": f"Render {scene.name} frame {scene.frame_current}",
        "prepare": lambda: spool.deflate_png(png),
    }


def _send(item):
    params = wire.process_params(item["paths"], item["source"], item["context"], item["display"])
    runtime.submit("asset.process", params, label=item["label"], prepare=item.get("prepare"))


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
    try:
        release_held()  # a job still running when the add-on stops (Blender quitting after a failed render)
    except Exception:
        log.exception("Colophon: could not queue the written frame")
    for name, fn in _HANDLERS:
        handlers = getattr(bpy.app.handlers, name)
        if fn in handlers:
            handlers.remove(fn)
