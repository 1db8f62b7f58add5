"""Input checks shared by the domain modules.

Pure.  Nothing here reads the clock or touches storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from ..errors import ValidationError
from .inputs import check_text

__all__ = ["require_aware", "require_text", "text_mapping", "utc_date"]


def require_aware(value: object, *, field: str) -> None:
    """Raise ``ValidationError`` naming ``field`` unless ``value`` is an aware datetime.

    A datetime whose ``tzinfo`` reports no offset counts as naive: comparing it
    with an aware one would raise ``TypeError`` much later.
    """
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"'{field}' must be a timezone-aware datetime, got {value!r}", field=field
        )


def utc_date(now: datetime) -> date:
    """The UTC calendar date of ``now``; ``ValidationError`` naming ``now`` unless it is aware."""
    require_aware(now, field="now")
    return now.astimezone(UTC).date()


def require_text(value: object, field: str) -> str:
    """``value`` if it is a non-blank string of allowed characters, else ``ValidationError``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be a non-empty string, got {value!r}", field=field)
    return check_text(value, field)


def text_mapping(value: object, field: str) -> dict[str, str]:
    """A mapping of text to text, copied (so storage can always write it)."""
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{field} must be a mapping of text to text, got {type(value).__name__}", field=field
        )
    return {check_text(k, field): check_text(v, field) for k, v in value.items()}
