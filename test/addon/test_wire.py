"""wire.py against the shared vectors in protocol/vectors/<DefName>/ (made from the zod schemas):
the add-on builds exactly the request vectors and reads every daemon-side vector."""

import glob
import json
import os
import unittest

from ._load import REPO, addon_module

wire = addon_module("wire")
errors = addon_module("errors")
protocol_gen = addon_module("protocol_gen")

VECTORS = os.path.join(REPO, "protocol", "vectors")


def vectors(def_name, invalid=False):
    folder = os.path.join(VECTORS, def_name, "invalid" if invalid else "")
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as fh:
            out.append((os.path.basename(path), json.load(fh)))
    return out


def render_context(ctx):
    if ctx is None:
        return None
    res = ctx.get("resolution")
    return wire.RenderContext(
        blend_file=ctx.get("blendFile"), scene=ctx.get("scene"), frame=ctx.get("frame"), camera=ctx.get("camera"),
        engine=ctx.get("engine"), samples=ctx.get("samples"), resolution=tuple(res) if res else None,
        render_seconds=ctx.get("renderSeconds"), blender_version=ctx.get("blenderVersion"))


def rebuild(method, p):
    """The add-on's builder fed with the vector's values (as the add-on holds them, snake_case)."""
    if method == "session.hello":
        c = p["client"]
        return wire.hello_params(wire.ClientInfo(c["name"], c["version"], c.get("blender")))
    if method == "asset.process":
        return wire.process_params(p["paths"], p.get("source"), render_context(p.get("context")), p.get("display"))
    if method == "preview.export":
        return wire.preview_params(p["path"], p.get("longEdge"), p.get("format"), p.get("watermark"))
    if method == "blend.archive":
        return wire.archive_params(p["blend"], p["dependencies"], p.get("name"), p.get("copy"))
    if method == "pack.process":
        return wire.pack_params(p["path"], p.get("profile"))
    if method == "job.cancel":
        return wire.job_cancel_params(p["jobId"])
    if method == "ledger.query":
        return wire.ledger_query_params(p.get("assetId"), p.get("sha256"), p.get("limit"))
    if method == "ledger.verify":
        return {}
    raise AssertionError(f"no builder for {method}")


STEMS = {  # vector stem -> method (the registry's `name`)
    "SessionHello": "session.hello", "AssetProcess": "asset.process", "PreviewExport": "preview.export",
    "BlendArchive": "blend.archive", "PackProcess": "pack.process", "JobCancel": "job.cancel",
    "LedgerVerify": "ledger.verify", "LedgerQuery": "ledger.query",
}
# How the add-on reads each method's result (the methods it calls).
RESULT_DEFS = {"asset.process": "AssetProcessResult", "preview.export": "PreviewExportResult",
               "blend.archive": "BlendArchiveResult", "pack.process": "PackProcessResult",
               "session.hello": "SessionHelloResult"}


class BuildsTheRequestVectors(unittest.TestCase):
    def test_every_request_and_params_vector(self):
        checked = 0
        for stem, method in STEMS.items():
            for name, vec in vectors(f"{stem}Request"):
                with self.subTest(vector=f"{stem}Request/{name}"):
                    built = json.loads(wire.encode_request(vec["id"], method, rebuild(method, vec.get("params", {}))))
                    expected = dict(vec)
                    expected.setdefault("params", {})
                    self.assertEqual(built, expected)
                    checked += 1
            for name, vec in vectors(f"{stem}Params"):
                with self.subTest(vector=f"{stem}Params/{name}"):
                    self.assertEqual(rebuild(method, vec), vec)
                    checked += 1
        if checked == 0:
            self.skipTest("protocol/vectors holds no request vectors yet")

    def test_the_addon_cannot_build_the_invalid_asset_process_vectors(self):
        checked = 0
        for name, vec in vectors("AssetProcessRequest", invalid=True):
            params = vec["message"].get("params")
            if params is None or "paths" not in params:
                continue  # nothing to feed the builder with
            with self.subTest(vector=name):
                with self.assertRaises(ValueError):
                    rebuild("asset.process", params)
                checked += 1
        if checked == 0:
            self.skipTest("protocol/vectors holds no invalid asset.process vectors yet")

    def test_a_render_request_has_the_wire_names(self):
        ctx = wire.RenderContext(blend_file="/p/a.blend", scene="Scene", frame=3, camera="Cam", engine="CYCLES",
                                 samples=4, resolution=(160, 120), render_seconds=0.123456, blender_version="3.4.1")
        params = wire.process_params(["/s/r.exr"], "f12", ctx, "/s/r.png")
        self.assertEqual(params, {
            "paths": ["/s/r.exr"], "source": "f12", "display": "/s/r.png",
            "context": {"blendFile": "/p/a.blend", "scene": "Scene", "frame": 3, "camera": "Cam", "engine": "CYCLES",
                        "samples": 4, "resolution": [160, 120], "renderSeconds": 0.123, "blenderVersion": "3.4.1"}})
        self.assertEqual(wire.hello_params(wire.ClientInfo("n", "1", None)),
                         {"protocol": protocol_gen.PROTOCOL_VERSION, "client": {"name": "n", "version": "1"}})

    def test_unknown_source_is_refused_before_sending(self):
        with self.assertRaises(ValueError):
            wire.process_params(["/a.png"], "f13")


