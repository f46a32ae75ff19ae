# SPDX-License-Identifier: GPL-3.0-or-later
"""The Colophon panel in Output properties and a short line in the status bar. Draw code only reads `runtime.status`."""

import bpy

from . import outbox, runtime

_ICONS = {
    outbox.STATE_CONNECTED: "CHECKMARK",
    outbox.STATE_UNREACHABLE: "UNLINKED",
    outbox.STATE_REFUSED: "ERROR",
    outbox.STATE_IDLE: "QUESTION",
}


class COLOPHON_PT_output(bpy.types.Panel):
    bl_label = "Colophon"
    bl_space_type = "PROPERTIES"
    bl_region_type = "WINDOW"
    bl_context = "output"

    def draw(self, context):
        status = runtime.status
        layout = self.layout
        row = layout.row()
        row.label(text=status.connection_text, icon=_ICONS.get(status.state, "QUESTION"))
        if status.state != outbox.STATE_CONNECTED:
            row.operator("colophon.reconnect", text="", icon="FILE_REFRESH")
        for warning in status.profile_warnings[:3]:
            layout.label(text=warning, icon="ERROR")
        pending = runtime.pending_count()
        if pending:
            layout.label(text=f"{pending} waiting to be sent", icon="TIME")
        for job in status.jobs.values():
            if not job.finished:
                share = f"{job.done}/{job.total}" if job.total else "starting"
                row = layout.row()
                row.label(text=f"{job.label}: {share}" + (f" — {job.current}" if job.current else ""), icon="SORTTIME")
                row.operator("colophon.cancel_pack", text="", icon="CANCEL").job_id = job.job_id
        if status.last_title:
            box = layout.box()
            box.label(text=status.last_title, icon="CHECKMARK" if status.last_ok else "ERROR")
            for line in status.last_lines[:8]:
                box.label(text=line)
            for warning in status.last_warnings[:5]:
                box.label(text=warning, icon="ERROR")
        col = layout.column(align=True)
        col.operator("colophon.export_public_preview", icon="EXPORT")
        col.operator("colophon.archive_blend", icon="PACKAGE")
        col.operator("colophon.process_pack", icon="FILE_FOLDER")
        col.operator("colophon.open_dashboard", icon="URL")


def draw_status_bar(self, context):
    status = runtime.status
    if status.state == outbox.STATE_CONNECTED and not any(not j.finished for j in status.jobs.values()):
        return
    text = status.connection_text if status.state != outbox.STATE_CONNECTED else "Colophon: pack running"
    self.layout.label(text=f"Colophon: {text}" if not text.startswith("Colophon") else text,
                      icon=_ICONS.get(status.state, "QUESTION"))


classes = (COLOPHON_PT_output,)


def register():
    bpy.types.STATUSBAR_HT_header.append(draw_status_bar)


def unregister():
    bpy.types.STATUSBAR_HT_header.remove(draw_status_bar)
