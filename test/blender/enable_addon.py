"""Enables the add-on in the user preferences of this BLENDER_USER_CONFIG and saves them, as an artist does
once in Edit > Preferences. Later `blender -b file.blend -f 1` runs then load it without any extra option."""

import addon_utils
import bpy

addon_utils.enable("colophon", default_set=True)
bpy.ops.wm.save_userpref()
print("COLOPHON_ENABLED", "colophon" in bpy.context.preferences.addons)
