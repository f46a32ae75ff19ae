# SPDX-License-Identifier: GPL-3.0-or-later
"""What the panel and the status bar show, updated from outbox events on the main thread. bpy-free.

`Status.apply(event)` turns one outbox event into state plus a short message for the artist, so
the Blender side only has to draw and report.
"""

import collections
from dataclasses import dataclass, field

from . import outbox, wire

NOT_RUNNING = "daemon not running — start it with `colophon serve`"


@dataclass
class JobState:
    job_id: str
    label: str
    done: int = 0
    total: int = 0
    current: str = None
    finished: bool = False


@dataclass
class Status:
    state: str = outbox.STATE_IDLE
    detail: str = ""
    server: str = ""  # "colophon 0.1.0" once connected
    profile_creator: str = ""
    profile_data_mining: str = ""
    profile_licence: str = ""
    profile_warnings: list = field(default_factory=list)
    profile_copyright: str = ""  # rights text as the daemon words it; empty until a daemon answered
    profile_stamp_note: str = ""
    profile_licence_text: str = ""
    last_title: str = ""  # "Render Scene frame 1"
    last_lines: list = field(default_factory=list)  # paths and outcome, one line each
    last_warnings: list = field(default_factory=list)
    last_ok: bool = True
    jobs: dict = field(default_factory=dict)  # job_id -> JobState
    messages: collections.deque = field(default_factory=lambda: collections.deque(maxlen=50))
    results: list = field(default_factory=list)  # every Done/Failed seen, newest last (bounded)

    def rights(self, creator_override=""):
        """The rights to write into Blender (stamp note, LICENSE text, scene properties) as the daemon words
        them, with the artist's creator override in place of the profile's name; None before any daemon answered.
        The add-on keeps no wording or defaults of its own."""
        if not self.profile_licence_text:
            return None
        creator = self.profile_creator

        def named(text):
            return text.replace(creator, creator_override) if creator_override and creator else text

        return {
            "creator": creator_override or creator,
            "copyright": named(self.profile_copyright),
            "licence": self.profile_licence,
            "data_mining": self.profile_data_mining,
            "stamp_note": named(self.profile_stamp_note),
            "licence_text": named(self.profile_licence_text),
        }

    @property
    def connection_text(self):
        if self.state == outbox.STATE_CONNECTED:
            return f"connected to {self.server}" if self.server else "connected"
        if self.state == outbox.STATE_UNREACHABLE:
            return NOT_RUNNING
        if self.state == outbox.STATE_REFUSED:
            return f"daemon refused the connection: {self.detail}"
        return "not connected yet"

    def apply(self, event):
        """Update from one outbox event; returns (level, text) for the artist, or None."""
        if isinstance(event, outbox.StateChanged):
            return self._state(event)
        if isinstance(event, (outbox.Done, outbox.Failed)):
            self._remember(event)
            if isinstance(event, outbox.Done):
                said = self._done(event.request, event.value)
            else:
                said = self._failed(event.request, event.error)
            event.request.outcome = said
            return said
        if isinstance(event, outbox.JobEvent):
            return self._job(event.value)
        return None

    def _remember(self, event):
        self.results.append(event)
        del self.results[:-100]

    def _state(self, event):
        self.state, self.detail = event.state, event.message
        if event.server is not None:
            self.server = f"{event.server.server_name} {event.server.server_version}"
            self.profile_creator = event.server.creator or ""
            self.profile_data_mining = event.server.data_mining or ""
            self.profile_licence = event.server.licence or ""
            self.profile_warnings = list(event.server.warnings)
            self.profile_copyright = event.server.copyright or ""
            self.profile_stamp_note = event.server.stamp_note or ""
            self.profile_licence_text = event.server.licence_text or ""
        if event.state == outbox.STATE_CONNECTED:
            if self.profile_warnings:
                return self._say("WARNING", f"Colophon: {self.connection_text}; profile: " + "; ".join(self.profile_warnings))
            return self._say("INFO", f"Colophon: {self.connection_text}")
        if event.state == outbox.STATE_UNREACHABLE:
            return self._say("WARNING", f"Colophon: {NOT_RUNNING} ({event.message}); will retry")
        return self._say("ERROR", f"Colophon: {self.connection_text}")

    def _done(self, request, value):
        self.last_title = request.label or request.method
        self.last_ok = True
        if isinstance(value, wire.ProcessOutcome):
            self.last_lines = [line for r in value.results for line in _asset_lines(r)]
            self.last_lines += [f"failed: {e.input}: {e.message}" for e in value.errors]
            self.last_warnings = [w for r in value.results for w in r.warnings]
            self.last_ok = not value.errors
            where = value.results[0].output("preview", "public") if value.results else None
            text = f"{len(value.results)} recorded" + (f", {len(value.errors)} failed" if value.errors else "")
            return self._say("INFO" if self.last_ok else "WARNING",
                             f"Colophon: {self.last_title}: {text}" + (f"; preview {where}" if where else ""))
        if isinstance(value, wire.AssetSummary):
            self.last_lines = _asset_lines(value)
            self.last_warnings = list(value.warnings)
            where = value.output("preview", "public")
            return self._say("INFO", f"Colophon: public preview written to {where}")
        if isinstance(value, wire.ArchiveOutcome):
            self.last_lines = [f"archive: {value.archive_path}", f"included: {len(value.included)} files"]
            self.last_lines += [f"missing: {m}" for m in value.missing]
            self.last_warnings = [f"missing dependency: {m}" for m in value.missing]
            self.last_ok = not value.missing
            tail = f"; {len(value.missing)} missing: " + "; ".join(value.missing) if value.missing else ""
            return self._say("INFO" if self.last_ok else "WARNING",
                             f"Colophon: archive written to {value.archive_path}{tail}")
        if request.method == "pack.process":
            self.jobs[value] = JobState(value, request.label)
            return self._say("INFO", f"Colophon: {request.label} started")
        return None

    def _failed(self, request, error):
        self.last_title = request.label or request.method
        self.last_ok = False
        text = getattr(error, "message", None) or str(error)
        self.last_lines = [f"failed: {text}"]
        self.last_warnings = []
        return self._say("ERROR", f"Colophon: {self.last_title} failed: {text}")

    def _job(self, value):
        job = self.jobs.get(value.job_id) or JobState(value.job_id, "pack")
        self.jobs[value.job_id] = job
        if isinstance(value, wire.JobProgress):
            job.done, job.total, job.current = value.done, value.total, value.current
            return None
        job.finished = True
        if value.error is not None:
            self.last_title, self.last_ok = job.label, False
            self.last_lines = [f"failed: {value.error.message}"]
            return self._say("ERROR", f"Colophon: {job.label} failed: {value.error.message}")
        outcome = value.outcome or wire.ProcessOutcome()
        self.last_title, self.last_ok = job.label, not outcome.errors
        summary = f"{len(outcome.results)} files recorded, {len(outcome.errors)} failed"
        self.last_lines = [f"archive: {value.archive_path}"] if value.archive_path else []
        self.last_lines += [summary] + [f"failed: {e.input}: {e.message}" for e in outcome.errors]
        return self._say("INFO" if self.last_ok else "WARNING", f"Colophon: {job.label} done: {summary}")

    def _say(self, level, text):
        self.messages.append((level, text))
        return level, text


def _asset_lines(result):
    lines = [f"{result.kind} {result.asset_id} (ledger #{result.ledger_seq})"]
    for out in result.outputs:
        if out.purpose in ("preview", "master", "archive"):
            lines.append(f"{out.visibility} {out.purpose}: {out.path}")
    return lines
