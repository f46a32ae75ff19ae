"""Runs inside `blender -b --factory-startup --python-exit-code 1 --addons colophon <file.blend> --python scenario.py -- <name>`.

Each scenario does what an artist would (render, render an animation, press a button), lets the
add-on do its normal work, and prints one line `COLOPHON_RESULT <json>` with what the add-on
reported, for addon.test.ts to check against what the daemon wrote. Any failure raises, so
Blender exits 1 (--python-exit-code).
"""

import json
import os
import sys

import bpy

from colophon import outbox, runtime, wire


def small_cycles(scene, width=160, height=120, samples=4):
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.cycles.use_denoising = False  # Debian's Blender is built without OpenImageDenoise
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100


def describe(event):
    out = {"method": event.request.method, "label": event.request.label, "params": event.request.params}
    if isinstance(event, outbox.Failed):
        out["error"] = {"key": getattr(event.error, "key", None), "message": str(event.error)}
        return out
    value = event.value
    if isinstance(value, wire.ProcessOutcome):
        out["results"] = [asset(r) for r in value.results]
        out["errors"] = [e.__dict__ for e in value.errors]
    elif isinstance(value, wire.AssetSummary):
        out["result"] = asset(value)
    elif isinstance(value, wire.ArchiveOutcome):
        out["archive"] = value.archive_path
        out["included"] = list(value.included)
        out["missing"] = list(value.missing)
    else:
        out["value"] = value
    return out


def asset(result):
    return {"assetId": result.asset_id, "source": result.source, "input": result.input_path,
            "preview": result.output("preview", "public"), "master": result.output("master", "private"),
            "warnings": list(result.warnings), "ledgerSeq": result.ledger_seq}


def finish(extra):
    runtime.flush(120)
    status = runtime.status
    report = {
        "state": status.state,
        "connection": status.connection_text,
        "messages": [list(m) for m in status.messages],
        "events": [describe(e) for e in status.results],
        "pending": runtime.pending_count(),
        "spool": sorted(os.listdir(runtime.spool_dir("renders"))),
    }
    report.update(extra)
    sys.stdout.write("COLOPHON_RESULT " + json.dumps(report) + "\n")
    sys.stdout.flush()


def still(exr=False):
    scene = bpy.context.scene
    small_cycles(scene)
    if exr:
        scene.render.image_settings.file_format = "OPEN_EXR"
        scene.render.image_settings.color_depth = "16"
    bpy.ops.render.render()  # F12: no file written by Blender, render_complete fires once
    extra = {}
    if "--export" in sys.argv:
        result = bpy.ops.colophon.export_public_preview()
        extra["export"] = sorted(result)
        extra["exportAgain"] = sorted(bpy.ops.colophon.export_public_preview())  # the artist clicks twice
    finish(extra)


def animation(out_dir):
    scene = bpy.context.scene
    small_cycles(scene, 96, 72, samples=2)
    scene.frame_start, scene.frame_end = 1, 3
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = os.path.join(out_dir, "frame_")
    bpy.ops.render.render(animation=True)  # render_write x3, then render_complete once
    finish({"written": sorted(os.listdir(out_dir))})


def folder_state(folder):
    """Every file under `folder` with its size and modification time, to prove nothing there was written or touched."""
    state = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            st = os.stat(os.path.join(root, name))
            state[os.path.relpath(os.path.join(root, name), folder)] = [st.st_size, st.st_mtime_ns]
    return state


def archive():
    texts_before = sorted(t.name for t in bpy.data.texts)
    folder = os.path.dirname(bpy.data.filepath)
    before = folder_state(folder)
    result = bpy.ops.colophon.archive_blend()
    runtime.flush(120)
    finish({
        "operator": sorted(result),
        "textsBefore": texts_before,
        "textsAfter": sorted(t.name for t in bpy.data.texts),
        "folderUnchanged": folder_state(folder) == before,
        "spoolArchives": os.listdir(runtime.spool_dir("archives")),
    })


def pack(folder):
    result = bpy.ops.colophon.process_pack(directory=folder)
    jobs = {k: {"label": j.label, "done": j.done, "total": j.total, "finished": j.finished}
            for k, j in runtime.status.jobs.items()}
    finish({"operator": sorted(result), "jobs": jobs, "lastLines": runtime.status.last_lines})


