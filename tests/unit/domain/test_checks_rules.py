"""Times in the domain are timezone-aware: ``require_aware`` refuses anything else.

A naive datetime compared with an aware one raises ``TypeError`` much later,
far from the mistake, so the refusal happens at the boundary and names the
field (house rule: a clear typed error naming what was wrong).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest

from tnorder import ValidationError
from tnorder.domain._checks import require_aware

NAIVE = datetime(2025, 3, 3, 9, 0)


class _NoOffset(tzinfo):
    """A tzinfo that does not know its offset (``utcoffset`` is None)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@pytest.mark.parametrize(
    "value",
    [
        NAIVE.replace(tzinfo=UTC),
        NAIVE.replace(tzinfo=timezone(timedelta(hours=-5))),
        NAIVE.replace(tzinfo=timezone(timedelta(0))),
    ],
)
def test_an_aware_datetime_is_accepted(value: datetime) -> None:
    """Any fixed offset, zero included, is aware."""
    assert None is require_aware(value, field="at")


@pytest.mark.parametrize(
    "value",
    [NAIVE, NAIVE.replace(tzinfo=_NoOffset()), date(2025, 3, 3), "2025-03-03T09:00Z", None],
    ids=["naive", "tzinfo-without-offset", "date", "text", "none"],
)
def test_anything_but_an_aware_datetime_is_refused_naming_the_field(value: object) -> None:
    """Naive datetimes, offset-less tzinfos, dates, text, None: ValidationError naming the field."""
    with pytest.raises(ValidationError) as caught:
        require_aware(value, field="placed_at")
    assert "placed_at" == caught.value.field
    assert f"'placed_at' must be a timezone-aware datetime, got {value!r}" == str(caught.value)
