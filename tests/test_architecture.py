"""The house plan, checked: the import contract (import-linter, configured in pyproject.toml), no import
cycle in app/, each domain's public API in its __init__ and nothing else reached from outside, no
private name crossing a module boundary, no module past the size where it should become a package.

Each failure names the modules, lines and names involved, so the fix starts from the message."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parent.parent
# The packages whose __init__ is a public API: code outside one imports only what its __all__ names.
DOMAIN_ROOTS = ("app.services", "app.ui")
# Product code: the scripts and packages that ship. Tests and benchmarks may reach into modules.
PRODUCT = ("app", "jobs", "pages", "streamlit_app.py")
MAX_LINES = 400  # past this a module becomes a package (the house plan)
# Generated schema history, not hand-written modules.
NOT_MEASURED = ("app/migrations/",)


@dataclass(frozen=True)
class ImportLine:
    path: Path
    line: int
    module: str
    names: tuple[str, ...]  # empty for `import x`


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _product_files() -> Iterator[Path]:
    for entry in PRODUCT:
        root = REPO / entry
        if root.is_file():
            yield root
        else:
            yield from sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> Iterator[ImportLine]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield ImportLine(path, node.lineno, node.module, tuple(a.name for a in node.names))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield ImportLine(path, node.lineno, alias.name, ())


def _domains() -> list[str]:
    out = []
    for root in DOMAIN_ROOTS:
        folder = REPO / Path(*root.split("."))
        out += [f"{root}.{p.name}" for p in sorted(folder.iterdir()) if (p / "__init__.py").exists()]
    return out


def _domain_of(module: str, domains: list[str]) -> str | None:
    return next((d for d in domains if module == d or module.startswith(d + ".")), None)


def _where(imp: ImportLine) -> str:
    return f"{imp.path.relative_to(REPO)}:{imp.line}"


def test_the_import_contract_holds() -> None:
    """`lint-imports` with the contracts in pyproject.toml: the layers of the hub, the order of the
    service domains, the UI by domain, and Streamlit only in the UI."""
    linter = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(linter), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (
        "broken import contracts:\n" + run.stdout[run.stdout.find("Broken contracts") :]
    )


def _strongly_connected(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, iteratively (no recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start) & modules)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules)))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_in_app() -> None:
    """A cycle (imports inside functions or through a package __init__ included) is the sign of a split
    that went wrong; it fails here with its members named."""
    sys.path.insert(0, str(REPO))
    try:
        graph = grimp.build_graph("app", cache_dir=None)
    finally:
        sys.path.remove(str(REPO))
    modules = {m for m in graph.modules if m.startswith("app")}
    cycles = _strongly_connected(graph, modules)
    assert not cycles, "import cycles in app/:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: two modules importing each other are reported, a chain is not."""
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _strongly_connected(graph, {"pkg.a", "pkg.b", "pkg.c"}) == [["pkg.a", "pkg.b"]]


def test_each_domain_declares_its_public_api() -> None:
    """Every domain package (app/services/<domain>, app/ui/<domain>) has an __all__ whose names exist."""
    problems = []
    for domain in _domains():
        package = importlib.import_module(domain)
        names = getattr(package, "__all__", None)
        if names is None:
            problems.append(f"{domain}: no __all__")
            continue
        problems += [
            f"{domain}.__all__ names {n!r}, which it does not define"
            for n in names
            if not hasattr(package, n)
        ]
    assert not problems, "\n".join(problems)


def test_code_outside_a_domain_imports_only_its_public_api() -> None:
    """From outside a domain, `from app.services.<domain> import name` with `name` in its __all__, and
    nothing from its modules; inside a domain, modules import their siblings directly."""
    domains = _domains()
    public = {d: set(importlib.import_module(d).__all__) for d in domains}
    problems = []
    for path in _product_files():
        here = _domain_of(_module_name(path), domains)
        for imp in _imports(path):
            target = _domain_of(imp.module, domains)
            if target is None or target == here:
                continue
            if imp.module != target:
                problems.append(f"{_where(imp)}: imports {imp.module}; import from {target} instead")
                continue
            problems += [
                f"{_where(imp)}: {name!r} is not in {target}.__all__"
                for name in imp.names
                if name not in public[target]
            ]
    assert not problems, "\n".join(problems)


def _private_uses(path: Path) -> Iterator[str]:
    """`from x import _name`, and `module._name` on a module imported from the project."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    project_modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("app", "jobs"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    yield f"{path.relative_to(REPO)}:{node.lineno}: imports {alias.name} from {node.module}"
                project_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("app", "jobs") and alias.asname:
                    project_modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in project_modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            yield f"{path.relative_to(REPO)}:{node.lineno}: uses {node.value.id}.{node.attr}"


def test_no_private_name_crosses_a_module_boundary() -> None:
    problems = [p for path in _product_files() for p in _private_uses(path)]
    assert not problems, "private names used across modules:\n" + "\n".join(problems)


def test_nothing_in_app_or_jobs_imports_pages_or_the_entrypoint() -> None:
    """Pages and streamlit_app.py are scripts Streamlit runs; nothing imports them."""
    problems = [
        f"{_where(imp)}: imports {imp.module}"
        for path in _product_files()
        if path.relative_to(REPO).parts[0] != "pages"
        for imp in _imports(path)
        if imp.module.split(".")[0] in ("pages", "streamlit_app")
    ]
    assert not problems, "\n".join(problems)


def test_modules_stay_small_enough_to_read() -> None:
    """Past about 400 lines a module holds more than one idea: it becomes a package."""
    too_long = []
    for path in _product_files():
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith(NOT_MEASURED):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{rel}: {lines} lines")
    assert not too_long, f"modules over {MAX_LINES} lines:\n" + "\n".join(too_long)


@pytest.mark.parametrize("root", ["app/services", "app/ui"])
def test_no_module_sits_loose_beside_the_domains(root: str) -> None:
    """app/services and app/ui hold domain packages only (app/ui also the page context every domain
    shares); a new module goes into the domain it belongs to."""
    allowed = {"__init__.py", "context.py"} if root == "app/ui" else {"__init__.py"}
    loose = [p.name for p in sorted((REPO / root).glob("*.py")) if p.name not in allowed]
    assert not loose, f"modules directly in {root}/: {loose}"
