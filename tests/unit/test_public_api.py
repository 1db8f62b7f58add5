"""The public surface is explicit, sorted, typed and light to import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tnorder


def test_all_lists_exactly_the_public_names() -> None:
    """__all__ is sorted, without duplicates, and names every public attribute, nothing else."""
    public = {
        name
        for name, value in vars(tnorder).items()
        if not name.startswith("_") and not isinstance(value, type(tnorder))
    }
    # Sorted as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    def isort_key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert sorted(tnorder.__all__, key=isort_key) == list(tnorder.__all__)
    assert len(set(tnorder.__all__)) == len(tnorder.__all__)
    assert public | {"__version__"} == set(tnorder.__all__)


def test_every_exported_name_resolves() -> None:
    """Each name in __all__ is importable from the package."""
    for name in tnorder.__all__:
        assert getattr(tnorder, name) is not None


def test_errors_share_one_root() -> None:
    """Every exported exception derives from TnorderError."""
    exported = [getattr(tnorder, name) for name in tnorder.__all__]
    errors = [v for v in exported if isinstance(v, type) and issubclass(v, Exception)]
    # The check below is about something: the package exports its error tree.
    assert {tnorder.TnorderError, tnorder.InvalidTransition, tnorder.ValidationError} <= set(errors)
    assert [] == [e.__name__ for e in errors if not issubclass(e, tnorder.TnorderError)]


def test_import_is_light() -> None:
    """`import tnorder` loads no adapters, no test tools and no optional dependencies."""
    code = (
        "import sys, tnorder; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'pytest', 'hypothesis', 'psycopg', 'httpx', 'rich', 'sqlite3', 'defusedxml'} "
        "or m.startswith(('tnorder.adapters.', 'tnorder.testing'))]; "
        "print(','.join(sorted(bad)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == out.stdout.strip()


def test_package_is_typed() -> None:
    """py.typed ships with the package."""
    assert (Path(tnorder.__file__).parent / "py.typed").is_file()
