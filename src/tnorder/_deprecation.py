"""Deprecating a public name: a ``DeprecationWarning`` that says what to use instead.

The policy (docs/versioning.md): a public name is deprecated for at least one
minor release before it is removed, with a ``Deprecated`` changelog entry, and
keeps working meanwhile.  These helpers make the warning uniform and point it
at the caller's line (``stacklevel``), where a test suite running with
``-W error::DeprecationWarning`` will stop.

* :func:`warn_deprecated` inside a function or method that stays for now;
* :func:`deprecated` as a decorator on a function or method;
* :func:`deprecated_names` for a module-level name that moved or was renamed,
  as the module's ``__getattr__`` (PEP 562).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import NamedTuple, ParamSpec, TypeVar

__all__ = ["Moved", "deprecated", "deprecated_names", "deprecation_message", "warn_deprecated"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def deprecation_message(name: str, *, since: str, removed_in: str, instead: str | None) -> str:
    """``"X is deprecated since tnorder 0.2 and will be removed in 0.4; use Y instead."``"""
    use = f"; use {instead} instead" if instead else ""
    return (
        f"{name} is deprecated since tnorder {since} and will be removed in {removed_in}{use}."
    )


def warn_deprecated(
    name: str,
    *,
    since: str,
    removed_in: str,
    instead: str | None = None,
    stacklevel: int = 2,
) -> None:
    """Emit the ``DeprecationWarning`` for ``name``.

    Args:
        name: what is deprecated, as users write it (``"OrderService.fire(note=...)"``).
        since: the release that deprecated it.
        removed_in: the first release without it (at least one minor release later).
        instead: what to use instead, if anything.
        stacklevel: 2 blames the caller of the function calling this one.
    """
    warnings.warn(
        deprecation_message(name, since=since, removed_in=removed_in, instead=instead),
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


def deprecated(
    *, since: str, removed_in: str, instead: str | None = None
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorate a function or method so each call warns, then runs it unchanged."""

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            warn_deprecated(name, since=since, removed_in=removed_in, instead=instead)
            return func(*args, **kwargs)

        return wrapper

    return decorate


class Moved(NamedTuple):
    """Where a deprecated module-level name went.

    Attributes:
        target: zero-argument callable returning the object the old name now means
            (imported lazily, so the module stays light to import).
        instead: the new spelling, for the message.
        since, removed_in: as for :func:`warn_deprecated`.
    """

    target: Callable[[], object]
    instead: str
    since: str
    removed_in: str


def deprecated_names(module: str, moved: Mapping[str, Moved]) -> Callable[[str], object]:
    """A module ``__getattr__`` serving each old name in ``moved`` with a warning.

    Example::

        __getattr__ = deprecated_names(__name__, {
            "OldName": Moved(lambda: NewName, "tnorder.NewName", since="0.2", removed_in="0.4"),
        })
    """

    def __getattr__(name: str) -> object:
        entry = moved.get(name)
        if entry is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warn_deprecated(
            f"{module}.{name}",
            since=entry.since,
            removed_in=entry.removed_in,
            instead=entry.instead,
        )
        return entry.target()

    return __getattr__
