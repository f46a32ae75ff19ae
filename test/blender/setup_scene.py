"""Prepares a real artist's .blend for a background-render test, as an artist would before sending it to a farm:
`blender -b <artist.blend> --python setup_scene.py -- <output path> <file format> <save as .blend>`.

linked_cube.blend has no camera or light of its own; this adds both (aimed at the cube), makes the render tiny
and fast (Cycles, 2 samples, no denoising: Debian's Blender has no OpenImageDenoise), sets the output, and saves
the result under a new name. The render itself is then started with Blender's own command line by the test.
"""

import sys

import bpy

out_path, file_format, save_as = sys.argv[sys.argv.index("--") + 1:][:3]
scene = bpy.context.scene
if scene.camera is None:
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    scene.collection.objects.link(camera)
    camera.location = (5.0, -5.0, 4.0)
    aim = camera.constraints.new("TRACK_TO")
    aim.target = next(o for o in scene.objects if o.type == "MESH")
    scene.camera = camera
    light = bpy.data.objects.new("Light", bpy.data.lights.new("Light", "SUN"))
    light.data.energy = 4.0
    light.rotation_euler = (0.6, 0.3, 0.2)
    scene.collection.objects.link(light)
scene.render.engine = "CYCLES"
scene.cycles.device = "CPU"
scene.cycles.samples = 2
scene.cycles.use_denoising = False
scene.render.resolution_x, scene.render.resolution_y, scene.render.resolution_percentage = 64, 48, 100
scene.render.image_settings.file_format = file_format
scene.render.filepath = out_path
scene.frame_start, scene.frame_end = 1, 3
# A look of the artist's own: the preview of an EXR must show it, as Blender's PNG of the same frame does.
scene.view_settings.exposure = 1.5
bpy.ops.wm.save_as_mainfile(filepath=save_as)