class ReadsTheDaemonVectors(unittest.TestCase):
    def test_results(self):
        parsers = {
            "AssetProcessResult": wire.parse_process_result, "PreviewExportResult": wire.parse_asset_result,
            "BlendArchiveResult": wire.parse_archive_result, "PackProcessResult": wire.parse_job_started,
            "SessionHelloResult": wire.parse_hello_result, "AssetResult": wire.parse_asset_result,
            "ProcessReport": wire.parse_process_result,
        }
        checked = 0
        for def_name, parse in parsers.items():
            for name, vec in vectors(def_name):
                with self.subTest(vector=f"{def_name}/{name}"):
                    value = parse(vec)
                    self.check_parsed(def_name, vec, value)
                    checked += 1
        for stem, method in STEMS.items():
            for name, vec in vectors(f"{stem}Response"):
                with self.subTest(vector=f"{stem}Response/{name}"):
                    reply = wire.decode_message(json.dumps(vec))
                    self.assertIsInstance(reply, wire.Reply)
                    self.assertEqual(reply.id, vec["id"])
                    self.assertIsNone(reply.error)
                    result_def = RESULT_DEFS.get(method)
                    if result_def is not None:
                        self.check_parsed(result_def, vec["result"], parsers[result_def](reply.result))
                    checked += 1
        if checked == 0:
            self.skipTest("protocol/vectors holds no result vectors yet")

    def check_parsed(self, def_name, vec, value):
        if def_name in ("AssetProcessResult", "ProcessReport"):
            self.assertEqual([r.asset_id for r in value.results], [r["assetId"] for r in vec["results"]])
            self.assertEqual([e.code for e in value.errors], [e["code"] for e in vec["errors"]])
        elif def_name in ("PreviewExportResult", "AssetResult"):
            self.assertEqual(value.asset_id, vec["assetId"])
            self.assertEqual([o.path for o in value.outputs], [o["path"] for o in vec["outputs"]])
            self.assertEqual(value.ledger_seq, vec["ledgerSeq"])
        elif def_name == "BlendArchiveResult":
            self.assertEqual(value.archive_path, vec["archive"]["path"])
            self.assertEqual(list(value.missing), vec["missing"])
        elif def_name == "PackProcessResult":
            self.assertEqual(value, vec["jobId"])
        elif def_name == "SessionHelloResult":
            self.assertEqual(value.server_version, vec["server"]["version"])
            self.assertEqual(value.data_mining, vec["profile"]["dataMining"])

    def test_notifications(self):
        checked = 0
        for name, vec in vectors("JobProgressParams") + [(n, v["params"]) for n, v in vectors("JobProgressNotification")]:
            with self.subTest(vector=name):
                p = wire.parse_job_progress(vec)
                self.assertEqual((p.job_id, p.done, p.total), (vec["jobId"], vec["done"], vec["total"]))
                checked += 1
        for name, vec in vectors("JobFinishedParams") + [(n, v["params"]) for n, v in vectors("JobFinishedNotification")]:
            with self.subTest(vector=name):
                f = wire.parse_job_finished(vec)
                self.assertEqual(f.job_id, vec["jobId"])
                if "error" in vec:
                    self.assertEqual(f.error.code, vec["error"].get("data", {}).get("key", f.error.code))
                if "result" in vec:
                    self.assertEqual(len(f.outcome.results), len(vec["result"]["results"]))
                checked += 1
        if checked == 0:
            self.skipTest("protocol/vectors holds no notification vectors yet")

    def test_error_responses_give_the_stable_key(self):
        checked = 0
        for name, vec in vectors("ErrorResponse"):
            with self.subTest(vector=name):
                reply = wire.decode_message(json.dumps(vec))
                expected = vec["error"].get("data", {}).get("key")
                self.assertIsInstance(reply.error, errors.ProtocolError)
                if expected:
                    self.assertEqual(reply.error.key, expected)
                self.assertEqual(reply.error.message, vec["error"]["message"])
                checked += 1
        if checked == 0:
            self.skipTest("protocol/vectors holds no ErrorResponse vectors yet")

    def test_every_error_code_maps_back_to_its_key(self):
        for key, code in protocol_gen.ERROR_CODES.items():
            err = wire.error_from_wire({"code": code, "message": "m"})
            self.assertEqual(err.key, key)

    def test_garbage_is_a_protocol_error(self):
        for text in ("not json", "[1,2]", json.dumps({"jsonrpc": "1.0", "id": 1, "result": {}}),
                     json.dumps({"jsonrpc": "2.0", "id": 1})):
            with self.subTest(text=text), self.assertRaises(errors.ProtocolError):
                wire.decode_message(text)
        with self.assertRaises(errors.ProtocolError):
            wire.parse_process_result(["not", "an", "object"])


if __name__ == "__main__":
    unittest.main()
