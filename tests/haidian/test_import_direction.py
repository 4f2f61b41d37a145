"""The import direction of DESIGN §3, read from the source (AST): every module of our apps imports
only its own app and the apps below it, no two apps or modules import each other, and imports
sit at the top of their module (the only exception is AppConfig.ready(), where an app hooks itself
in, and the scripts in bench/ that configure Django before they import it)."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first; an app may import the apps of its own layer or below, never above (DESIGN §3).
LAYERS = [
    ["haidian"],
    ["agencies"],
    ["grids"],
    ["people", "notifications"],
    ["appointments", "comanagers", "registry"],
    ["dispatch"],
    ["assessment", "committees", "whistle", "supervision", "workaccess", "dashboard", "open311", "public",
     "security"],
    ["demo", "bench"],
]
LAYER = {app: depth for depth, apps in enumerate(LAYERS) for app in apps}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def sources() -> dict[str, Path]:
    found = {}
    for app in LAYER:
        if (ROOT / app).is_dir():
            for path in (ROOT / app).rglob("*.py"):
                if "migrations" not in path.parts:
                    found[module_name(path)] = path
    return found


def is_script(tree: ast.Module) -> bool:
    """A file run as a program (`if __name__ == "__main__":`), which sets Django up before importing it."""
    return any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body)


def resolve(node: ast.AST, module: str) -> list[str]:
    """The first-party modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")[: -node.level] if not sources()[module].name == "__init__.py" \
                else module.split(".")[: len(module.split(".")) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [base] + [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in names if name.split(".")[0] in LAYER and
            (name in sources() or any(m.startswith(name + ".") for m in sources()))]


def _imports_in(node: ast.AST, module: str, found: list, *, top: bool, in_ready: bool, script: bool) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            found += [(name, child.lineno, top or in_ready or script) for name in resolve(child, module)]
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            ready = in_ready or getattr(child, "name", "") == "ready"
            _imports_in(child, module, found, top=False, in_ready=ready, script=script)
        elif not (isinstance(child, ast.If) and top and "TYPE_CHECKING" in ast.unparse(child.test)):
            _imports_in(child, module, found, top=top, in_ready=in_ready, script=script)


@cache
def imports() -> dict[str, list[tuple[str, int, bool]]]:
    """module → (imported module, line, at module top?) for every first-party import."""
    table = {}
    for module, path in sources().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        found: list = []
        _imports_in(tree, module, found, top=True, in_ready=False, script=is_script(tree))
        table[module] = found
    return table


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_the_layers_name_every_app_we_have():
    ours = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert ours <= set(LAYER), f"apps missing from DESIGN §3's layers: {sorted(ours - set(LAYER))}"


def test_no_module_imports_an_app_above_its_own():
    upward = [f"{module}:{line} imports {target} ({app_of(module)} is below {app_of(target)})"
              for module, found in imports().items() for target, line, _top in found
              if LAYER[app_of(target)] > LAYER[app_of(module)]]
    assert upward == []


def test_no_two_apps_import_each_other():
    edges = {(app_of(module), app_of(target)) for module, found in imports().items()
             for target, _line, _top in found if app_of(target) != app_of(module)}
    assert sorted(f"{a} <-> {b}" for a, b in edges if (b, a) in edges and a < b) == []


def test_no_module_takes_part_in_an_import_cycle():
    graph = {module: {target for target, _line, _top in found if target in sources() and target != module}
             for module, found in imports().items()}
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module, [])
    assert cycles == []


def test_imports_sit_at_the_top_of_their_module():
    inside = [f"{module}:{line} imports {target} inside a function"
              for module, found in imports().items() for target, line, top in found if not top]
    assert inside == []
