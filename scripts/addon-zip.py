#!/usr/bin/env python3
"""Builds the installable add-on zip: dist/colophon-blender-<version>.zip holding the `colophon/` folder.

The same zip installs in Blender 3.4-4.1 (Preferences > Add-ons > Install...) and in 4.2+
(Get Extensions > Install from Disk; the manifest may sit inside one top-level folder). Entries
get a fixed date so the same sources always give the same bytes.
Usage: python3 scripts/addon-zip.py [--out DIR]
"""

import argparse
import os
import sys
import tomllib
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ADDON = os.path.join(REPO, "blender-addon", "colophon")
FIXED_DATE = (2024, 1, 1, 0, 0, 0)


def addon_files():
    for name in sorted(os.listdir(ADDON)):
        path = os.path.join(ADDON, name)
        if os.path.isfile(path) and name.endswith((".py", ".toml")):
            yield name, path


def build(out_dir):
    with open(os.path.join(ADDON, "blender_manifest.toml"), "rb") as fh:
        version = tomllib.load(fh)["version"]
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, f"colophon-blender-{version}.zip")
    tmp = target + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in addon_files():
            info = zipfile.ZipInfo(f"colophon/{name}", FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(path, "rb") as fh:
                zf.writestr(info, fh.read())
    os.replace(tmp, target)  # never leave a half-written zip under the final name
    return target


def main(argv):
    parser = argparse.ArgumentParser(description="Build the Colophon Blender add-on zip.")
    parser.add_argument("--out", default=os.path.join(REPO, "dist"), help="folder for the zip (default: dist/)")
    args = parser.parse_args(argv)
    print(build(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
