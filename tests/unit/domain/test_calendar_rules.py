"""Business-calendar rules the other calendar tests leave open.

A calendar with a Friday-Saturday weekend (as in several Gulf states) keeps it
when holidays are added, and counting refuses a ``datetime`` for either end,
naming which one (a datetime would silently pick a time zone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tnorder import ValidationError
from tnorder.domain.calendar import BusinessCalendar

FRI_SAT = BusinessCalendar(weekend={4, 5})
THU = date(2025, 3, 6)
FRI = date(2025, 3, 7)
SUN = date(2025, 3, 9)


def test_adding_holidays_keeps_the_weekend() -> None:
    """``with_holidays`` adds closure days and keeps a Friday-Saturday weekend."""
    extended = FRI_SAT.with_holidays({SUN})
    assert frozenset({4, 5}) == extended.weekend
    assert (False, False, True) == (
        extended.is_business_day(FRI),
        extended.is_business_day(SUN),
        extended.is_business_day(THU),
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime(2025, 3, 3, tzinfo=UTC), FRI, "start"),
        (THU, datetime(2025, 3, 10, tzinfo=UTC), "end"),
    ],
)
def test_counting_refuses_a_datetime_naming_the_end(start: date, end: date, field: str) -> None:
    """A datetime for ``start`` or ``end`` is a ValidationError on that field."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar().count_business_days(start, end)
    assert field == caught.value.field
    assert str(caught.value).startswith(f"{field} must be a datetime.date (not a datetime)")
