"""The bpy-free modules import neither bpy nor a sibling that does (checked on the source, so a
late `import bpy` inside a function is caught too), and really import without bpy."""

import ast
import os
import subprocess
import sys
import unittest

from ._load import ADDON_DIR, BPY_FREE, REPO

BLENDER_MODULES = {"bpy", "bmesh", "mathutils", "gpu", "bgl", "blf", "addon_utils", "bl_ui", "bpy_extras"}


def imports_of(module):
    with open(os.path.join(ADDON_DIR, module + ".py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x` or `from .x import y`
                found |= {f".{node.module}"} if node.module else {f".{a.name}" for a in node.names}
            else:
                found.add(node.module.split(".")[0])
    return found


class ImportHygiene(unittest.TestCase):
    def test_bpy_free_modules_never_import_blender(self):
        for module in BPY_FREE:
            with self.subTest(module=module):
                imported = imports_of(module)
                self.assertFalse(imported & BLENDER_MODULES, f"{module} imports {imported & BLENDER_MODULES}")
                siblings = {name[1:] for name in imported if name.startswith(".")}
                self.assertLessEqual(siblings, set(BPY_FREE), f"{module} imports bpy-using {siblings - set(BPY_FREE)}")

    def test_they_import_in_a_python_without_bpy(self):
        code = ("import sys; sys.path.insert(0, %r)\n"
                "from test.addon._load import addon_module, BPY_FREE\n"
                "[addon_module(m) for m in BPY_FREE]\n"
                "assert 'bpy' not in sys.modules\n"
                "print('ok')") % REPO
        out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.stdout.strip(), "ok", out.stderr)

    def test_every_module_is_classified(self):
        blender_side = {"__init__", "preferences", "runtime", "handlers", "operators", "ui", "render_files", "archive", "dashboard"}
        on_disk = {f[:-3] for f in os.listdir(ADDON_DIR) if f.endswith(".py")}
        self.assertEqual(on_disk, set(BPY_FREE) | blender_side, "a new module must be listed as bpy-free or not")


if __name__ == "__main__":
    unittest.main()
