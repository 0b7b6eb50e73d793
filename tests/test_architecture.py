"""The shape of the code (docs/architecture.md): data flows one way and the import graph has no cycle."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "orgraph"

#: Stages in the order data flows; a module may import only from its own stage or earlier ones.
STAGES = [
    {"errors", "plain", "config", "schema", "model", "result", "stats", "privacy", "collector", "beside"},
    {"reading", "columnar", "validate", "graph", "settings", "summary", "store", "importing", "synth"},
    {"analyses"},
    {"report", "registry"},
    {"render"},
    {"writers"},
    {"cli", "__main__", "__init__"},
]


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every orgraph module ``path`` imports (module level or inside functions)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "orgraph"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "orgraph":
                continue
            for a in node.names:      # `from . import x` may name a submodule
                sub = f"{mod}.{a.name}"
                out.add(sub if (PKG.parent / (sub.replace(".", "/") + ".py")).exists()
                        or (PKG.parent / sub.replace(".", "/")).is_dir() else mod)
    return out


def _graph() -> nx.DiGraph:
    G = nx.DiGraph()
    for path in PKG.rglob("*.py"):
        src = _module_name(path)
        G.add_node(src)
        for dst in _imports(path):
            if dst != src:
                G.add_edge(src, dst)
    return G


def _stage(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    for i, names in enumerate(STAGES):
        if top in names:
            return i
    raise AssertionError(f"{module} belongs to no stage; add it to STAGES and docs/architecture.md")


def test_no_import_runs_back_up():
    G = _graph()
    back = [(a, b) for a, b in G.edges if b != "orgraph" and _stage(b) > _stage(a)]
    assert not back, f"imports against the data flow: {back}"


def test_the_import_graph_has_no_cycle():
    G = _graph()
    G.remove_nodes_from([n for n in G if n == "orgraph" or n.count(".") == 1 and (PKG / n.split(".")[1]).is_dir()])
    cycles = list(nx.simple_cycles(G))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_renderers_run_no_analysis():
    G = _graph()
    for mod in G:
        if mod.startswith("orgraph.render"):
            bad = [d for d in G.successors(mod) if d.startswith(("orgraph.analyses", "orgraph.registry"))]
            assert not bad, f"{mod} imports {bad}"


def test_the_architecture_doc_names_every_module():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if path.name in ("__init__.py", "__main__.py") or rel.startswith(("importing/", "store/", "cli/")):
            continue
        if rel.startswith("analyses/"):
            continue      # analyses are listed by question in the table of results
        assert rel in doc or f"`{path.stem}.py`" in doc, f"docs/architecture.md does not mention {rel}"


def test_start_up_leaves_the_heavy_libraries_for_the_commands_that_use_them():
    """`orgraph --help` (every command module imported) loads no drawing, map or statistics library: matplotlib
    only draws map.png without Chromium, pyvis only builds a map, scipy and statsmodels only test."""
    import subprocess
    import sys

    code = ("import sys, orgraph.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'matplotlib', 'pyvis', 'scipy', 'statsmodels', 'IPython', 'pptx'})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
