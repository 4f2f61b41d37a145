"""docs/rules.md maps each rule of the reform to the function that enforces it and the test that pins it.
These tests keep the page true: every test it cites is a test function of that file, and every backticked
dotted name (`module.function`) imports and exists. They read files and import modules: no database."""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "rules.md"

# tests/<path>.py::test_name, optionally with a parametrised id: tests/x.py::test_y[case]
TEST_REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)(?:\[[^\]`\s]*\])?")
BACKTICKED = re.compile(r"`([^`\n]+)`")
DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
NOT_PINNED = "not pinned by a test yet"


@cache
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def cited_tests() -> list[tuple[str, str]]:
    """(file, test name) for every test the page cites, in order, once each."""
    return list(dict.fromkeys(TEST_REFERENCE.findall(page())))


def cited_names() -> list[str]:
    """Every backticked dotted name, e.g. `dispatch.services.case_file`, once each."""
    spans = BACKTICKED.findall(page())
    return list(dict.fromkeys(span for span in spans if DOTTED_NAME.fullmatch(span)))


@cache
def defined_tests(path: str) -> frozenset[str]:
    """The test functions a test file defines: at its top level, or in its Test… classes."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    bodies = [tree.body] + [node.body for node in tree.body
                            if isinstance(node, ast.ClassDef) and node.name.startswith("Test")]
    return frozenset(node.name for body in bodies for node in body
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"))


def unresolved(name: str) -> str | None:
    """Why `name` (module path, then attributes) does not resolve, or None when it does. The longest
    importable prefix is the module; an error raised while importing a module that exists is not hidden."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and (module_name == error.name or module_name.startswith(f"{error.name}.")):
                continue  # no such module: try a shorter prefix
            raise
        for attribute in parts[cut:]:
            if not hasattr(found, attribute):
                return f"{module_name} has no {'.'.join(parts[cut:])}"
            found = getattr(found, attribute)
        return None
    return f"no module {parts[0]}"


def table_rows() -> list[list[str]]:
    """The cells of every table row of the page, headers and separator lines left out."""
    rows = []
    for line in page().splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[:3] != ["rule", "enforced by", "pinned by"]:
            rows.append(cells)
    return rows


def test_the_rules_page_cites_many_tests_and_functions():
    # A change of format that the patterns no longer read would leave the other tests checking nothing.
    assert len(cited_tests()) >= 100
    assert len(cited_names()) >= 80
    assert len(table_rows()) >= 50


def test_every_test_the_rules_page_cites_exists():
    missing = []
    for path, name in cited_tests():
        if not (ROOT / path).is_file():
            missing.append(f"{path} does not exist")
        elif name not in defined_tests(path):
            missing.append(f"{path} defines no test {name}")
    assert not missing, "docs/rules.md cites tests that do not exist:\n" + "\n".join(missing)


def test_every_function_the_rules_page_cites_exists():
    problems = [f"`{name}`: {why}" for name in cited_names() if (why := unresolved(name))]
    assert not problems, "docs/rules.md cites names that do not exist:\n" + "\n".join(problems)


def test_every_rule_names_what_enforces_it_and_what_pins_it():
    incomplete = []
    for cells in table_rows():
        if len(cells) != 3:
            incomplete.append(f"{len(cells)} cells, not 3: {cells[0][:60]}")
            continue
        rule, enforced_by, pinned_by = cells
        if not any(DOTTED_NAME.fullmatch(span) for span in BACKTICKED.findall(enforced_by)):
            incomplete.append(f"no function enforces: {rule[:60]}")
        if not TEST_REFERENCE.search(pinned_by) and NOT_PINNED not in pinned_by:
            incomplete.append(f"no test pins (nor says so): {rule[:60]}")
    assert not incomplete, "docs/rules.md has incomplete rows:\n" + "\n".join(incomplete)


def test_the_reference_patterns_read_what_the_page_writes():
    line = ("| r | `dispatch.services.case_file` (and a `constraint_name`) | "
            "`tests/a/test_b.py::test_c[x-1]`<br>`tests/a/test_b.py::test_d` |")
    assert TEST_REFERENCE.findall(line) == [("tests/a/test_b.py", "test_c"), ("tests/a/test_b.py", "test_d")]
    assert [span for span in BACKTICKED.findall(line) if DOTTED_NAME.fullmatch(span)] == [
        "dispatch.services.case_file"]
    assert unresolved("dispatch.services.case_file") is None
    assert unresolved("haidian.reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT") is None
    assert unresolved("dispatch.services.case_fly") == "dispatch.services has no case_fly"
    assert unresolved("dispatch.servicez.case_file") == "dispatch has no servicez.case_file"
    assert unresolved("nowhere_at_all.thing") == "no module nowhere_at_all"
