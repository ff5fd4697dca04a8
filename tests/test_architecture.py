"""The package's dependency direction, read from its imports: the repository serves both jobs
and imports neither; health and discovery stand side by side and never import each other; no
module imports its way back into a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "api" / "llm_bench"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The package modules `path` imports (relative imports resolved), at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.startswith("api.llm_bench") and m != name}


GRAPH = {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}
MODULES = set(GRAPH)


def edges_into(prefix: str, source_prefix: str) -> list[tuple[str, str]]:
    return sorted(
        (src, dst)
        for src, targets in GRAPH.items()
        if src.startswith(source_prefix)
        for dst in targets
        if dst.startswith(prefix)
    )


def test_the_repository_imports_no_job() -> None:
    assert edges_into("api.llm_bench.discovery", "api.llm_bench.repository") == []
    assert edges_into("api.llm_bench.health", "api.llm_bench.repository") == []


def test_health_and_discovery_stand_side_by_side() -> None:
    assert edges_into("api.llm_bench.discovery", "api.llm_bench.health") == []
    assert edges_into("api.llm_bench.health", "api.llm_bench.discovery") == []


def test_only_the_repository_imports_pymongo() -> None:
    offenders = sorted(
        src
        for src, path in ((module_name(p), p) for p in PACKAGE.rglob("*.py"))
        if not src.startswith("api.llm_bench.repository")
        and any(
            isinstance(n, (ast.Import, ast.ImportFrom)) and "pymongo" in ast.dump(n)
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert offenders == []


def test_no_import_circle() -> None:
    graph = {src: {dst for dst in targets if dst in MODULES} for src, targets in GRAPH.items()}
    # a package's __init__ re-exporting its own submodules is not a circle
    graph = {src: {d for d in targets if not d.startswith(src + ".")} for src, targets in graph.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
