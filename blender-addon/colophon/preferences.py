# SPDX-License-Identifier: GPL-3.0-or-later
"""Add-on preferences and Blender's own stamp note."""

import logging

import bpy
from bpy.props import BoolProperty, FloatProperty, StringProperty

from . import runtime


class _Defaults:
    """The preferences' defaults, for when the add-on runs without a preferences entry: Blender's
    `--addons` option enables an add-on without adding it to the user preferences."""

    auto_process = True
    daemon_url = ""
    creator_name = ""
    use_stamp_note = False
    spool_dir = ""
    flush_seconds = 120.0


def get(context=None):
    """This add-on's preferences (or their defaults when Blender keeps no entry for it)."""
    context = context or bpy.context
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else _Defaults


log = logging.getLogger(__name__)


def stamp_note_text(prefs):
    """The daemon's copyright and "no AI training" note for Blender's Note stamp, or None before it answered."""
    rights = runtime.status.rights(prefs.creator_name)
    return rights["stamp_note"] if rights else None


def apply_stamp_note(scenes=None):
    """Write the note into each scene's metadata settings (PNG/EXR text fields). It never turns on
    `use_stamp`, which would burn text into the pixels. Until the daemon has answered there is no note to write."""
    prefs = get()
    if not prefs.use_stamp_note:
        return
    text = stamp_note_text(prefs)
    if text is None:
        log.warning("Colophon: stamp note not written yet: it comes from the daemon's profile (%s)",
                    runtime.status.connection_text)
        return
    for scene in scenes if scenes is not None else bpy.data.scenes:
        scene.render.use_stamp_note = True
        scene.render.stamp_note_text = text


def _stamp_note_changed(self, context):
    apply_stamp_note()


def _url_changed(self, context):
    runtime.configure(url_override=self.daemon_url)


def _auto_changed(self, context):
    runtime.configure(auto_process=self.auto_process)


def _flush_changed(self, context):
    runtime.configure(flush_seconds=self.flush_seconds)


def _spool_changed(self, context):
    runtime.configure(spool_override=bpy.path.abspath(self.spool_dir) if self.spool_dir else "")


class COLOPHON_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    auto_process: BoolProperty(
        name="Process every render",
        description="Send each finished render (F12) and each written animation frame to the Colophon daemon",
        default=True,
        update=_auto_changed,
    )
    daemon_url: StringProperty(
        name="Daemon URL",
        description="Leave empty to find the running daemon through its daemon.json; otherwise ws://127.0.0.1:PORT/ws",
        default="",
        update=_url_changed,
    )
    creator_name: StringProperty(name="Creator override", description="Replaces the profile's creator name in the stamp "
                                 "note and the archive's LICENSE (empty: the daemon profile's creator)", default="",
                                 update=_stamp_note_changed)
    use_stamp_note: BoolProperty(
        name="Also write Blender's stamp note",
        description="Put the copyright and the no-AI-training statement into each render's own metadata "
                    "(Note field); nothing is drawn onto the image",
        default=False,
        update=_stamp_note_changed,
    )
    spool_dir: StringProperty(
        name="Spool folder",
        description="Where renders are saved for the daemon (empty: the 'spool' folder beside the daemon's config)",
        default="",
        subtype="DIR_PATH",
        update=_spool_changed,
    )
    flush_seconds: FloatProperty(
        name="Wait at exit (background)",
        description="In background mode (blender -b), how long to wait for the daemon before Blender quits",
        default=120.0, min=0.0, max=3600.0,
        update=_flush_changed,
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "auto_process")
        layout.prop(self, "use_stamp_note")
        layout.prop(self, "creator_name")
        layout.prop(self, "daemon_url")
        layout.prop(self, "spool_dir")
        layout.prop(self, "flush_seconds")


classes = (COLOPHON_AddonPreferences,)
