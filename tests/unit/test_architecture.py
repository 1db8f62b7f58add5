"""The layering the package promises: a pure domain, time only through the clock port."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tnorder"
DOMAIN = sorted((SRC / "domain").glob("*.py"))
# Modules a pure domain may import besides its own package and the errors.
DOMAIN_ALLOWED = {
    "__future__",
    "attrs",
    "bisect",
    "collections",
    "dataclasses",
    "datetime",
    "dateutil",
    "enum",
    "functools",
    "hashlib",
    "holidays",
    "itertools",
    "math",
    "operator",
    "phonenumbers",
    "re",
    "string",
    "transitions",
    "types",
    "typing",
    "unicodedata",
    "warnings",
}
# Deprecated re-exports of names that moved out of the domain; each import is
# deferred into a module __getattr__ and goes when the deprecation ends.
DEPRECATED_REEXPORTS = {"carrier_status.py": {"tnorder.adapters.bandwidth"}}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
            elif node.level == 2 and node.module and node.module.split(".")[0] != "errors":
                roots.add(f"tnorder.{node.module}")
    return roots


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: p.name)
def test_domain_imports_no_io(path: Path) -> None:
    """Domain modules import only pure libraries, their siblings and tnorder.errors."""
    allowed = DOMAIN_ALLOWED | DEPRECATED_REEXPORTS.get(path.name, set())
    assert set() == imported_roots(path) - allowed


def test_domain_names_no_vendor() -> None:
    """No domain module defines a carrier vendor's vocabulary (it lives in the adapter)."""
    vendor = re.compile(r"^BANDWIDTH\w* *[:=]", re.MULTILINE)
    assert [] == [p.name for p in DOMAIN if vendor.search(p.read_text(encoding="utf-8"))]


CLOCK_READS = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(")


def test_only_the_clock_adapter_reads_the_time() -> None:
    """No module but adapters/clocks.py reads the wall clock."""
    readers = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if CLOCK_READS.search(p.read_text(encoding="utf-8")) and p.name != "clocks.py"
    ]
    assert [] == readers


def test_domain_never_opens_files_or_sockets() -> None:
    """The domain performs no I/O calls."""
    io = re.compile(r"\bopen\(|socket\.|subprocess\.|sqlite3\.|os\.environ")
    assert [] == [p.name for p in DOMAIN if io.search(p.read_text(encoding="utf-8"))]
