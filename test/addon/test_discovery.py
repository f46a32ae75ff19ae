"""discovery.py: the same folders as the daemon's server/paths.ts (env-paths with an empty suffix)."""

import json
import os
import unittest

from ._load import addon_module, temp_dir

discovery = addon_module("discovery")
errors = addon_module("errors")


class ConfigDir(unittest.TestCase):
    def test_colophon_home_wins_everywhere(self):
        for platform in ("linux", "darwin", "win32"):
            self.assertEqual(discovery.config_dir({"COLOPHON_HOME": "/tmp/ch"}, platform, "/home/u"), "/tmp/ch")

    def test_relative_colophon_home_is_made_absolute(self):
        self.assertEqual(discovery.config_dir({"COLOPHON_HOME": "rel"}, "linux", "/h"), os.path.abspath("rel"))

    def test_linux_uses_xdg_config_home_or_dot_config(self):
        self.assertEqual(discovery.config_dir({}, "linux", "/home/u"), "/home/u/.config/colophon")
        self.assertEqual(discovery.config_dir({"XDG_CONFIG_HOME": "/x"}, "linux", "/home/u"), "/x/colophon")

    def test_macos_and_windows_match_env_paths(self):
        self.assertEqual(discovery.config_dir({}, "darwin", "/Users/u"), "/Users/u/Library/Preferences/colophon")
        win = discovery.config_dir({"APPDATA": "C:/Users/u/AppData/Roaming"}, "win32", "C:/Users/u")
        self.assertEqual(win, os.path.join("C:/Users/u/AppData/Roaming", "colophon", "Config"))


class Discover(unittest.TestCase):
    def setUp(self):
        self.home = temp_dir(self, "colophon-disc-")
        self.env = {"COLOPHON_HOME": self.home}

    def write(self, name, text):
        with open(os.path.join(self.home, name), "w") as fh:
            fh.write(text)

    def test_reads_daemon_json_and_token(self):
        self.write("token", "abc123\n")
        self.write("daemon.json", json.dumps({"url": "ws://127.0.0.1:4321/ws", "pid": 77, "version": "0.1.0"}))
        ep = discovery.discover("", env=self.env)
        self.assertEqual((ep.url, ep.token, ep.pid, ep.version), ("ws://127.0.0.1:4321/ws", "abc123", 77, "0.1.0"))

    def test_no_daemon_json_means_not_running(self):
        self.write("token", "abc")
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            discovery.discover("", env=self.env)
        self.assertIn("daemon.json", str(caught.exception))

    def test_no_token_means_not_running(self):
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            discovery.discover("", env=self.env)
        self.assertIn("token", str(caught.exception))

    def test_broken_daemon_json_is_a_clear_error(self):
        self.write("token", "abc")
        self.write("daemon.json", "{not json")
        with self.assertRaises(errors.DaemonUnavailable) as caught:
            discovery.discover("", env=self.env)
        self.assertIn("restart", str(caught.exception))

    def test_url_override_skips_daemon_json_but_still_needs_the_token(self):
        self.write("token", "tok")
        ep = discovery.discover(" ws://127.0.0.1:9/ws ", env=self.env)
        self.assertEqual((ep.url, ep.token), ("ws://127.0.0.1:9/ws", "tok"))


if __name__ == "__main__":
    unittest.main()
