"""The public surface in code matches the checked-in list, so a removal fails CI.

Regenerate the list with ``make surface`` after adding or (following the
deprecation policy) removing a public name.
"""

from __future__ import annotations

import importlib

from tnorder._surface import SURFACE_PAGE, public_modules, render, surface


def test_public_surface_matches_the_checked_in_list() -> None:
    """docs/public-api.md is exactly what `make surface` writes from the modules' __all__."""
    assert SURFACE_PAGE.read_text(encoding="utf-8") == render(surface())


def test_the_list_covers_the_package_and_its_public_subpackages() -> None:
    """tnorder, its adapters, its kit and its errors are in the list; tools are not."""
    table = surface()
    assert {
        "tnorder",
        "tnorder.errors",
        "tnorder.ports",
        "tnorder.adapters.memory",
        "tnorder.testing",
        "tnorder.testing.strategies",
    } <= set(table)
    assert not {m for m in table if m.startswith(("tnorder.demo", "tnorder.cli", "tnorder._"))}
    assert "OrderService" in table["tnorder"]


def test_every_listed_name_exists() -> None:
    """Each name in each public module's __all__ is an attribute of that module."""
    missing = [
        f"{module}.{name}"
        for module, names in surface().items()
        for name in names
        if not hasattr(importlib.import_module(module), name)
    ]
    assert [] == missing


def test_public_modules_declare_all() -> None:
    """Every public module that is not a package declares __all__."""
    modules = [importlib.import_module(name) for name in public_modules()]
    assert [] == [
        m.__name__ for m in modules if not hasattr(m, "__path__") and not hasattr(m, "__all__")
    ]


def test_a_removed_name_shows_in_the_difference() -> None:
    """Dropping a name from a module's __all__ changes the rendered list (the test's teeth)."""
    table = surface()
    smaller = {**table, "tnorder": [n for n in table["tnorder"] if n != "OrderService"]}
    assert render(smaller) != render(table)
