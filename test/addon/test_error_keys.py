"""Every error key the add-on raises, reports or compares with is one protocol/src/errors.ts defines (a daemon
key in ERROR_CODES, or a client-side key in CLIENT_ERROR_KEYS), read from the source with `ast`."""

import ast
import os
import unittest

from ._load import ADDON_DIR, addon_module

# Where a key goes: ProtocolError(key, message) and FailureInfo(input, code, message).
KEY_ARG = {"ProtocolError": 0, "FailureInfo": 1}
KEY_KEYWORDS = {"key", "code"}
KEY_ATTRS = {"key", "code"}


def _name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _strings(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for elt in node.elts for s in _strings(elt)]
    return []


def keys_used(source):
    """(key, line) for each literal error key in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in KEY_ARG:
            index = KEY_ARG[_name(node.func)]
            if len(node.args) > index:
                found += [(s, node.lineno) for s in _strings(node.args[index])]
            found += [(s, node.lineno) for kw in node.keywords if kw.arg in KEY_KEYWORDS for s in _strings(kw.value)]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr in KEY_ATTRS for s in sides):
                found += [(s, node.lineno) for side in sides for s in _strings(side)]
    return found


class ErrorKeys(unittest.TestCase):
    def test_every_key_the_addon_uses_is_defined_by_the_protocol(self):
        gen = addon_module("protocol_gen")
        known = set(gen.ERROR_CODES) | set(gen.CLIENT_ERROR_KEYS)
        unknown = []
        seen = set()
        for name in sorted(os.listdir(ADDON_DIR)):
            if not name.endswith(".py") or name == "protocol_gen.py":
                continue
            with open(os.path.join(ADDON_DIR, name), encoding="utf-8") as fh:
                for key, line in keys_used(fh.read()):
                    seen.add(key)
                    if key not in known:
                        unknown.append(f"{name}:{line} {key}")
        self.assertEqual(unknown, [], "add these to protocol/src/errors.ts and run npm run protocol:gen")
        self.assertIn("UNAUTHORIZED", seen)  # the scan reads the real raises
        self.assertIn("DISCONNECTED", seen)

    def test_the_scan_finds_raises_failures_and_comparisons(self):
        code = ('raise ProtocolError("MADE_UP", "x")\n'
                'f = wire.FailureInfo("", "ALSO_MADE_UP", "y")\n'
                'if err.key in ("COMPARED", "BUSY"):\n    pass\n'
                'ProtocolError(key="BY_NAME", message="z")\n')
        self.assertEqual(sorted(k for k, _ in keys_used(code)), ["ALSO_MADE_UP", "BUSY", "BY_NAME", "COMPARED", "MADE_UP"])

    def test_client_keys_do_not_shadow_daemon_keys(self):
        gen = addon_module("protocol_gen")
        self.assertFalse(set(gen.CLIENT_ERROR_KEYS) & set(gen.ERROR_CODES))


if __name__ == "__main__":
    unittest.main()
