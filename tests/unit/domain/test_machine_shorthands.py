"""0.1's table shorthands ``machine.S`` and ``machine.T``: still served, with a warning.

Written from the deprecation policy in docs/decisions.md (removed in 0.4, the
warning names the replacement); ``tests/unit/test_deprecation.py`` checks the
same through the package, this file keeps the rule inside the domain suite.
"""

from __future__ import annotations

import warnings

import pytest

from tnorder.domain import machine
from tnorder.domain.machine import Trigger
from tnorder.domain.statuses import ItemStatus


@pytest.mark.parametrize(
    ("name", "value", "instead"),
    [("S", ItemStatus, "tnorder.ItemStatus"), ("T", Trigger, "tnorder.Trigger")],
)
def test_a_shorthand_resolves_with_a_warning_naming_its_replacement(
    name: str, value: type, instead: str
) -> None:
    """The shorthand is the enum itself; the warning says when it goes and what to use."""
    with pytest.warns(DeprecationWarning, match=r"is deprecated since tnorder 0\.2") as caught:
        served = getattr(machine, name)
    assert value is served
    assert [
        f"tnorder.domain.machine.{name} is deprecated since tnorder 0.2 and will be removed "
        f"in 0.4; use {instead} instead."
    ] == [str(w.message) for w in caught]
    assert not caught[0].filename.endswith("machine.py")


def test_any_other_name_is_an_attribute_error_without_a_warning() -> None:
    """Names that were never shorthands raise AttributeError naming module and attribute."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            AttributeError, match=r"^module 'tnorder\.domain\.machine' has no attribute 'R'$"
        ):
            machine.R  # noqa: B018
