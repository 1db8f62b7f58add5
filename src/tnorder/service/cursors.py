"""Opaque keyset cursors of the dashboard pages.

What a cursor holds is described in ``docs/decisions.md`` ("Cursor format"):
URL-safe base64 of ``[1, view, sort key of the last row served]`` as JSON.
Here rather than in the domain, which encodes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..domain._checks import require_aware
from ..errors import ValidationError

__all__ = ["decode_cursor", "encode_cursor"]


def encode_cursor(view: str, key: Sequence[Any]) -> str:
    """An opaque cursor naming ``view`` and the sort key of the last row served."""
    values = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in key]
    text = json.dumps([1, view, values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _bad_cursor(why: str) -> ValidationError:
    return ValidationError(f"cursor is not a cursor of this view ({why})", field="cursor")


def decode_cursor(cursor: object, view: str, shape: Sequence[type]) -> tuple[Any, ...]:
    """The sort key stored in ``cursor`` by :func:`encode_cursor` for ``view``.

    Args:
        shape: the type of each key part (``datetime``, ``int``, ``str``).

    Raises:
        ValidationError: not a string, garbled, or made for another view (field ``cursor``).
    """
    if not isinstance(cursor, str):
        raise ValidationError(f"cursor must be a string, got {cursor!r}", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor("undecodable") from None
    if not (isinstance(data, list) and len(data) == 3 and data[0] == 1):
        raise _bad_cursor("unknown format")
    if data[1] != view:
        raise _bad_cursor(f"made for {data[1]!r}, not {view!r}")
    values = data[2]
    if not isinstance(values, list) or len(values) != len(shape):
        raise _bad_cursor("wrong key")
    out: list[Any] = []
    for value, kind in zip(values, shape, strict=True):
        if kind is datetime:
            try:
                at = datetime.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                at = None
            if at is None or at.tzinfo is None:
                raise _bad_cursor("wrong key")
            require_aware(at, field="cursor")
            out.append(at)
        elif type(value) is not kind:
            raise _bad_cursor("wrong key")
        else:
            out.append(value)
    return tuple(out)
