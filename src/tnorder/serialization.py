"""cattrs converters and the stored-record envelope.

``configure_converter(conv)`` registers tnorder's hooks on a converter you own;
``make_converter()`` returns a fresh, configured one.  The global cattrs
converter is never touched.

Stored records are JSON objects ``{"schema_version": N, "type": NAME, "data": {...}}``.
Reading a record with an unknown version or type, or whose data does not fit
its class, raises :class:`~tnorder.errors.SerializationError` naming the record;
no partially built object is ever returned.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

import cattrs
from cattrs.cols import (
    is_namedtuple,
    namedtuple_dict_structure_factory,
    namedtuple_dict_unstructure_factory,
)

from .domain.events import EVENT_TYPES, Event
from .errors import SerializationError

__all__ = [
    "SCHEMA_VERSION",
    "configure_converter",
    "dump_event",
    "dump_record",
    "dumps",
    "load_event",
    "load_record",
    "loads",
    "make_converter",
]

SCHEMA_VERSION = 1

T = TypeVar("T")


def _structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime {value!r} has no UTC offset")
    return parsed


def _structure_date(value: Any, _: Any) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}")
    return date.fromisoformat(value)


def _structure_str(value: Any, cls: Any) -> Any:
    # cattrs would happily str() an int or a dict; stored garbage must not pass.
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    if cls is not str:
        # Single dispatch sends ``str`` enums here too (it follows the MRO).  The
        # member map is a plain dict: much cheaper than ``EnumType.__call__``.
        member = cls._value2member_map_.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        return member
    return value


def _unstructure_str_enum(value: Any) -> Any:
    # A StrEnum member is a str: JSON encoders write its value as it is.
    return value


def _structure_int(value: Any, cls: Any) -> Any:
    if type(value) is not int:
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value if cls is int else cls(value)


def _structure_bool(value: Any, _: Any) -> bool:
    if type(value) is not bool:
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def configure_converter(conv: cattrs.Converter) -> None:
    """Register tnorder's hooks on ``conv``.

    - datetimes are ISO 8601 strings with a UTC offset; naive ones are refused
    - dates are ISO 8601 ``YYYY-MM-DD`` strings
    - enums are stored by their stable string value
    - strings, integers and booleans are checked, never coerced
    - attrs classes and named tuples (history entries) are dicts of their
      fields (private state such as an order's pending events is never stored)
    """
    conv.register_unstructure_hook_factory(is_namedtuple, namedtuple_dict_unstructure_factory)
    conv.register_structure_hook_factory(
        is_namedtuple,
        # Positional on purpose: the factory takes ``**kwargs`` as field overrides.
        lambda cl, c: namedtuple_dict_structure_factory(cl, c, "from_converter", True),
    )
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(StrEnum, _unstructure_str_enum)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)


def make_converter() -> cattrs.Converter:
    """A fresh converter with :func:`configure_converter` applied."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    configure_converter(conv)
    return conv


_CONVERTER = make_converter()


def dump_record(obj: object, *, converter: cattrs.Converter = _CONVERTER) -> dict[str, Any]:
    """The stored envelope of an attrs record (order, document, ...)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "type": type(obj).__name__,
        "data": converter.unstructure(obj),
    }


def load_record(
    cls: type[T],
    envelope: Any,
    *,
    record: str,
    converter: cattrs.Converter = _CONVERTER,
) -> T:
    """Rebuild a ``cls`` from its envelope.

    Args:
        cls: the expected class.
        envelope: the decoded JSON object.
        record: how to name the record in errors (e.g. ``"order 'A-1'"``).

    Raises:
        SerializationError: unknown schema version or type, or data that does not fit.
    """
    if not isinstance(envelope, dict):
        raise SerializationError("record is not a JSON object", record=record)
    version = envelope.get("schema_version")
    if version != SCHEMA_VERSION:
        raise SerializationError(f"unknown schema version {version!r}", record=record)
    if envelope.get("type") != cls.__name__:
        raise SerializationError(
            f"expected type {cls.__name__!r}, found {envelope.get('type')!r}", record=record
        )
    try:
        return converter.structure(envelope.get("data"), cls)
    except Exception as exc:  # cattrs raises ExceptionGroups of anything; we name the record.
        raise SerializationError(_describe(exc), record=record) from exc


def dumps(obj: object, *, converter: cattrs.Converter = _CONVERTER) -> str:
    """``dump_record`` as compact JSON text."""
    return json.dumps(dump_record(obj, converter=converter), separators=(",", ":"))


def loads(
    cls: type[T], text: str | bytes, *, record: str, converter: cattrs.Converter = _CONVERTER
) -> T:
    """Parse JSON text and ``load_record`` it."""
    try:
        envelope = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise SerializationError(f"not valid JSON: {exc}", record=record) from exc
    return load_record(cls, envelope, record=record, converter=converter)


def dump_event(event: Event, *, converter: cattrs.Converter = _CONVERTER) -> dict[str, Any]:
    """An event as a JSON-ready dict with its ``type`` and ``event_id``."""
    data = converter.unstructure(event)
    return {
        "schema_version": SCHEMA_VERSION,
        "type": event.type_name,
        "event_id": event.event_id,
        "data": data,
    }


def load_event(payload: Any, *, converter: cattrs.Converter = _CONVERTER) -> Event:
    """Rebuild an event from :func:`dump_event` output."""
    name = payload.get("type") if isinstance(payload, dict) else None
    record = f"event {payload.get('event_id')!r}" if isinstance(payload, dict) else "event"
    cls = EVENT_TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise SerializationError(f"unknown event type {name!r}", record=record)
    return load_record(cls, payload, record=record, converter=converter)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        notes = cattrs.transform_error(exc) if isinstance(exc, cattrs.BaseValidationError) else []
        return "; ".join(notes) or str(exc)
    return f"{type(exc).__name__}: {exc}"
