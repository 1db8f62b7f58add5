"""The test suite keeps the layout ``tests/README.md`` describes.

Test folders are packages (so basenames may repeat and ``tests.support`` is
importable from anywhere), helpers are imported rather than loaded by path or
from a ``conftest``, and ``tests/unit/`` mirrors ``src/tnorder/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.fixtures import REPO_ROOT

TESTS = REPO_ROOT / "tests"
SRC = REPO_ROOT / "src" / "tnorder"
# Folders holding data or scripts, not test modules.
NOT_PACKAGES = {TESTS / "fixtures", TESTS / "mutation"}


def _python_files() -> list[Path]:
    return [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if not any(path.is_relative_to(folder) for folder in NOT_PACKAGES)
    ]


def _loads_by_path(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        (isinstance(node, ast.Attribute) and node.attr == "spec_from_file_location")
        or (isinstance(node, ast.Name) and node.id == "spec_from_file_location")
        for node in ast.walk(tree)
    )


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_every_test_folder_is_a_package() -> None:
    """Each folder under tests/ that holds Python files has an ``__init__.py``."""
    folders = {path.parent for path in _python_files()}
    missing = sorted(
        str(f.relative_to(REPO_ROOT)) for f in folders if not (f / "__init__.py").is_file()
    )
    assert [] == missing


def test_no_helper_comes_from_a_conftest_or_a_file_path() -> None:
    """Nothing imports a ``conftest`` module or loads Python from a file path:
    shared helpers live in ``tests.support``."""
    offenders = []
    for path in _python_files():
        if "conftest" in {name.rsplit(".", 1)[-1] for name in _imported_modules(path)}:
            offenders.append(f"{path.relative_to(REPO_ROOT)}: imports a conftest")
        if _loads_by_path(path):
            offenders.append(f"{path.relative_to(REPO_ROOT)}: loads a module by file path")
    assert [] == offenders


def test_helpers_are_imported_through_the_tests_package() -> None:
    """Helpers are imported by their full name (``tests.support...``), never by a bare
    module name that only resolves when pytest has put their folder on ``sys.path``."""
    local = ({path.stem for path in _python_files()} | {"support"}) - {"__init__"}
    offenders = sorted(
        f"{path.relative_to(REPO_ROOT)}: {name}"
        for path in _python_files()
        for name in _imported_modules(path)
        if name.split(".")[0] in local
    )
    assert [] == offenders


def test_unit_folders_mirror_the_source_tree() -> None:
    """Every folder under tests/unit/ names a package or module of src/tnorder/."""
    unit = TESTS / "unit"
    strays = sorted(
        str(folder.relative_to(REPO_ROOT))
        for folder in unit.rglob("*")
        if folder.is_dir()
        and folder.name != "__pycache__"
        and not (SRC / folder.relative_to(unit)).is_dir()
        and not (SRC / folder.relative_to(unit)).with_suffix(".py").is_file()
    )
    assert [] == strays
