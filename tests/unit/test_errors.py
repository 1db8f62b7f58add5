"""The error classes carry their HTTP status and retry safety as data, and the tree drawn
in ``tnorder.errors``' docstring matches the classes."""

from __future__ import annotations

import re

import pytest

import tnorder.errors as errors
from tnorder import CarrierError, CarrierUnavailable, TnorderError

CLASSES = [getattr(errors, name) for name in errors.__all__]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_error_class_states_its_http_status_and_retry_safety(cls: type) -> None:
    """Each class in tnorder.errors defines http_status (an HTTP error code) and
    retryable (a bool) in its own body, so none inherits a mapping by accident."""
    assert issubclass(cls, TnorderError)
    assert {"http_status", "retryable"} <= set(vars(cls))
    assert isinstance(cls.http_status, int)
    assert 400 <= cls.http_status <= 599
    assert isinstance(cls.retryable, bool)


def test_the_docstring_tree_names_every_class_with_its_status() -> None:
    """The tree in the module docstring lists exactly the exported classes, each once,
    tagged [http_status] or [http_status, retry] as the class says, under its parent."""
    doc = errors.__doc__ or ""
    tree = doc[doc.index("    TnorderError") :]
    found: dict[str, str] = {}
    parents: dict[int, str] = {}
    for line in tree.splitlines():
        match = re.match(r"^    ([│├└─ ]*)(\w+)(?: \(\w+\))? \[(\d+)(, retry)?\]", line)
        if not match:
            continue
        indent, name, status, retry = match.groups()
        depth = len(indent) // 4
        parents[depth] = name
        cls = getattr(errors, name)
        assert (cls.http_status, cls.retryable) == (int(status), bool(retry)), name
        if depth:
            assert parents[depth - 1] in [b.__name__ for b in cls.__bases__], name
        assert name not in found
        found[name] = line
    assert sorted(errors.__all__) == sorted(found)


def test_a_carrier_error_may_override_retryable_for_itself_only() -> None:
    """A carrier's own answer sets retryable on that error, not on its class."""
    error = CarrierError("boom", retryable=True)
    assert (True, False) == (error.retryable, CarrierError.retryable)
    assert CarrierUnavailable("down").retryable is True
    assert CarrierUnavailable("down", retryable=False).retryable is False
    assert CarrierUnavailable.retryable is True
