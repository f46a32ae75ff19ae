"""backlog.py: unsent requests survive a Blender restart, and stale ones are dropped."""

import json
import os
import unittest

from ._load import addon_module, temp_dir

backlog = addon_module("backlog")
outbox = addon_module("outbox")


def touch(path):
    with open(path, "wb") as fh:
        fh.write(b"png")
    return path


class Backlog(unittest.TestCase):
    def setUp(self):
        self.spool = temp_dir(self, "colophon-backlog-")

    def test_saved_requests_come_back_once(self):
        png = touch(os.path.join(self.spool, "r.png"))
        reqs = [outbox.Request("asset.process", {"paths": [png], "source": "f12"}, label="Render"),
                outbox.Request("pack.process", {"path": self.spool}, label="Pack")]
        self.assertEqual(backlog.save(self.spool, reqs), 1, "pack jobs are not kept")
        back = backlog.take(self.spool)
        self.assertEqual([(r.method, r.params, r.label) for r in back],
                         [("asset.process", {"paths": [png], "source": "f12"}, "Render")])
        self.assertEqual(backlog.take(self.spool), [], "taken once")
        self.assertFalse(os.path.exists(os.path.join(self.spool, backlog.FILE_NAME)))

    def test_saves_append(self):
        a, b = touch(os.path.join(self.spool, "a.png")), touch(os.path.join(self.spool, "b.png"))
        backlog.save(self.spool, [outbox.Request("asset.process", {"paths": [a]})])
        backlog.save(self.spool, [outbox.Request("preview.export", {"path": b})])
        self.assertEqual([r.method for r in backlog.take(self.spool)], ["asset.process", "preview.export"])

    def test_requests_whose_files_are_gone_are_dropped(self):
        png = touch(os.path.join(self.spool, "r.png"))
        display = os.path.join(self.spool, "gone.png")
        backlog.save(self.spool, [outbox.Request("asset.process", {"paths": [png], "display": display})])
        with self.assertLogs(backlog.log, "WARNING"):
            self.assertEqual(backlog.take(self.spool), [])

    def test_a_corrupt_file_is_ignored_not_fatal(self):
        with open(os.path.join(self.spool, backlog.FILE_NAME), "w") as fh:
            fh.write("{half")
        with self.assertLogs(backlog.log, "WARNING"):
            self.assertEqual(backlog.take(self.spool), [])
        with open(os.path.join(self.spool, backlog.FILE_NAME), "w") as fh:
            json.dump([{"method": "ledger.verify", "params": {}}, "junk"], fh)
        self.assertEqual(backlog.take(self.spool), [])


if __name__ == "__main__":
    unittest.main()
