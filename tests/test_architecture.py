"""The layout's rules, read off the source: no import cycles in kg/, no arrow pointing up the pipeline.

docs/ARCHITECTURE.md states the rules; this module checks them with `ast`, so a new import that breaks one fails
here with the path it takes. Every import counts, function-level ones included (a lazy import that closes a
cycle is still a cycle); imports under `if TYPE_CHECKING:` do not, since they never run.
"""
from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Stages in data-flow order: a module may import its own stage or an earlier one, never a later one.
STAGE_RANK = {
    "kg.model": 0,  # namespaces, vocabulary tables, RDF terms, paths; no I/O
    "kg.appraisal": 0,  # the appraisal rules (certainty, direction of effect, pooling): pure, no I/O
    "kg.query": 1,  # the SPARQL registry, text, binding and the read-only guard: no store needed
    "kg.ingest": 2,  # bib/ttl -> triples, integrity checks (registry queries)
    "kg.store": 3,  # embedded, persistent and remote backends behind KnowledgeGraph
    "kg.api": 4,  # load()/connect(): the one wiring module
    "kg.analysis": 5,
    "kg.quality": 5,
    "kg.export": 5,
    "kg.render": 5,
    "kg.synth": 5,
    "kg.curate": 6,  # checked writes to the curated data (validates with kg.quality)
    "kg.serve": 7,
    "kg.cli": 8,
}
# (importer prefix, imported prefix, why not)
FORBIDDEN = [
    ("kg", "app_pages", "the library knows nothing of its UI"),
    ("kg", "streamlit", "the library knows nothing of its UI"),
    ("kg", "pyvis", "the network page's assets ship with kg.render; pyvis is the app's"),
    ("kg.serve", "kg.cli", "the endpoint is mountable without the command line"),
    ("app_pages", "kg.cli", "pages call the library, not the command line"),
    ("app_pages", "kg.serve", "pages call the library, not the endpoint"),
]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run: everything except the bodies of `if TYPE_CHECKING:`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """module -> the modules (and top-level third-party names) it imports, for every .py under `packages`."""
    files = [p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))]
    files += [root / f"{pkg}.py" for pkg in packages if (root / f"{pkg}.py").exists()]
    modules = {module_name(p, root): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # `from kg.query import named` imports the module kg.query.named
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in modules else base)
        graph[name] = {t for t in targets if t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the graph's own modules, as a path that starts and ends at the same module."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _stage(name: str) -> str | None:
    return next((s for s in STAGE_RANK if _within(name, s)), None)


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Every forbidden arrow and every import from an earlier stage to a later one."""
    found = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            for source, banned, why in FORBIDDEN:
                if _within(importer, source) and _within(target, banned):
                    found.append(f"{importer} imports {target}: {why}")
            a, b = _stage(importer), _stage(target)
            if a and b and STAGE_RANK[a] < STAGE_RANK[b]:
                found.append(f"{importer} ({a}) imports {target} ({b}), a later stage")
    return found


@pytest.fixture(scope="module")
def project_graph() -> dict[str, set[str]]:
    return import_graph(ROOT, ("kg", "app_pages", "app"))


def test_kg_has_no_import_cycle(project_graph: dict[str, set[str]]) -> None:
    cycle = find_cycle({m: t for m, t in project_graph.items() if _within(m, "kg")})
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_forbidden_or_upward_arrow(project_graph: dict[str, set[str]]) -> None:
    assert violations(project_graph) == []


def test_every_kg_module_belongs_to_a_stage(project_graph: dict[str, set[str]]) -> None:
    loose = [m for m in project_graph if _within(m, "kg") and m != "kg" and _stage(m) is None]
    assert loose == []


def test_the_graph_is_read_from_the_real_tree(project_graph: dict[str, set[str]]) -> None:
    # Guards the checker itself: if parsing went wrong, the empty graph would pass every rule above.
    assert "kg.api" in project_graph["kg"]
    assert "kg.model.namespace" in project_graph["kg.model.vocab"]
    assert len([m for m in project_graph if _within(m, "kg")]) > 40


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_a_cycle_is_caught_even_through_a_function_level_import(tmp_path: Path) -> None:
    _write(tmp_path, {
        "kg/__init__.py": "",
        "kg/model/__init__.py": "",
        "kg/model/a.py": "from kg.model import b\n",
        "kg/model/b.py": "def late():\n    from kg.model.a import thing\n",
        "kg/model/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kg.model import a\n",
    })
    graph = import_graph(tmp_path, ("kg",))
    assert find_cycle(graph) == ["kg.model.a", "kg.model.b", "kg.model.a"]
    assert "kg.model.a" not in graph["kg.model.c"]  # TYPE_CHECKING imports never run


def test_an_upward_or_forbidden_arrow_is_caught(tmp_path: Path) -> None:
    _write(tmp_path, {
        "kg/__init__.py": "",
        "kg/model/__init__.py": "",
        "kg/model/vocab.py": "from kg.analysis import evidence\n",
        "kg/analysis/__init__.py": "",
        "kg/analysis/evidence.py": "import streamlit as st\nfrom ..model import vocab\n",
        "app_pages/__init__.py": "",
        "app_pages/page.py": "from kg.serve import router\n",
    })
    found = violations(import_graph(tmp_path, ("kg", "app_pages")))
    assert "kg.model.vocab (kg.model) imports kg.analysis.evidence (kg.analysis), a later stage" in found
    assert any(f.startswith("kg.analysis.evidence imports streamlit") for f in found)
    assert any(f.startswith("app_pages.page imports kg.serve") for f in found)
    assert not any("imports kg.model.vocab" in f for f in found)  # the relative import resolved, and it points down
