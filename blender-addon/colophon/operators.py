# SPDX-License-Identifier: GPL-3.0-or-later
"""The add-on's buttons. Each one queues a request and returns; results arrive through the drain
timer. In background mode (scripts, `blender -b`) there is no timer, so they wait a bounded time
and report the outcome themselves."""

import hashlib
import os
import time
import uuid

import bpy
from bpy.props import IntProperty, StringProperty

from . import archive, deps, preferences, render_files, runtime, spool, wire


def _wait_seconds():
    return preferences.get().flush_seconds


def _wait_for(tag, timeout):
    """Background mode: the Done/Failed event of the request tagged `tag`, or None."""
    runtime.flush(timeout)
    for event in reversed(runtime.status.results):
        if event.request.tag == tag:
            return event
    return None


def _report_outcome(op, tag, queued_text):
    """Interactive: say it is queued. Background: wait for the daemon and report what it did."""
    if not bpy.app.background:
        op.report({"INFO"}, queued_text)
        return
    event = _wait_for(tag, _wait_seconds())
    if event is None:
        op.report({"WARNING"}, f"Colophon: {runtime.status.connection_text}; the request stays queued")
        return
    level, text = event.request.outcome or ("INFO", f"Colophon: {event.request.label} done")
    op.report({level}, text)


class COLOPHON_OT_export_public_preview(bpy.types.Operator):
    """Make a watermarked, downscaled, stamped public preview of the current render or image"""

    bl_idname = "colophon.export_public_preview"
    bl_label = "Export Public Preview"
    bl_options = {"REGISTER"}  # no undo: nothing in the .blend changes

    long_edge: IntProperty(name="Long edge", description="Pixels; 0 = the profile's preview size",
                           default=0, min=0, max=8192)
    image_name: StringProperty(name="Image", description="Image to export (empty: the Image Editor's image, "
                               "else the last render)", default="")

    def execute(self, context):
        try:
            image = _target_image(context, self.image_name)
            files = _image_files(image, context.scene)
        except RuntimeError as exc:
            self.report({"ERROR"}, f"Colophon: {exc}")
            return {"CANCELLED"}
        tags = []
        for path, part in files:
            tags.append(uuid.uuid4().hex)
            params = wire.preview_params(path, self.long_edge or None)
            runtime.submit("preview.export", params, label=f"Public preview of {image.name}{part}", tag=tags[-1])
        what = f"{len(files)} public previews of {image.name} (one per tile)" if len(files) > 1 else f"the public preview of {image.name}"
        for tag in tags:
            _report_outcome(self, tag, f"Colophon: making {what}")
            if not bpy.app.background:
                break  # one "queued" line is enough
        return {"FINISHED"}


def _target_image(context, name=""):
    if name:
        if name not in bpy.data.images:
            raise RuntimeError(f"there is no image called {name!r}")
        return bpy.data.images[name]
    space = getattr(context, "space_data", None)
    image = getattr(space, "image", None) if space is not None and space.type == "IMAGE_EDITOR" else None
    return image if image is not None else render_files.render_result()


def _image_files(image, scene):
    """[(file, label suffix)] for `image`. A UDIM image gives one public preview per tile (each tile is a
    texture of its own on disk, as the archive lists them); an image sequence gives the frame the scene is on."""
    source = bpy.path.abspath(image.filepath, library=image.library) if image.filepath else ""
    if image.source == "TILED" and source and image.packed_file is None:
        tiles = [t.number for t in image.tiles]
        existing, missing = deps.split_existing(deps.expand_udim(source, tiles))
        if not existing:
            raise RuntimeError(f"none of the UDIM tiles of {image.name!r} is on disk ({'; '.join(missing)}); "
                               "save the tiles (Image > Save) and export again")
        return [(path, f" tile {os.path.basename(path)}") for path in existing]
    if image.source == "SEQUENCE" and source:
        frame = deps.sequence_frame(source, scene.frame_current)
        if frame and os.path.isfile(frame):
            return [(frame, f" frame {scene.frame_current}")]
        if os.path.isfile(source):
            return [(source, "")]
        raise RuntimeError(f"image sequence {image.name!r} has no file for frame {scene.frame_current} ({frame or source})")
    return [(_image_file(image, scene), "")]


def _image_file(image, scene):
    """A file the daemon can read for `image`: the image's own file when it is saved and unchanged,
    otherwise a copy in the spool."""
    if image.type != "RENDER_RESULT":
        source = bpy.path.abspath(image.filepath, library=image.library) if image.filepath else ""
        if source and os.path.isfile(source) and not image.is_dirty and image.packed_file is None:
            return source
    try:
        return _spooled_copy(image, scene)
    except RuntimeError as exc:  # e.g. a packed or missing file Blender cannot read
        raise RuntimeError(f"could not save image {image.name!r} for the daemon ({exc})") from None


