# SPDX-License-Identifier: GPL-3.0-or-later
"""The add-on's own identity. bpy-free. bl_info and blender_manifest.toml repeat VERSION (a test keeps them equal)."""

NAME = "colophon-blender"
VERSION = "0.1.0"
