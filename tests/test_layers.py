"""The layout is the architecture: which package may import which, read from every module's own
imports (statically, so a lazy import inside a function counts too).

Data flows one way: corpus -> embeddings -> rag -> service -> api -> ui, with eval and bench
beside the application. Gradio lives only in `ui/`; the application layer (`service/`) and the
HTTP side (`api/`) never import the page.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "embeddings", "rag", "service", "api", "ui", "eval", "bench")
# What each package may import of the project (itself always).
ALLOWED: dict[str, set[str]] = {
    "corpus": set(),
    "embeddings": {"corpus"},
    "rag": {"corpus", "embeddings"},
    "service": {"corpus", "embeddings", "rag"},
    "api": {"corpus", "embeddings", "rag", "service"},
    "ui": {"corpus", "embeddings", "rag", "service", "api"},
    "eval": {"corpus", "embeddings", "rag"},
    "bench": {"corpus", "embeddings", "rag", "service", "api", "ui", "eval"},
}
# The command line is an entry point beside app.py: `python -m rag ingest --url/--feed` fetches
# through the application layer (service/, where network fetching lives).
ENTRY_POINTS: dict[str, set[str]] = {"rag/__main__.py": {"service"}}
MAX_MODULES_PER_FOLDER = 13
MAX_LINES = 300
MAX_FUNCTION_LINES = 60


def modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> Iterator[str]:
    """Every module name `path` imports, at any depth of its code: `from ui import sessions`
    imports `ui.sessions` when that is a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield submodule if is_module(submodule) else node.module


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def name_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_layers_below_its_own(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    allowed = ALLOWED[package] | ENTRY_POINTS.get(path.relative_to(ROOT).as_posix(), set())
    wrong = {
        name
        for name in imported(path)
        if name.split(".")[0] in PACKAGES
        and name.split(".")[0] != package
        and name.split(".")[0] not in allowed
    }
    assert not wrong, f"{package}/ may not import {sorted(wrong)}"


def test_gradio_is_imported_only_under_ui() -> None:
    outside = [
        str(path.relative_to(ROOT))
        for path in modules()
        if path.relative_to(ROOT).parts[0] not in {"ui", "bench"}
        and any(name.split(".")[0] == "gradio" for name in imported(path))
    ]
    assert outside == []


def test_no_import_cycles_between_modules() -> None:
    known = {name_of(path): path for path in modules()}
    graph = {
        name: {target for target in imported(path) if target in known and target != name}
        for name, path in known.items()
    }
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, name, target]))
            if target not in state:
                visit(target, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


def test_folders_stay_small_and_files_short() -> None:
    """A folder of the application holds at most 13 modules; `bench/` is a set of scripts, one
    per benchmark section (bench/README.md)."""
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder in {path.parent for path in modules()}
        if folder.relative_to(ROOT).parts[0] != "bench"
        and (count := len([p for p in folder.glob("*.py") if p.name != "__init__.py"]))
        > MAX_MODULES_PER_FOLDER
    }
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert crowded == {} and long == {}


def test_functions_stay_short() -> None:
    long = {
        f"{path.relative_to(ROOT)}:{node.name}": node.end_lineno - node.lineno + 1
        for path in modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}
