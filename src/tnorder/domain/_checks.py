"""Input checks shared by the domain modules.

Pure.  Nothing here reads the clock or touches storage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..errors import ValidationError

__all__ = ["require_aware", "utc_date"]


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
