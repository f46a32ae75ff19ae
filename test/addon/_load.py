"""Imports the add-on's bpy-free modules without running its __init__.py (which needs bpy).

A bare package object named `colophon` whose __path__ is the add-on folder is registered first, so
`import colophon.transport` loads the real file and its relative imports resolve as in Blender.
Set COLOPHON_ADDON_DIR to test another copy of the add-on (e.g. an unpacked release zip).
"""

import importlib
import os
import shutil
import sys
import tempfile
import types

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ADDON_DIR = os.environ.get("COLOPHON_ADDON_DIR") or os.path.join(REPO, "blender-addon", "colophon")
BPY_FREE = ("errors", "protocol_gen", "wire", "transport", "rpc", "discovery", "outbox", "backlog", "status", "spool", "deps", "meta")


def addon_module(name):
    if "colophon" not in sys.modules or getattr(sys.modules["colophon"], "__path__", None) != [ADDON_DIR]:
        pkg = types.ModuleType("colophon")
        pkg.__path__ = [ADDON_DIR]
        pkg.__package__ = "colophon"
        sys.modules["colophon"] = pkg
    return importlib.import_module(f"colophon.{name}")


def temp_dir(test, prefix):
    """A fresh temp folder removed when `test` ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, path, True)
    return path
