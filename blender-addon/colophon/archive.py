# SPDX-License-Identifier: GPL-3.0-or-later
"""What `colophon.archive_blend` puts in the archive: the dependency list and a licensed copy of the file."""

import os

import bpy

from . import deps

LICENSE_TEXT_NAME = "LICENSE"
RIGHTS_PROPS = ("colophon_creator", "colophon_rights", "colophon_licence", "colophon_data_mining")


def collect_dependencies():
    """Every external file this .blend (and its libraries) names, UDIM tiles and sequence frames expanded."""
    paths = []
    expanded_images = set()
    for image in bpy.data.images:
        if image.packed_file is not None or not image.filepath or image.source not in {"FILE", "SEQUENCE", "TILED"}:
            continue
        path = bpy.path.abspath(image.filepath, library=image.library)
        if image.source == "TILED":
            paths += deps.expand_udim(path, [tile.number for tile in image.tiles])
            expanded_images.add(os.path.normpath(path))
        elif image.source == "SEQUENCE":
            paths += deps.expand_sequence(path)
    for raw in bpy.utils.blend_paths(absolute=True, packed=False, local=False):
        path = os.path.normpath(raw)
        if path in expanded_images:
            continue
        if deps.UDIM_TOKEN in path or deps.UVTILE_TOKEN in path:
            paths += deps.expand_udim(path)
        else:
            paths.append(path)
    for library in bpy.data.libraries:
        paths.append(bpy.path.abspath(library.filepath, library=library.library))
    blend = os.path.normpath(bpy.data.filepath)
    return [p for p in paths if os.path.normpath(p) != blend]


def split(paths):
    return deps.split_existing(paths)


def is_compressed(path):
    """Whether the .blend on disk is gzip- or zstd-compressed (its copy is saved the same way)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    return head[:2] == b"\x1f\x8b" or head == b"\x28\xb5\x2f\xfd"


def save_licensed_copy(rights, directory):
    """Save a copy of the open file into `directory` (in the spool, never beside the original) with the
    daemon's LICENSE text and rights properties on each scene; the open file is left as it was.

    Paths inside the copy are kept exactly as the original has them (no remapping), so `//` paths name the
    same files relative to the original's folder, which is how the daemon lays them out in the zip.
    """
    blend = bpy.data.filepath
    copy = os.path.join(directory, os.path.basename(blend))
    added_text = LICENSE_TEXT_NAME not in bpy.data.texts
    if added_text:
        bpy.data.texts.new(LICENSE_TEXT_NAME).write(rights["licence_text"])
    values = {
        "colophon_creator": rights["creator"],
        "colophon_rights": rights["copyright"],
        "colophon_licence": rights["licence"],
        "colophon_data_mining": rights["data_mining"],
    }
    before = {scene.name: {k: scene.get(k) for k in RIGHTS_PROPS} for scene in bpy.data.scenes}
    try:
        for scene in bpy.data.scenes:
            for key, value in values.items():
                scene[key] = value
        bpy.ops.wm.save_as_mainfile(filepath=copy, copy=True, relative_remap=False, compress=is_compressed(blend))
    finally:
        if added_text:
            bpy.data.texts.remove(bpy.data.texts[LICENSE_TEXT_NAME])
        for scene in bpy.data.scenes:
            for key, old in before.get(scene.name, {}).items():
                if old is None:
                    scene.pop(key, None)
                else:
                    scene[key] = old
    if not os.path.isfile(copy):
        raise RuntimeError(f"Blender did not write {copy}")
    return copy
