"""Checks for values where they enter tnorder, and the configurable size limits.

Pure.  Nothing here reads the clock or touches storage.

Two kinds of check live here, applied at two doors:

- *Shape* checks (a string is a ``str`` that UTF-8 can encode, an enum is a
  member or exactly one of its values, an id is non-empty and has no control
  characters) guard every public value constructor (``Actor``, ``NewItem``)
  and every use case.  Whatever passes them can be stored and read back equal
  by every storage adapter; whatever fails them raises ``ValidationError``
  before anything is written.
- *Size* checks use :class:`InputLimits`, which a host configures on
  ``OrderService(limits=...)``; the use cases apply them before they load or
  write anything.

One rule for enums everywhere (constructors, use cases, the requirements
policy): a member is taken as it is, a string equal to a member's value is
taken as *exactly that member*, anything else is refused naming the allowed
values.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

import attrs

from ..errors import ValidationError

__all__ = [
    "DEFAULT_INPUT_LIMITS",
    "InputLimits",
    "check_id",
    "check_optional_id",
    "check_optional_text",
    "check_order_id",
    "check_text",
    "to_enum",
]

E = TypeVar("E", bound=Enum)

# C0 controls and DEL: harmless in JSON, but an id with a newline or NUL breaks
# logs, URLs and PostgreSQL text columns, so no adapter may see one.
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive integer, got {value!r}", field=attribute.name
        )


@attrs.frozen
class InputLimits:
    """Size limits applied by the use cases before anything is written.

    The defaults are what a real portal accepts; raise them with care: a
    cancellation copies its note into every open item's history.

    Attributes:
        max_id_length: characters in an order, item, account, document or
            request id, an actor id, a region or a carrier reference.
        max_note_length: characters in a customer-facing note (status change,
            cancellation, rejection).
        max_items_per_order: line items in one order (bulk orders of 10,000
            numbers are real, so the default allows 25,000).
        max_file_name_length: characters in an uploaded file's name (the part
            after any client path; at most 255, what uploads ever keep).
    """

    max_id_length: int = attrs.field(default=128, validator=_positive)
    max_note_length: int = attrs.field(default=4000, validator=_positive)
    max_items_per_order: int = attrs.field(default=25_000, validator=_positive)
    max_file_name_length: int = attrs.field(default=255, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.max_file_name_length > 255:
            # Uploads keep at most 255 characters of a file name (``validate_upload``).
            raise ValidationError(
                "max_file_name_length may be at most 255", field="max_file_name_length"
            )


DEFAULT_INPUT_LIMITS = InputLimits()


def check_text(value: object, field: str, *, max_length: int | None = None) -> str:
    """``value`` if it is a string UTF-8 can encode (and not longer than ``max_length``).

    Raises:
        ValidationError: not a ``str``, a lone surrogate (``"\\ud800"``: valid
            in JSON, but no database can store it), or too long.
    """
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string, got {type(value).__name__}", field=field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                f"{field} contains a lone surrogate code point and cannot be stored", field=field
            ) from None
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            f"{field} is {len(value)} characters long; the limit is {max_length}", field=field
        )
    # A str subclass (e.g. a StrEnum member) is stored as its plain text.
    return value if type(value) is str else str.__str__(value)


def check_optional_text(value: object, field: str, *, max_length: int | None = None) -> str | None:
    """``None``, or ``value`` checked as :func:`check_text`."""
    return None if value is None else check_text(value, field, max_length=max_length)


def check_id(value: object, field: str, *, max_length: int | None = None) -> str:
    """An identifier: a non-empty string without control characters.

    Raises:
        ValidationError: as :func:`check_text`, or empty, or with a control character.
    """
    text = check_text(value, field, max_length=max_length)
    if not text:
        raise ValidationError(f"{field} must not be empty", field=field)
    if not _CONTROL.isdisjoint(text):
        raise ValidationError(f"{field} must not contain control characters", field=field)
    return text


def check_order_id(value: object, *, max_length: int | None = None) -> str:
    """An order id: :func:`check_id`, and no ``":"``.

    An order's events use its bare id as their stream, while every other kind
    of stream is ``"<kind>:<id>"`` (see ``tnorder.domain.events``); refusing
    the separator here keeps a host-chosen order id out of their namespaces.
    """
    text = check_id(value, "order_id", max_length=max_length)
    if ":" in text:
        raise ValidationError(
            f"order_id must not contain ':' (reserved for event stream namespaces), got {text!r}",
            field="order_id",
        )
    return text


def check_optional_id(value: object, field: str, *, max_length: int | None = None) -> str | None:
    """``None``, or ``value`` checked as :func:`check_id`."""
    return None if value is None else check_id(value, field, max_length=max_length)


def to_enum(cls: type[E], value: object, field: str) -> E:
    """``value`` as a member of ``cls``: a member, or exactly one member's value.

    Raises:
        ValidationError: anything else (names the allowed values).
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls(value)
        except ValueError:
            pass
    allowed = ", ".join(repr(m.value) for m in cls)
    raise ValidationError(f"{field} must be one of {allowed}, got {value!r}", field=field)