def _spooled_copy(image, scene):
    """Save `image` to the spool under a name made from its content: exporting the same picture again
    gives the same file name, so the daemon finds its earlier outputs instead of adding another master."""
    directory = runtime.spool_dir("exports")
    stem = spool.safe_part(os.path.splitext(image.name)[0], "image")
    saved = render_files.save_as_png(image, scene, directory, f"{stem}.saving-{uuid.uuid4().hex}")
    digest = hashlib.sha256()
    with open(saved, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    final = os.path.join(directory, f"{stem}_{digest.hexdigest()[:12]}.png")
    os.replace(saved, final)
    return final


class COLOPHON_OT_archive_blend(bpy.types.Operator):
    """Zip a copy of this .blend (with a LICENSE text and rights properties) and every file it uses into a private archive"""

    bl_idname = "colophon.archive_blend"
    bl_label = "Archive .blend"
    bl_options = {"REGISTER"}

    def execute(self, context):
        blend = bpy.data.filepath
        if not blend:
            self.report({"ERROR"}, "Colophon: save the .blend first; the archive is made from a saved file")
            return {"CANCELLED"}
        if bpy.data.is_dirty and not bpy.app.background:  # Blender marks some files dirty on load in background mode
            self.report({"WARNING"}, f"Colophon: {os.path.basename(blend)} has unsaved changes: the zip holds what is "
                                     "open in Blender, the evidence names the file as saved on disk. Save first to keep them equal")
        # LICENSE text, copyright and licence come from the daemon's profile; without it there is nothing to write.
        if not runtime.wait_for_profile(_wait_seconds() if bpy.app.background else 0.0):
            runtime.retry_now()
            self.report({"ERROR"}, f"Colophon: the archive's LICENSE comes from the daemon's profile, and the "
                                   f"{runtime.status.connection_text}")
            return {"CANCELLED"}
        rights = runtime.status.rights(preferences.get().creator_name)
        dependencies = archive.collect_dependencies()
        existing, missing = archive.split(dependencies)
        folder = runtime.spool_dir("archives", uuid.uuid4().hex)
        try:
            copy = archive.save_licensed_copy(rights, folder)
        except (OSError, RuntimeError) as exc:
            self.report({"ERROR"}, f"Colophon: could not save the archive copy of {os.path.basename(blend)}: {exc}")
            return {"CANCELLED"}
        if missing:
            self.report({"WARNING"}, f"Colophon: {len(missing)} missing file(s): " + "; ".join(missing))
        tag = {"cleanup": folder, "id": uuid.uuid4().hex}
        # The ledger and the assetId name the original as it is on disk; the copy only goes into the zip.
        params = wire.archive_params(blend, existing + missing, copy=copy)
        runtime.submit("blend.archive", params, label=f"Archive {os.path.basename(blend)}", tag=tag)
        _report_outcome(self, tag, f"Colophon: archiving {os.path.basename(blend)} with {len(existing)} file(s)")
        return {"FINISHED"}


class COLOPHON_OT_process_pack(bpy.types.Operator):
    """Prepare a folder of assets for a marketplace (stamp, previews, private copies, archive)"""

    bl_idname = "colophon.process_pack"
    bl_label = "Process Asset Pack"
    bl_options = {"REGISTER"}

    directory: StringProperty(name="Folder", subtype="DIR_PATH")

    def invoke(self, context, event):
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        folder = bpy.path.abspath(self.directory).rstrip("/\\")
        if not folder or not os.path.isdir(folder):
            self.report({"ERROR"}, f"Colophon: {folder or 'no folder'} is not a folder; pick the pack's folder")
            return {"CANCELLED"}
        tag = uuid.uuid4().hex
        runtime.submit("pack.process", wire.pack_params(folder), label=f"Pack {os.path.basename(folder)}", tag=tag)
        if not bpy.app.background:
            self.report({"INFO"}, f"Colophon: processing pack {folder}; progress is shown in Output properties")
            return {"FINISHED"}
        started = _wait_for(tag, _wait_seconds())
        job = runtime.status.jobs.get(getattr(started, "value", None))
        if job is None:
            why = started.request.outcome[1] if started is not None else runtime.status.connection_text
            self.report({"ERROR"}, f"Colophon: the pack job did not start: {why}")
            return {"CANCELLED"}
        deadline = time.monotonic() + _wait_seconds()
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.1)
            runtime.drain()
        level, text = runtime.status.messages[-1] if runtime.status.messages else ("INFO", "")
        self.report({level if job.finished else "WARNING"}, text if job.finished else "Colophon: pack still running")
        return {"FINISHED"}


class COLOPHON_OT_cancel_pack(bpy.types.Operator):
    """Stop the running asset-pack job"""

    bl_idname = "colophon.cancel_pack"
    bl_label = "Cancel Pack"
    bl_options = {"REGISTER"}

    job_id: StringProperty(name="Job", default="")

    def execute(self, context):
        running = [j for j in runtime.status.jobs.values() if not j.finished and (not self.job_id or j.job_id == self.job_id)]
        if not running:
            self.report({"WARNING"}, "Colophon: no pack job is running")
            return {"CANCELLED"}
        for job in running:
            runtime.submit("job.cancel", wire.job_cancel_params(job.job_id), label=f"Cancel {job.label}")
        self.report({"INFO"}, f"Colophon: cancelling {', '.join(j.label for j in running)}")
        return {"FINISHED"}


class COLOPHON_OT_reconnect(bpy.types.Operator):
    """Try to reach the Colophon daemon now instead of waiting for the next retry"""

    bl_idname = "colophon.reconnect"
    bl_label = "Reconnect"
    bl_options = {"REGISTER"}

    def execute(self, context):
        runtime.retry_now()
        return {"FINISHED"}


def draw_image_menu(self, context):
    self.layout.separator()
    self.layout.operator(COLOPHON_OT_export_public_preview.bl_idname, icon="EXPORT")


classes = (
    COLOPHON_OT_export_public_preview,
    COLOPHON_OT_archive_blend,
    COLOPHON_OT_process_pack,
    COLOPHON_OT_cancel_pack,
    COLOPHON_OT_reconnect,
)


def register():
    bpy.types.IMAGE_MT_image.append(draw_image_menu)


def unregister():
    bpy.types.IMAGE_MT_image.remove(draw_image_menu)
