# SPDX-License-Identifier: GPL-3.0-or-later
"""Finds the running daemon: its URL (daemon.json) and its token. bpy-free.

The rules mirror the daemon's (server/paths.ts): COLOPHON_HOME holds everything when set;
otherwise the platform's config dir for "colophon", computed as the npm package env-paths does
with an empty suffix. A URL typed into the add-on's preferences overrides daemon.json.
"""

import json
import os
import sys
from dataclasses import dataclass

from .errors import DaemonUnavailable

APP_NAME = "colophon"


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str
    home: str
    pid: int = None
    version: str = None


def config_dir(env=None, platform=None, home=None):
    """Where config.json, token and daemon.json live."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    explicit = env.get("COLOPHON_HOME")
    if explicit:
        return os.path.abspath(explicit)
    home = home or os.path.expanduser("~")
    if platform == "darwin":
        return os.path.join(home, "Library", "Preferences", APP_NAME)
    if platform.startswith("win"):
        appdata = env.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
        return os.path.join(appdata, APP_NAME, "Config")
    base = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return os.path.join(base, APP_NAME)


def discover(url_override="", env=None, platform=None, home=None):
    """The endpoint to connect to. Raises DaemonUnavailable when no daemon has announced itself."""
    directory = config_dir(env, platform, home)
    token = _read_token(os.path.join(directory, "token"))
    if url_override:
        return Endpoint(url=url_override.strip(), token=token, home=directory)
    info_path = os.path.join(directory, "daemon.json")
    try:
        with open(info_path, encoding="utf-8") as fh:
            info = json.load(fh)
    except FileNotFoundError:
        raise DaemonUnavailable(f"no {info_path}") from None
    except (OSError, ValueError) as exc:
        raise DaemonUnavailable(f"cannot read {info_path} ({exc.__class__.__name__}); restart `colophon serve`") from None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url:
        raise DaemonUnavailable(f"{info_path} has no url; restart `colophon serve`")
    return Endpoint(url=url, token=token, home=directory, pid=info.get("pid"), version=info.get("version"))


def _read_token(path):
    try:
        with open(path, encoding="utf-8") as fh:
            token = fh.read().strip()
    except FileNotFoundError:
        raise DaemonUnavailable(f"no token file at {path}") from None
    except OSError as exc:
        raise DaemonUnavailable(f"cannot read the token file {path} ({exc.strerror})") from None
    if not token:
        raise DaemonUnavailable(f"the token file {path} is empty; restart `colophon serve`")
    return token
