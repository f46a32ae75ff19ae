"""Runs inside Blender *with its UI* (under xvfb-run): `blender --factory-startup --addons colophon f.blend --python ui_session.py -- <frames dir>`.

Here timers run and renders run as Blender's render job, as when the artist presses F12 and
Ctrl+F12: render_write is called from the render thread. This checks that path end to end: the
renders are queued, the add-on's own drain timer (not this script) brings the daemon's answers
in, and the Colophon panel in Output properties draws them without errors. Prints
`COLOPHON_UI <json>` and quits Blender.
"""

import json
import sys
import traceback

import bpy

from colophon import runtime, ui

FRAMES_DIR = sys.argv[sys.argv.index("--") + 1]
calls = {"panel": 0, "errors": []}
_panel_draw = ui.COLOPHON_PT_output.draw


def counting_panel_draw(self, context):
    calls["panel"] += 1
    try:
        _panel_draw(self, context)
    except Exception:
        calls["errors"].append(traceback.format_exc())
        raise


ui.COLOPHON_PT_output.draw = counting_panel_draw
state = {"step": 0, "phase": "f12"}


def show_output_properties():
    for area in bpy.context.screen.areas:
        if area.type == "PROPERTIES":
            area.spaces[0].context = "OUTPUT"
            area.tag_redraw()


def invoke_render(animation):
    window = bpy.context.window_manager.windows[0]
    with bpy.context.temp_override(window=window, area=window.screen.areas[0]):
        return sorted(bpy.ops.render.render("INVOKE_DEFAULT", animation=animation))


def answered():
    return [e for e in runtime.status.results if e.request.method == "asset.process"]


def tick():
    try:
        step = state["step"]
        state["step"] += 1
        if step == 0:
            scene = bpy.context.scene
            scene.render.engine = "CYCLES"
            scene.cycles.samples = 2
            scene.cycles.use_denoising = False  # Debian's Blender has no OpenImageDenoise
            scene.render.resolution_x, scene.render.resolution_y = 64, 48
            scene.frame_start, scene.frame_end = 1, 3
            scene.render.filepath = FRAMES_DIR + "/frame_"
            show_output_properties()
            calls["f12"] = invoke_render(animation=False)  # F12: a render job; returns before it is done
            calls["answeredRightAfterF12"] = len(answered())
            return 0.25
        if state["phase"] == "f12" and step < 240:
            if not answered():
                return 0.25  # the add-on's drain timer brings the answer in
            state["phase"] = "animation"
            calls["afterF12"] = [e.request.params["source"] for e in answered()]
            calls["ctrlF12"] = invoke_render(animation=True)
            return 0.25
        if state["phase"] == "animation" and step < 480 and len(answered()) < 4:
            return 0.25
        show_output_properties()
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=2)
        report = dict(calls, sources=[e.request.params["source"] for e in answered()],
                      frames=[e.request.params["context"]["frame"] for e in answered()],
                      state=runtime.status.state, lines=runtime.status.last_lines)
        sys.stdout.write("COLOPHON_UI " + json.dumps(report) + "\n")
    except Exception:
        traceback.print_exc()
    sys.stdout.flush()
    bpy.ops.wm.quit_blender()
    return None


bpy.app.timers.register(tick, first_interval=1.0)
