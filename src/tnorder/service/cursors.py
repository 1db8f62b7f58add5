"""Opaque keyset cursors of the dashboard pages.

What a cursor holds is described in ``docs/decisions.md`` ("Cursor format"):
URL-safe base64 of ``[1, view, sort key of the last row served]`` as JSON, with
a fourth element, a digest of the account, on the account pages.
Here rather than in the domain, which encodes nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ..domain._checks import require_aware
from ..domain.inputs import check_id
from ..errors import ValidationError

__all__ = ["decode_cursor", "encode_cursor"]


def _scope_tag(scope: str) -> str:
    """A short digest of the account a cursor was made for (the id itself stays out
    of the cursor, which ends up in URLs and logs)."""
    return hashlib.sha256(scope.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_cursor(view: str, key: Sequence[Any], *, scope: str | None = None) -> str:
    """An opaque cursor naming ``view`` and the sort key of the last row served.

    Args:
        scope: the account whose rows the page showed; :func:`decode_cursor` then
            refuses the cursor for any other account.
    """
    values = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in key]
    parts: list[Any] = [1, view, values]
    if scope is not None:
        parts.append(_scope_tag(scope))
    text = json.dumps(parts, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1


def _storable(text: str) -> bool:
    """Whether every database can take ``text`` as a query parameter: no lone
    surrogate (UTF-8 cannot encode it) and no control character (PostgreSQL
    refuses NUL; no key this module writes holds one)."""
    try:
        check_id(text, "cursor")
    except ValidationError:
        return False
    return True


def _bad_cursor(why: str) -> ValidationError:
    return ValidationError(f"cursor is not a cursor of this view ({why})", field="cursor")


def decode_cursor(
    cursor: object, view: str, shape: Sequence[type], *, scope: str | None = None
) -> tuple[Any, ...]:
    """The sort key stored in ``cursor`` by :func:`encode_cursor` for ``view``.

    Args:
        shape: the type of each key part (``datetime``, ``int``, ``str``).
        scope: the account asking; the cursor must have been made for it.

    Raises:
        ValidationError: not a string, garbled, or made for another view or account
            (field ``cursor``).
    """
    if not isinstance(cursor, str):
        raise ValidationError(f"cursor must be a string, got {cursor!r}", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor("undecodable") from None
    if not (isinstance(data, list) and len(data) == (3 if scope is None else 4)):
        raise _bad_cursor("unknown format")
    if data[0] != 1:
        raise _bad_cursor("unknown format")
    if data[1] != view:
        raise _bad_cursor(f"made for {data[1]!r}, not {view!r}")
    if scope is not None and data[3] != _scope_tag(scope):
        # Rows are always filtered by the asking account, so a foreign cursor could
        # leak nothing; it is still refused, as a sign of a confused or forging client.
        raise _bad_cursor("made for another account")
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
        elif isinstance(value, int) and not _MIN_INT <= value <= _MAX_INT:
            # Past 64 bits no database column holds it: refused here, the same on
            # every storage, rather than as each driver's own overflow.
            raise _bad_cursor("wrong key")
        elif isinstance(value, str) and not _storable(value):
            raise _bad_cursor("wrong key")
        else:
            out.append(value)
    return tuple(out)
