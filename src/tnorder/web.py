"""JSON-ready views and errors for web hosts: no glue between tnorder and a page.

:func:`to_json_ready` turns any view or record tnorder returns (Orders tab
summaries, Active Numbers entries, orders, carrier requests, documents,
inventory numbers, events, ``AppliedUpdate``...) into plain JSON values:
``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None`` only,
ready for ``json.dumps`` or any framework's JSON response.

Rules (each is tested):

- attrs objects and named tuples (a line item's ``HistoryEntry``) become
  objects with one key per field, in field order;
- an enum becomes its stable string value, and a field holding an enum
  with a customer-facing ``label`` (statuses, intents) gets a sibling
  ``<field>_label`` key, unless the object already has that key;
- datetimes are ISO 8601 with their UTC offset, dates ``YYYY-MM-DD``,
  durations seconds (a float);
- sets and frozensets become sorted lists, tuples lists, mappings objects
  with string keys;
- a delivery window also carries its display ``text``;
- an exception (the ``error`` of a bulk result's rejected update or failed
  batch) becomes the body :func:`error_to_json` gives it, and a rejected
  update that was not a ``CarrierUpdate`` with no JSON form becomes
  ``{"type": <its class name>}``.

Pages (``Page``, ``InventoryPage``) are attrs objects like any other: their
``next_cursor`` is a string the host passes back as ``cursor`` unchanged.

:func:`error_to_json` maps any exception to ``(http_status, body)``.  A
tnorder error's status and retry hint are its own data (the ``http_status``
class attribute and ``retryable``, which a ``CarrierError`` may set per
failure; see ``docs/errors.md``); anything that is not a
:class:`~tnorder.errors.TnorderError` is a 500 whose body reveals nothing.
The body names the error, repeats its message (written to be safe to show)
and lists its facts (ids, statuses, allowed events), never payloads.

Nothing here is imported by ``import tnorder``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final

import attrs

from . import errors
from .domain.bulk import RejectedUpdate
from .domain.delivery import DeliveryWindow

__all__ = [
    "ErrorBody",
    "error_to_json",
    "http_status_of",
    "is_retryable",
    "to_json_ready",
]

ErrorBody = dict[str, Any]
"""What :func:`error_to_json` returns as the response body."""

# Facts that are the error's own plumbing, or could carry a foreign payload.
_HIDDEN_FACTS: Final = frozenset({"args", "details", "default_retryable", "retryable"})


def http_status_of(exc: BaseException) -> int:
    """The HTTP status that answers ``exc`` (500 for anything not tnorder's)."""
    if not isinstance(exc, errors.TnorderError):
        return 500
    return type(exc).http_status


def is_retryable(exc: BaseException) -> bool:
    """Whether sending the same request again later may succeed."""
    if not isinstance(exc, errors.TnorderError):
        return False
    # The instance first: a carrier error decides per failure (a 5xx vs a refusal).
    return bool(exc.retryable)


def _facts(exc: BaseException) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in sorted(vars(exc).items()):
        if name.startswith("_") or name in _HIDDEN_FACTS:
            continue
        ready = to_json_ready(value)
        if isinstance(ready, str | int | float | bool | list) or ready is None:
            out[name] = ready
    return out


def error_to_json(exc: BaseException) -> tuple[int, ErrorBody]:
    """``(http_status, body)`` for ``exc``; the body is plain JSON.

    A tnorder error's body is ``{"error": class name, "message": ..., "status":
    ..., "retryable": ..., "facts": {...}}``.  Anything else becomes
    ``{"error": "InternalError", "message": "internal error", "status": 500,
    "retryable": False, "facts": {}}``: its text may hold secrets or internals,
    so the host logs it and the client is told nothing.
    """
    if not isinstance(exc, errors.TnorderError):
        return 500, {
            "error": "InternalError",
            "message": "internal error",
            "status": 500,
            "retryable": False,
            "facts": {},
        }
    status = http_status_of(exc)
    return status, {
        "error": type(exc).__name__,
        "message": str(exc),
        "status": status,
        "retryable": is_retryable(exc),
        "facts": _facts(exc),
    }


def _attrs_ready(value: Any) -> dict[str, Any]:
    return _fields_ready(value, [field.name for field in attrs.fields(type(value))])


def _fields_ready(value: Any, names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    labels: dict[str, str] = {}
    for name in names:
        if name.startswith("_"):
            continue  # storage's private bookkeeping (change marks, digests), not data
        item = getattr(value, name)
        if isinstance(value, RejectedUpdate) and name == "update":
            out[name] = _given_ready(item)
            continue
        out[name] = to_json_ready(item)
        label = getattr(item, "label", None) if isinstance(item, enum.Enum) else None
        if isinstance(label, str):
            labels[f"{name}_label"] = label
    for key, label in labels.items():
        out.setdefault(key, label)
    if isinstance(value, DeliveryWindow):
        out.setdefault("text", value.text)
    return out


def _given_ready(update: object) -> Any:
    # A bulk call keeps a refused input as given, which may be anything: a value
    # with no JSON form is shown by its type only (its text could be a payload).
    try:
        return to_json_ready(update)
    except TypeError:
        return {"type": type(update).__name__}


def to_json_ready(value: Any) -> Any:
    """``value`` as plain JSON values (see the module docstring for the rules).

    Raises:
        TypeError: ``value`` holds something with no JSON form (a function,
            bytes); tnorder's views and records never do.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return to_json_ready(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if attrs.has(type(value)):
        return _attrs_ready(value)
    if isinstance(value, Mapping):
        return {str(to_json_ready(k)): to_json_ready(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((to_json_ready(v) for v in value), key=_sort_key)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        # A named tuple is a record (history entries are, for speed): keep its keys.
        return _fields_ready(value, list(value._fields))
    if isinstance(value, list | tuple):
        return [to_json_ready(v) for v in value]
    if isinstance(value, BaseException):
        # A bulk result carries its errors as values: the same safe body an HTTP
        # answer would have (a foreign error's text is not repeated).
        return error_to_json(value)[1]
    raise TypeError(f"{type(value).__name__} has no JSON form")


def _sort_key(value: Any) -> tuple[str, str]:
    # Sets of mixed JSON values still sort the same way every time.
    return (type(value).__name__, repr(value))
