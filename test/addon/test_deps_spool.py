"""deps.py (UDIM tiles and image sequences expanded) and spool.py (names and folders) on real temp files."""

import os
import struct
import unittest
import zlib

from ._load import addon_module, temp_dir

deps = addon_module("deps")
spool = addon_module("spool")


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(b"x")
    return path


class Deps(unittest.TestCase):
    def setUp(self):
        self.dir = temp_dir(self, "colophon-deps-")

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def test_udim_with_tile_numbers_lists_every_tile_present_or_not(self):
        touch(self.p("wood.1001.png"))
        touch(self.p("wood.1002.png"))
        tiles = deps.expand_udim(self.p("wood.<UDIM>.png"), [1001, 1002, 1011])
        self.assertEqual(tiles, [self.p("wood.1001.png"), self.p("wood.1002.png"), self.p("wood.1011.png")])
        existing, missing = deps.split_existing(tiles)
        self.assertEqual(missing, [self.p("wood.1011.png")])
        self.assertEqual(len(existing), 2)

    def test_udim_without_tile_numbers_finds_tiles_on_disk(self):
        for t in (1001, 1002, 1012):
            touch(self.p("skin [v2]", f"skin.{t}.exr"))  # brackets: glob special characters in the folder
        touch(self.p("skin [v2]", "skin.notes.txt"))
        self.assertEqual([os.path.basename(f) for f in deps.expand_udim(self.p("skin [v2]", "skin.<UDIM>.exr"))],
                         ["skin.1001.exr", "skin.1002.exr", "skin.1012.exr"])

    def test_uvtile_token(self):
        self.assertEqual(deps.expand_udim(self.p("a.<UVTILE>.png"), [1001, 1012]),
                         [self.p("a.u1_v1.png"), self.p("a.u2_v2.png")])

    def test_plain_path_passes_through(self):
        self.assertEqual(deps.expand_udim(self.p("a.png")), [self.p("a.png")])

    def test_image_sequence_expands_to_all_frames_with_the_same_width(self):
        for n in (1, 2, 3):
            touch(self.p("seq", f"smoke_{n:04d}.png"))
        touch(self.p("seq", "smoke_12.png"))  # different digit count: another sequence
        touch(self.p("seq", "smoke_0001.jpg"))  # other extension
        frames = deps.expand_sequence(self.p("seq", "smoke_0002.png"))
        self.assertEqual([os.path.basename(f) for f in frames], ["smoke_0001.png", "smoke_0002.png", "smoke_0003.png"])

    def test_missing_sequence_reports_the_named_frame(self):
        self.assertEqual(deps.expand_sequence(self.p("gone_0001.png")), [self.p("gone_0001.png")])
        self.assertEqual(deps.expand_sequence(self.p("nodigits.png")), [self.p("nodigits.png")])

    def test_split_dedupes_and_normalises(self):
        a = touch(self.p("a.png"))
        existing, missing = deps.split_existing([a, self.p("x", "..", "a.png"), self.p("b.png"), self.p("b.png")])
        self.assertEqual(existing, [a])
        self.assertEqual(missing, [self.p("b.png")])


class Spool(unittest.TestCase):
    def test_spool_dir_is_beside_the_daemon_config_and_created(self):
        home = temp_dir(self, "colophon-spool-")
        self.assertEqual(spool.spool_dir("", env={"COLOPHON_HOME": home}), os.path.join(home, "spool"))
        self.assertTrue(os.path.isdir(os.path.join(home, "spool")))
        custom = os.path.join(home, "elsewhere")
        self.assertEqual(spool.spool_dir(custom, env={"COLOPHON_HOME": home}), custom)
        self.assertTrue(os.path.isdir(custom))

    def test_render_stem_is_safe_and_readable(self):
        stem = spool.render_stem("/p/My Shot: v2.blend", "Scene/Main", 7, now=1_700_000_000.123)
        self.assertRegex(stem, r"^My_Shot_v2_Scene_Main_f0007_\d{8}-\d{6}-123$")
        self.assertTrue(spool.render_stem("", "", 1, now=0).startswith("untitled_scene_f0001_"))

    def test_unique_path_never_reuses_a_name(self):
        d = temp_dir(self, "colophon-spool-")
        first = spool.unique_path(d, "r", ".png")
        touch(first)
        second = spool.unique_path(d, "r", ".png")
        self.assertNotEqual(first, second)
        self.assertTrue(second.endswith("r-2.png"))


