"""scripts/addon-zip.py builds a zip with every add-on module under colophon/, and nothing else."""

import hashlib
import os
import subprocess
import sys
import unittest
import zipfile

from ._load import ADDON_DIR, REPO, temp_dir


def build(out):
    done = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "addon-zip.py"), "--out", out],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    return done.stdout.strip()


class AddonZip(unittest.TestCase):
    def test_zip_holds_the_package_folder(self):
        out = temp_dir(self, "colophon-zip-")
        path = build(out)
        self.assertRegex(os.path.basename(path), r"^colophon-blender-\d+\.\d+\.\d+\.zip$")
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            expected = {f"colophon/{f}" for f in os.listdir(ADDON_DIR) if f.endswith((".py", ".toml"))}
            self.assertEqual(names, expected)
            self.assertIn("colophon/__init__.py", names)
            self.assertIn("colophon/blender_manifest.toml", names)
            self.assertIn("colophon/protocol_gen.py", names)
            with open(os.path.join(ADDON_DIR, "transport.py"), "rb") as fh:
                self.assertEqual(zf.read("colophon/transport.py"), fh.read())
        self.assertEqual(os.listdir(out), [os.path.basename(path)], "no temp file left behind")

    def test_same_sources_same_bytes(self):
        a = build(temp_dir(self, "colophon-zip-"))
        b = build(temp_dir(self, "colophon-zip-"))
        digest = [hashlib.sha256(open(p, "rb").read()).hexdigest() for p in (a, b)]
        self.assertEqual(digest[0], digest[1])


if __name__ == "__main__":
    unittest.main()