def stamp_note():
    """With the preference on, Blender's own metadata carries the rights; nothing is burnt into pixels."""
    import addon_utils

    addon_utils.enable("colophon", default_set=True)  # `--addons` alone gives no preferences entry
    prefs = bpy.context.preferences.addons["colophon"].preferences
    prefs.creator_name = "Jane Artist"
    prefs.use_stamp_note = True
    scene = bpy.context.scene
    small_cycles(scene, 64, 48, samples=1)
    bpy.ops.render.render()
    inventory = {
        "operators": sorted(name for name in dir(bpy.ops.colophon)),
        "panel": hasattr(bpy.types, "COLOPHON_PT_output"),
        "imageMenu": any(getattr(f, "__name__", "") == "draw_image_menu" for f in bpy.types.IMAGE_MT_image._dyn_ui_initialize()),
        "handlers": sorted(f.__name__ for name in ("render_write", "render_complete", "load_post")
                           for f in getattr(bpy.app.handlers, name) if f.__module__.startswith("colophon")),
    }
    runtime.flush(120)  # deliver before the add-on is switched off and on again below
    ours = lambda: sum(f.__module__.startswith("colophon") for f in bpy.app.handlers.render_complete)  # noqa: E731
    addon_utils.disable("colophon", default_set=True)
    after_disable = {"handlers": ours(), "panel": hasattr(bpy.types, "COLOPHON_PT_output")}
    addon_utils.enable("colophon", default_set=True)
    after_enable = {"handlers": ours(), "panel": hasattr(bpy.types, "COLOPHON_PT_output")}
    finish({"useStampNote": scene.render.use_stamp_note, "useStamp": scene.render.use_stamp,
            "noteText": scene.render.stamp_note_text, "inventory": inventory,
            "afterDisable": after_disable, "afterEnable": after_enable})


def export_images(photo):
    """Export Public Preview on a saved image file (sent as is) and on an image that exists only in Blender."""
    loaded = bpy.data.images.load(photo)
    painted = bpy.data.images.new("Painted", 64, 48)
    painted.generated_color = (0.8, 0.2, 0.1, 1.0)
    results = [sorted(bpy.ops.colophon.export_public_preview(image_name=img.name)) for img in (loaded, painted)]
    try:
        bpy.ops.colophon.export_public_preview(image_name="No Such Image")
        missing = "no error"
    except RuntimeError as exc:  # an operator's ERROR report reaches a script as RuntimeError
        missing = str(exc)
    finish({"operator": results, "missingImage": missing})


def archive_tiles_and_frames(folder):
    """A .blend using a UDIM texture (2 tiles) and an image sequence (3 frames) made by the test in `folder`."""
    bpy.ops.wm.save_as_mainfile(filepath=os.path.join(folder, "tiles.blend"))
    udim = bpy.data.images.load(os.path.join(folder, "tex", "wood.1001.png"))
    udim.source = "TILED"
    udim.filepath = "//tex/wood.<UDIM>.png"
    udim.tiles.new(tile_number=1002)
    seq = bpy.data.images.load(os.path.join(folder, "seq", "smoke_0001.png"))
    seq.source = "SEQUENCE"
    seq.filepath = "//seq/smoke_0001.png"
    for image in (udim, seq):
        image.use_fake_user = True
    bpy.ops.wm.save_mainfile()
    result = bpy.ops.colophon.archive_blend()
    finish({"operator": sorted(result)})


def export_tiles_and_frames(folder):
    """Export Public Preview on a UDIM image (2 tiles) and on an image sequence at frame 2."""
    udim = bpy.data.images.load(os.path.join(folder, "tex", "wood.1001.png"))
    udim.source = "TILED"
    udim.filepath = os.path.join(folder, "tex", "wood.<UDIM>.png")
    udim.tiles.new(tile_number=1002)
    seq = bpy.data.images.load(os.path.join(folder, "seq", "smoke_0001.png"))
    seq.source = "SEQUENCE"
    bpy.context.scene.frame_set(2)
    results = [sorted(bpy.ops.colophon.export_public_preview(image_name=img.name)) for img in (udim, seq)]
    finish({"operator": results})


def main():
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    name = args[0] if args else "still"
    if name == "still":
        still(exr="--exr" in args)
    elif name == "animation":
        animation(args[1])
    elif name == "archive":
        archive()
    elif name == "idle":
        finish({})  # only what the add-on does on its own at start (e.g. resend saved requests)
    elif name == "export-images":
        export_images(args[1])
    elif name == "export-tiles":
        export_tiles_and_frames(args[1])
    elif name == "archive-tiles":
        archive_tiles_and_frames(args[1])
    elif name == "pack":
        pack(args[1])
    elif name == "stamp-note":
        stamp_note()
    else:
        raise SystemExit(f"unknown scenario {name}")


main()