if __name__ == "__main__":
    unittest.main()


class DeflatePng(unittest.TestCase):
    """spool.deflate_png: the F12 PNG is saved uncompressed on Blender's main thread and compressed later."""

    @staticmethod
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    def test_same_pixels_and_text_chunks_smaller_file(self):
        width, height = 64, 32
        rows = b"".join(b"\x00" + bytes((x * 4) % 256 for x in range(width * 3)) for _ in range(height))
        stored = zlib.compress(rows, 0)
        png = (b"\x89PNG\r\n\x1a\n" + self.chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
               + self.chunk(b"tEXt", b"Note\x00(c) Jane") + self.chunk(b"IDAT", stored[:100])
               + self.chunk(b"IDAT", stored[100:]) + self.chunk(b"IEND", b""))
        path = os.path.join(temp_dir(self, "colophon-png-"), "r.png")
        with open(path, "wb") as fh:
            fh.write(png)
        spool.deflate_png(path)
        with open(path, "rb") as fh:
            out = fh.read()
        self.assertLess(len(out), len(png))
        self.assertIn(b"Note\x00(c) Jane", out, "Blender's text chunks are kept")
        pos, kinds, idat = 8, [], b""
        while pos < len(out):
            length, kind = struct.unpack(">I4s", out[pos:pos + 8])
            body = out[pos + 8:pos + 8 + length]
            self.assertEqual(struct.unpack(">I", out[pos + 8 + length:pos + 12 + length])[0], zlib.crc32(kind + body))
            kinds.append(kind)
            idat += body if kind == b"IDAT" else b""
            pos += 12 + length
        self.assertEqual(kinds, [b"IHDR", b"tEXt", b"IDAT", b"IEND"])
        self.assertEqual(zlib.decompress(idat), rows, "the same pixels")

    def test_not_a_png(self):
        path = os.path.join(temp_dir(self, "colophon-png-"), "r.png")
        with open(path, "wb") as fh:
            fh.write(b"GIF89a")
        with self.assertRaises(ValueError):
            spool.deflate_png(path)


class SpoolHousekeeping(unittest.TestCase):
    def test_remove_spooled_only_touches_the_spool(self):
        root = temp_dir(self, "colophon-spool-")
        spool_dir = os.path.join(root, "spool")
        os.makedirs(os.path.join(spool_dir, "renders"))
        ours, artists = os.path.join(spool_dir, "renders", "r.png"), os.path.join(root, "frame_0001.png")
        for p in (ours, artists):
            open(p, "wb").close()
        self.assertEqual(spool.remove_spooled(spool_dir, [ours, artists, None]), 1)
        self.assertFalse(os.path.exists(ours))
        self.assertTrue(os.path.exists(artists), "the artist's own render output is never removed")

    def test_prune_keeps_recent_and_waiting_files(self):
        spool_dir = temp_dir(self, "colophon-spool-")
        os.makedirs(os.path.join(spool_dir, "archives", "x"))
        old, waiting, fresh = (os.path.join(spool_dir, n) for n in ("old.png", "waiting.png", "fresh.png"))
        stale_copy = os.path.join(spool_dir, "archives", "x", "scene.blend")
        for p in (old, waiting, fresh, stale_copy):
            open(p, "wb").close()
        now = 1_000_000_000.0
        for p in (old, waiting, stale_copy):
            os.utime(p, (now - 8 * 86400, now - 8 * 86400))
        os.utime(fresh, (now - 3600, now - 3600))
        self.assertEqual(spool.prune(spool_dir, keep=[waiting], now=now), 2)
        self.assertEqual(sorted(os.listdir(spool_dir)), ["fresh.png", "waiting.png"], "the emptied archive folder went too")
