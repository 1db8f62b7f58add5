"""Deprecation helpers warn with DeprecationWarning, name the replacement, blame the caller."""

from __future__ import annotations

import types
import warnings

import pytest

from tnorder._deprecation import Moved, deprecated, deprecated_names, warn_deprecated


def test_warn_deprecated_names_release_and_replacement() -> None:
    """The warning says what is deprecated, since when, until when, and what to use."""
    with pytest.warns(DeprecationWarning, match="tnorder.old") as caught:
        warn_deprecated("tnorder.old", since="0.2", removed_in="0.4", instead="tnorder.new")
    assert [
        "tnorder.old is deprecated since tnorder 0.2 and will be removed in 0.4; "
        "use tnorder.new instead."
    ] == [str(w.message) for w in caught]


def test_the_warning_points_at_the_callers_line() -> None:
    """stacklevel makes the warning's location the user's call, not tnorder's code."""

    @deprecated(since="0.2", removed_in="0.4")
    def old() -> int:
        return 7

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert 7 == old()
    (warning,) = caught
    assert DeprecationWarning is warning.category
    assert __file__ == warning.filename
    assert f"{__name__}.{old.__qualname__} is deprecated since tnorder 0.2" in str(
        warning.message
    )
    assert "will be removed in 0.4." in str(warning.message)


def test_decorated_function_keeps_its_behaviour_and_name() -> None:
    """The decorated function returns the same result and keeps its name and docstring."""

    @deprecated(since="0.2", removed_in="0.4", instead="add")
    def plus(a: int, b: int = 1) -> int:
        """Add."""
        return a + b

    with pytest.warns(DeprecationWarning, match="use add instead"):
        assert 5 == plus(2, b=3)
    assert ("plus", "Add.") == (plus.__name__, plus.__doc__)


def test_errors_turn_deprecations_into_failures() -> None:
    """Under -W error::DeprecationWarning (a strict test suite) a deprecated call raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with pytest.raises(DeprecationWarning):
            warn_deprecated("x", since="0.2", removed_in="0.4")


def test_moved_module_names_warn_and_resolve() -> None:
    """A module __getattr__ from deprecated_names serves old names with a warning and
    still raises AttributeError for unknown ones."""
    module = types.ModuleType("tnorder_example")
    module.__getattr__ = deprecated_names(  # type: ignore[method-assign]
        "tnorder_example",
        {"OldThing": Moved(lambda: dict, "tnorder_example.NewThing", "0.2", "0.4")},
    )
    with pytest.warns(DeprecationWarning, match=r"tnorder_example\.OldThing is deprecated"):
        assert dict is module.OldThing
    with pytest.raises(AttributeError, match="has no attribute 'Missing'"):
        _ = module.Missing


def test_the_machine_table_shorthands_are_deprecated() -> None:
    """``tnorder.domain.machine.S`` and ``.T`` (0.1's table shorthands) still resolve, with a
    warning naming the public spelling."""
    from tnorder import ItemStatus, Trigger
    from tnorder.domain import machine

    with pytest.warns(DeprecationWarning, match=r"machine\.S is deprecated.*tnorder\.ItemStatus"):
        assert ItemStatus is machine.S
    with pytest.warns(DeprecationWarning, match=r"machine\.T is deprecated.*tnorder\.Trigger"):
        assert Trigger is machine.T
