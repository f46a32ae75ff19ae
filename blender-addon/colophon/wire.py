# SPDX-License-Identifier: GPL-3.0-or-later
"""Builds the messages the add-on sends and reads the ones it receives. bpy-free.

This is the only module that knows the wire's key names (camelCase, SPEC §5 and §7). Everything
else in the add-on deals in the plain Python values defined here. The daemon validates what it
receives; here we only build from typed values and defend ourselves when reading replies.
"""

import json
from dataclasses import dataclass, field

from . import protocol_gen
from .errors import ProtocolError

_CODE_TO_KEY = {code: key for key, code in protocol_gen.ERROR_CODES.items()}


# ---- values the add-on works with -------------------------------------------------------------

@dataclass(frozen=True)
class ClientInfo:
    name: str
    version: str
    blender: str = None


@dataclass(frozen=True)
class RenderContext:
    blend_file: str = None
    scene: str = None
    frame: int = None
    camera: str = None
    engine: str = None
    samples: int = None
    resolution: tuple = None  # (width, height) in pixels as rendered
    render_seconds: float = None
    blender_version: str = None


@dataclass(frozen=True)
class Reply:
    id: object
    result: object = None
    error: ProtocolError = None


@dataclass(frozen=True)
class Notification:
    method: str
    params: dict


@dataclass(frozen=True)
class HelloResult:
    protocol: int
    server_name: str
    server_version: str
    creator: str = None
    licence: str = None
    data_mining: str = None
    warnings: tuple = ()  # profile problems the artist should fix (e.g. creator not set)
    copyright: str = None  # the rights as the daemon words them (templates expanded)
    stamp_note: str = None
    licence_text: str = None


@dataclass(frozen=True)
class OutputInfo:
    path: str
    visibility: str
    purpose: str


@dataclass(frozen=True)
class AssetSummary:
    asset_id: str
    source: str
    input_path: str
    kind: str
    outputs: tuple = ()
    warnings: tuple = ()
    ledger_seq: int = None

    def output(self, purpose, visibility=None):
        """Path of the first output with this purpose (and visibility), or None."""
        for out in self.outputs:
            if out.purpose == purpose and (visibility is None or out.visibility == visibility):
                return out.path
        return None


@dataclass(frozen=True)
class FailureInfo:
    input: str
    code: str
    message: str


@dataclass(frozen=True)
class ProcessOutcome:
    results: tuple = ()
    errors: tuple = ()


@dataclass(frozen=True)
class ArchiveOutcome:
    archive_path: str
    asset_id: str
    included: tuple = ()
    missing: tuple = ()


@dataclass(frozen=True)
class JobProgress:
    job_id: str
    done: int
    total: int
    current: str = None


@dataclass(frozen=True)
class JobFinished:
    job_id: str
    outcome: ProcessOutcome = None
    archive_path: str = None
    error: FailureInfo = None
    raw: dict = field(default=None, compare=False)


# ---- building requests -----------------------------------------------------------------------

def encode_request(request_id, method, params):
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params},
                      ensure_ascii=False, separators=(",", ":"))


def hello_params(client):
    info = {"name": client.name, "version": client.version}
    if client.blender:
        info["blender"] = client.blender
    return {"protocol": protocol_gen.PROTOCOL_VERSION, "client": info}


