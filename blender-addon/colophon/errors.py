# SPDX-License-Identifier: GPL-3.0-or-later
"""The two failures the add-on's daemon client can raise. bpy-free."""


class DaemonUnavailable(Exception):
    """Nothing answered: no daemon.json, connection refused, timed out, reset or closed.

    This is a normal state (the artist has not started `colophon serve`); callers retry later.
    """


class ProtocolError(Exception):
    """The daemon answered, but with an error (or with something that is not our protocol).

    `key` is a stable error key such as FILE_NOT_FOUND or UNAUTHORIZED; `data` is whatever extra
    detail the daemon sent (may be None).
    """

    def __init__(self, key, message, data=None):
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message
        self.data = data
