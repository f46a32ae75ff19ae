"""No two add-on modules import each other, directly or through others (imports inside functions count:
a late import hides a cycle, it does not break it). The graph is read from the source with `ast`."""

import ast
import os
import unittest

from ._load import ADDON_DIR


def sibling_imports(module, names):
    """The add-on modules `module` imports (relative imports, and absolute `colophon.x` ones)."""
    with open(os.path.join(ADDON_DIR, module + ".py"), encoding="utf-8") as fh:
        tree = ast.parse(fh.read())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if not node.level:
                if not base.startswith("colophon"):
                    continue
                base = base[len("colophon"):].lstrip(".")
            if base:
                found.add(base.split(".")[0])
            else:  # `from . import a, b`
                found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("colophon.")}
    return found & names


def find_cycle(graph):
    """One cycle as a list of modules (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {name: WHITE for name in graph}
    stack = []

    def visit(name):
        colour[name] = GREY
        stack.append(name)
        for dep in sorted(graph[name]):
            if colour[dep] == GREY:
                return stack[stack.index(dep):] + [dep]
            if colour[dep] == WHITE:
                cycle = visit(dep)
                if cycle:
                    return cycle
        stack.pop()
        colour[name] = BLACK
        return None

    for name in sorted(graph):
        if colour[name] == WHITE:
            cycle = visit(name)
            if cycle:
                return cycle
    return None


def addon_graph():
    # __init__ imports every module to register them; no module imports the package itself.
    names = {f[:-3] for f in os.listdir(ADDON_DIR) if f.endswith(".py") and f != "__init__.py"}
    return {name: sibling_imports(name, names) - {name} for name in names}


class ImportCycles(unittest.TestCase):
    def test_the_addon_has_no_import_cycle(self):
        cycle = find_cycle(addon_graph())
        self.assertIsNone(cycle, "import cycle: " + " -> ".join(cycle or []))

    def test_the_check_sees_a_cycle_through_a_late_import(self):
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertIsNone(find_cycle({"a": {"b"}, "b": set()}))

    def test_the_graph_reads_the_real_imports(self):
        graph = addon_graph()
        self.assertIn("runtime", graph["preferences"])  # preferences' update callbacks configure the runtime
        self.assertIn("protocol_gen", graph["wire"])


if __name__ == "__main__":
    unittest.main()
