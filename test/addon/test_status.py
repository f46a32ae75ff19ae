"""status.py: what the panel shows and the messages the artist gets, from outbox events."""

import unittest

from ._load import addon_module

status_mod = addon_module("status")
outbox = addon_module("outbox")
wire = addon_module("wire")
errors = addon_module("errors")


def asset(path="/spool/r.png", warnings=()):
    return wire.AssetSummary("0123456789abcdef", "f12", path, "render", (
        wire.OutputInfo("/out/public/0123456789abcdef/r.preview.jpg", "public", "preview"),
        wire.OutputInfo("/out/private/0123456789abcdef/r.png", "private", "master"),
        wire.OutputInfo("/out/private/0123456789abcdef/manifest.json", "private", "manifest"),
    ), tuple(warnings), 4)


class StatusTests(unittest.TestCase):
    def setUp(self):
        self.s = status_mod.Status()

    def test_unreachable_says_how_to_start_the_daemon(self):
        level, text = self.s.apply(outbox.StateChanged(outbox.STATE_UNREACHABLE, "connection refused"))
        self.assertEqual(level, "WARNING")
        self.assertIn("daemon not running — start it with `colophon serve`", text)
        self.assertEqual(self.s.connection_text, status_mod.NOT_RUNNING)

    def test_rights_are_the_daemons_words_with_the_creator_override(self):
        self.assertIsNone(self.s.rights(), "no rights of the add-on's own before a daemon answered")
        hello = wire.parse_hello_result({
            "protocol": 1, "server": {"name": "colophon", "version": "0.1.0"},
            "profile": {"creator": {"name": "Jane"}, "licence": {"name": "CC BY-NC 4.0"}, "dataMining": "DMI-PROHIBITED"},
            "rights": {"copyright": "© 2026 Jane.", "stampNote": "© 2026 Jane. No AI.", "licenceText": "LICENCE\n© 2026 Jane.\n"},
        })
        self.s.apply(outbox.StateChanged(outbox.STATE_CONNECTED, "connected", hello))
        self.assertEqual(self.s.rights(), {"creator": "Jane", "copyright": "© 2026 Jane.", "licence": "CC BY-NC 4.0",
                                           "data_mining": "DMI-PROHIBITED", "stamp_note": "© 2026 Jane. No AI.",
                                           "licence_text": "LICENCE\n© 2026 Jane.\n"})
        over = self.s.rights("Jane Studio Ltd")
        self.assertEqual(over["creator"], "Jane Studio Ltd")
        self.assertEqual(over["stamp_note"], "© 2026 Jane Studio Ltd. No AI.")

    def test_connected_shows_server_and_profile(self):
        hello = wire.HelloResult(1, "colophon", "0.1.0", "Jane", "All rights reserved", "DMI-PROHIBITED")
        self.s.apply(outbox.StateChanged(outbox.STATE_CONNECTED, "connected", hello))
        self.assertEqual(self.s.connection_text, "connected to colophon 0.1.0")
        self.assertEqual((self.s.profile_creator, self.s.profile_data_mining), ("Jane", "DMI-PROHIBITED"))

    def test_profile_warnings_from_hello_are_shown(self):
        hello = wire.parse_hello_result({"protocol": 1, "server": {"name": "colophon", "version": "0.1.0"},
                                         "profile": {"creator": {"name": "root"}, "licence": {"name": "ARR"},
                                                     "dataMining": "DMI-PROHIBITED"},
                                         "warnings": ["creator.name is not set; run colophon init"]})
        level, text = self.s.apply(outbox.StateChanged(outbox.STATE_CONNECTED, "connected", hello))
        self.assertEqual(level, "WARNING")
        self.assertIn("creator.name is not set", text)
        self.assertEqual(self.s.profile_warnings, ["creator.name is not set; run colophon init"])

    def test_render_result_lists_paths_and_warnings(self):
        req = outbox.Request("asset.process", {}, label="Render Scene frame 1")
        outcome = wire.ProcessOutcome((asset(warnings=["creator not set"]),), ())
        level, text = self.s.apply(outbox.Done(req, outcome))
        self.assertEqual(level, "INFO")
        self.assertIn("/out/public/0123456789abcdef/r.preview.jpg", text)
        self.assertIn("public preview: /out/public/0123456789abcdef/r.preview.jpg", self.s.last_lines)
        self.assertIn("private master: /out/private/0123456789abcdef/r.png", self.s.last_lines)
        self.assertEqual(self.s.last_warnings, ["creator not set"])
        self.assertTrue(self.s.last_ok)
        self.assertEqual(req.outcome, (level, text), "the request remembers what the artist was told")

    def test_failed_input_is_a_warning_with_the_message(self):
        req = outbox.Request("asset.process", {}, label="Render")
        outcome = wire.ProcessOutcome((), (wire.FailureInfo("/s/r.png", "CORRUPT_FILE", "truncated PNG"),))
        level, text = self.s.apply(outbox.Done(req, outcome))
        self.assertEqual(level, "WARNING")
        self.assertFalse(self.s.last_ok)
        self.assertIn("failed: /s/r.png: truncated PNG", self.s.last_lines)

    def test_error_reply(self):
        req = outbox.Request("preview.export", {}, label="Public preview of Render Result")
        level, text = self.s.apply(outbox.Failed(req, errors.ProtocolError("FILE_NOT_FOUND", "gone")))
        self.assertEqual(level, "ERROR")
        self.assertIn("Public preview of Render Result failed: gone", text)

    def test_archive_missing_files_are_named(self):
        req = outbox.Request("blend.archive", {}, label="Archive a.blend")
        level, text = self.s.apply(outbox.Done(req, wire.ArchiveOutcome("/o/a.zip", "ab", ("/p/b.blend",), ("/p/t.png",))))
        self.assertEqual(level, "WARNING")
        self.assertIn("/p/t.png", text)
        self.assertIn("missing: /p/t.png", self.s.last_lines)

    def test_pack_progress_then_finish(self):
        self.s.apply(outbox.Done(outbox.Request("pack.process", {}, label="Pack Bricks"), "job-1"))
        self.assertIsNone(self.s.apply(outbox.JobEvent(wire.JobProgress("job-1", 2, 5, "b.png"))))
        self.assertEqual((self.s.jobs["job-1"].done, self.s.jobs["job-1"].total), (2, 5))
        finished = wire.JobFinished("job-1", wire.ProcessOutcome((asset(),), ()), "/o/pack.zip")
        level, text = self.s.apply(outbox.JobEvent(finished))
        self.assertTrue(self.s.jobs["job-1"].finished)
        self.assertIn("Pack Bricks done: 1 files recorded, 0 failed", text)
        self.assertIn("archive: /o/pack.zip", self.s.last_lines)

    def test_messages_and_results_are_bounded(self):
        req = outbox.Request("ledger.verify", {})
        for _ in range(300):
            self.s.apply(outbox.Failed(req, errors.DaemonUnavailable("x")))
        self.assertEqual(len(self.s.messages), 50)
        self.assertEqual(len(self.s.results), 100)


if __name__ == "__main__":
    unittest.main()
