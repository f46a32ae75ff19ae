# SPDX-License-Identifier: GPL-3.0-or-later
"""Colophon for Blender: sends every render to the local Colophon daemon, which stamps creator,
licence and no-AI-training metadata, makes the public preview, keeps the private master and
records it all in the evidence ledger. This file only registers the parts."""

bl_info = {
    "name": "Colophon",
    "author": "Colophon contributors",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "Properties > Output > Colophon; Image Editor > Image > Export Public Preview",
    "description": "Rights metadata, public previews, private masters and an evidence ledger for every render",
    "doc_url": "",
    "category": "Render",
}

if "runtime" in locals():
    import importlib

    for _module in (errors, protocol_gen, wire, transport, rpc, discovery, outbox, backlog, status, spool, deps, meta,  # noqa: F821
                    runtime, preferences, render_files, handlers, archive, operators, dashboard, ui):  # noqa: F821
        importlib.reload(_module)

import bpy

from . import (archive, backlog, dashboard, deps, discovery, errors, handlers, meta, operators, outbox, preferences,
               protocol_gen, render_files, rpc, runtime, spool, status, transport, ui, wire)

_classes = preferences.classes + operators.classes + dashboard.classes + ui.classes


def register():
    for cls in _classes:
        bpy.utils.register_class(cls)
    runtime.start(preferences.get(), on_server_changed=preferences.apply_stamp_note)
    handlers.register()
    operators.register()
    ui.register()


def unregister():
    ui.unregister()
    operators.unregister()
    handlers.unregister()
    runtime.stop()
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