def _whole(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def context_params(ctx):
    """The render context on the wire; a value of the wrong type is a ValueError here, not a daemon error."""
    pairs = (
        ("blendFile", ctx.blend_file, str), ("scene", ctx.scene, str), ("frame", ctx.frame, _whole),
        ("camera", ctx.camera, str), ("engine", ctx.engine, str), ("samples", ctx.samples, _whole),
        ("resolution", ctx.resolution, lambda r: [_whole(r[0]), _whole(r[1])]),
        ("renderSeconds", ctx.render_seconds, lambda s: round(float(s), 3)),
        ("blenderVersion", ctx.blender_version, str),
    )
    return {key: convert(value) for key, value, convert in pairs if value is not None and value != ""}


def process_params(paths, source=None, context=None, display=None):
    if source is not None and source not in protocol_gen.SOURCES:
        raise ValueError(f"unknown source {source!r}; expected one of {protocol_gen.SOURCES}")
    if isinstance(paths, (str, bytes)) or not paths:
        raise ValueError("paths must be a non-empty list of file paths")
    params = {"paths": [str(p) for p in paths]}
    if source is not None:
        params["source"] = source
    if context is not None:
        ctx = context_params(context)
        if ctx:
            params["context"] = ctx
    if display is not None:
        params["display"] = str(display)
    return params


def preview_params(path, long_edge=None, fmt=None, watermark=None):
    params = {"path": str(path)}
    if long_edge is not None:
        params["longEdge"] = int(long_edge)
    if fmt is not None:
        params["format"] = fmt
    if watermark is not None:
        params["watermark"] = watermark
    return params


def archive_params(blend, dependencies, name=None, copy=None):
    params = {"blend": str(blend), "dependencies": [str(d) for d in dependencies]}
    if name is not None:
        params["name"] = str(name)
    if copy is not None:
        params["copy"] = str(copy)
    return params


def pack_params(path, profile=None):
    params = {"path": str(path)}
    if profile is not None:
        params["profile"] = profile
    return params


def job_cancel_params(job_id):
    return {"jobId": job_id}


def ledger_query_params(asset_id=None, sha256=None, limit=None):
    params = {}
    if asset_id is not None:
        params["assetId"] = asset_id
    if sha256 is not None:
        params["sha256"] = sha256
    if limit is not None:
        params["limit"] = int(limit)
    return params


# ---- reading what the daemon sends ----------------------------------------------------------

def decode_message(text):
    """A Reply or a Notification from one text frame; ProtocolError if it is neither."""
    try:
        msg = json.loads(text)
    except ValueError:
        raise ProtocolError("BAD_REPLY", "the daemon sent something that is not JSON") from None
    if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
        raise ProtocolError("BAD_REPLY", "the daemon sent a message that is not JSON-RPC 2.0")
    if "method" in msg and "id" not in msg:
        params = msg.get("params")
        return Notification(str(msg["method"]), params if isinstance(params, dict) else {})
    if "error" in msg:
        return Reply(msg.get("id"), error=error_from_wire(msg["error"]))
    if "result" in msg:
        return Reply(msg.get("id"), result=msg["result"])
    raise ProtocolError("BAD_REPLY", "the daemon sent a reply with neither result nor error")


def error_from_wire(err):
    if not isinstance(err, dict):
        return ProtocolError("INTERNAL", str(err))
    code = err.get("code")
    data = err.get("data")
    key = _CODE_TO_KEY.get(code)
    if key is None and isinstance(data, dict) and isinstance(data.get("key"), str):
        key = data["key"]
    return ProtocolError(key or f"ERROR_{code}", str(err.get("message", "the daemon reported an error")), data)


def parse_hello_result(obj):
    obj = _dict(obj, "session.hello result")
    server = _dict(obj.get("server", {}), "server")
    profile = obj.get("profile") if isinstance(obj.get("profile"), dict) else {}
    creator = profile.get("creator")
    licence = profile.get("licence")
    rights = obj.get("rights") if isinstance(obj.get("rights"), dict) else {}

    def text(key):
        return rights[key] if isinstance(rights.get(key), str) else None
    return HelloResult(
        protocol=obj.get("protocol"),
        server_name=str(server.get("name", "colophon")),
        server_version=str(server.get("version", "?")),
        creator=creator.get("name") if isinstance(creator, dict) else creator,
        licence=licence.get("name") if isinstance(licence, dict) else licence,
        data_mining=profile.get("dataMining"),
        warnings=tuple(str(w) for w in obj.get("warnings") or () if isinstance(obj.get("warnings"), list)),
        copyright=text("copyright"),
        stamp_note=text("stampNote"),
        licence_text=text("licenceText"),
    )


def parse_asset_result(obj):
    obj = _dict(obj, "AssetResult")
    inp = _dict(obj.get("input"), "AssetResult.input")
    outputs = tuple(
        OutputInfo(str(o.get("path")), str(o.get("visibility")), str(o.get("purpose")))
        for o in obj.get("outputs") or () if isinstance(o, dict)
    )
    return AssetSummary(
        asset_id=str(obj.get("assetId")),
        source=str(obj.get("source")),
        input_path=str(inp.get("path")),
        kind=str(inp.get("kind")),
        outputs=outputs,
        warnings=tuple(str(w) for w in obj.get("warnings") or ()),
        ledger_seq=obj.get("ledgerSeq"),
    )


def parse_failure(obj):
    obj = _dict(obj, "Failure")
    return FailureInfo(str(obj.get("input", "")), str(obj.get("code", "")), str(obj.get("message", "")))


def parse_process_result(obj):
    obj = _dict(obj, "asset.process result")
    return ProcessOutcome(
        results=tuple(parse_asset_result(r) for r in obj.get("results") or ()),
        errors=tuple(parse_failure(e) for e in obj.get("errors") or ()),
    )


def parse_archive_result(obj):
    obj = _dict(obj, "blend.archive result")
    archive = _dict(obj.get("archive"), "blend.archive result.archive")
    return ArchiveOutcome(
        archive_path=str(archive.get("path")),
        asset_id=str(obj.get("assetId")),
        included=tuple(str(p) for p in obj.get("included") or ()),
        missing=tuple(str(p) for p in obj.get("missing") or ()),
    )


def parse_job_started(obj):
    return str(_dict(obj, "pack.process result").get("jobId"))


def parse_job_progress(params):
    return JobProgress(
        job_id=str(params.get("jobId")),
        done=int(params.get("done") or 0),
        total=int(params.get("total") or 0),
        current=params.get("current"),
    )


def parse_job_finished(params):
    result = params.get("result")
    error = params.get("error")
    outcome = archive = None
    if isinstance(result, dict):
        if "results" in result or "errors" in result:
            outcome = parse_process_result(result)
        arch = result.get("archive")
        archive = arch.get("path") if isinstance(arch, dict) else arch
    failure = None
    if isinstance(error, dict):
        err = error_from_wire(error)  # an RpcError: {code, message, data: {key}}
        failure = FailureInfo("", err.key, err.message)
    elif error is not None:
        failure = FailureInfo("", "BAD_REPLY", str(error))  # not an error object: a protocol violation
    return JobFinished(str(params.get("jobId")), outcome, archive, failure, raw=params)


def _dict(obj, what):
    if not isinstance(obj, dict):
        raise ProtocolError("BAD_REPLY", f"the daemon's {what} is not an object")
    return obj
