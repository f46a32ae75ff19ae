# SPDX-License-Identifier: GPL-3.0-or-later
"""What `colophon.archive_blend` puts in the archive: the dependency list and a licensed copy of the file."""

import datetime
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


def licence_text(prefs, status):
    creator = prefs.creator_name or status.profile_creator or "the creator"
    contact = ", ".join(x for x in (prefs.creator_email, prefs.creator_url) if x)
    code = status.profile_data_mining or "DMI-PROHIBITED-AIMLTRAINING"
    year = datetime.date.today().year
    lines = [
        f"{os.path.basename(bpy.data.filepath)}",
        "",
        f"© {year} {creator}. All rights reserved." + (f" Contact: {contact}" if contact else ""),
        f"Licence: {status.profile_licence or 'All rights reserved'}",
        f"Data mining (IPTC PLUS): {code}",
        "",
        "Unless the creator has agreed otherwise in writing, this file and the files delivered with it may not",
        "be used to train, fine-tune or evaluate AI/ML models, for text and data mining, to build datasets, to",
        "compute embeddings, or to produce synthetic or derivative outputs. These rights are expressly reserved,",
        "including under Art. 4(3) of the EU Directive 2019/790 (DSM).",
    ]
    return "\n".join(lines) + "\n"


def save_licensed_copy(prefs, status):
    """Save a copy of the open file, beside it, with a LICENSE text and rights properties on each scene.

    It sits next to the original so that every relative (`//`) path in it still points at the same
    files; the open file itself is left as it was.
    """
    blend = bpy.data.filepath
    stem = os.path.splitext(os.path.basename(blend))[0]
    copy = os.path.join(os.path.dirname(blend), f"{stem}.colophon.blend")
    text = licence_text(prefs, status)
    added_text = LICENSE_TEXT_NAME not in bpy.data.texts
    if added_text:
        bpy.data.texts.new(LICENSE_TEXT_NAME).write(text)
    creator = prefs.creator_name or status.profile_creator or ""
    values = {
        "colophon_creator": creator,
        "colophon_rights": text.splitlines()[2],
        "colophon_licence": status.profile_licence or "All rights reserved",
        "colophon_data_mining": status.profile_data_mining or "DMI-PROHIBITED-AIMLTRAINING",
    }
    before = {scene.name: {k: scene.get(k) for k in RIGHTS_PROPS} for scene in bpy.data.scenes}
    try:
        for scene in bpy.data.scenes:
            for key, value in values.items():
                scene[key] = value
        bpy.ops.wm.save_as_mainfile(filepath=copy, copy=True, relative_remap=False, compress=False)
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
