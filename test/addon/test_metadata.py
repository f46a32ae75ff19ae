"""bl_info, blender_manifest.toml, meta.VERSION and the generated protocol constants agree."""

import ast
import os
import tomllib
import unittest

from ._load import ADDON_DIR, REPO, addon_module

meta = addon_module("meta")
protocol_gen = addon_module("protocol_gen")


def bl_info():
    with open(os.path.join(ADDON_DIR, "__init__.py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "bl_info" for t in node.targets):
            return ast.literal_eval(node.value)  # Blender reads it the same way, without running the file
    raise AssertionError("no bl_info in __init__.py")


def manifest():
    with open(os.path.join(ADDON_DIR, "blender_manifest.toml"), "rb") as fh:
        return tomllib.load(fh)


class VersionsInSync(unittest.TestCase):
    def test_bl_info_manifest_and_meta_versions_agree(self):
        info_version = ".".join(str(n) for n in bl_info()["version"])
        self.assertEqual(info_version, manifest()["version"])
        self.assertEqual(info_version, meta.VERSION)

    def test_blender_ranges(self):
        self.assertEqual(bl_info()["blender"], (3, 4, 0))
        self.assertEqual(manifest()["blender_version_min"], "4.2.0")

    def test_manifest_fields_blender_requires(self):
        m = manifest()
        for key in ("schema_version", "id", "version", "name", "tagline", "maintainer", "type", "license",
                    "blender_version_min"):
            self.assertIn(key, m)
        self.assertEqual(m["id"], "colophon")
        self.assertLessEqual(len(m["tagline"]), 64)
        self.assertFalse(m["tagline"].endswith((".", "!", "?")))
        self.assertIn("127.0.0.1", m["permissions"]["network"])
        self.assertIn("files", m["permissions"])

    def test_protocol_gen_matches_the_typescript_source(self):
        with open(os.path.join(REPO, "protocol", "src", "version.ts"), encoding="utf-8") as fh:
            self.assertIn(f"PROTOCOL_VERSION = {protocol_gen.PROTOCOL_VERSION} ", fh.read())
        for method in ("session.hello", "asset.process", "preview.export", "blend.archive", "pack.process"):
            self.assertIn(method, protocol_gen.METHODS)
        self.assertIn("f12", protocol_gen.SOURCES)
        self.assertIn("animation", protocol_gen.SOURCES)


if __name__ == "__main__":
    unittest.main()
