"""What a ``BusinessCalendar`` refuses when it is built, in words, and what it keeps.

``docs/decisions.md`` and the calendar's docstring: holidays are any iterable of
``date`` values (a ``datetime`` is refused: it would silently pick a time zone),
weekend days are the numbers 0 (Monday) to 6 (Sunday), and a week keeps at least
one business day.  Each refusal names the field and quotes what was given (found
missing by mutation testing, ``docs/mutation.md``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tnorder import ValidationError
from tnorder.domain.calendar import BusinessCalendar

MON = date(2025, 3, 3)
NOON = datetime(2025, 3, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("holidays", "message"),
    [
        (5, "holidays must be an iterable of dates, got 5"),
        (None, "holidays must be an iterable of dates, got None"),
        (
            [NOON],
            f"holidays must be a datetime.date (not a datetime), got {NOON!r}",
        ),
        (["2025-03-03"], "holidays must be a datetime.date (not a datetime), got '2025-03-03'"),
    ],
)
def test_bad_holidays_are_refused_quoting_the_value(holidays: object, message: str) -> None:
    """Holidays that are not an iterable, or hold something other than a plain date, are
    refused with a ValidationError naming ``holidays`` and quoting the value at fault."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(holidays=holidays)  # type: ignore[arg-type]

    assert ("holidays", message) == (caught.value.field, str(caught.value))


@pytest.mark.parametrize(
    ("weekend", "message"),
    [
        (None, "weekend must be an iterable of weekday numbers, got None"),
        (6, "weekend must be an iterable of weekday numbers, got 6"),
        ({7}, "weekend days are numbers 0 (Monday) to 6 (Sunday), got 7"),
        ({-1}, "weekend days are numbers 0 (Monday) to 6 (Sunday), got -1"),
        ({True}, "weekend days are numbers 0 (Monday) to 6 (Sunday), got True"),
        ({5.0}, "weekend days are numbers 0 (Monday) to 6 (Sunday), got 5.0"),
        (set(range(7)), "a week needs at least one business day"),
    ],
)
def test_bad_weekends_are_refused_quoting_the_value(weekend: object, message: str) -> None:
    """A weekend that is not an iterable of the numbers 0-6, or closes every day, is refused
    with a ValidationError naming ``weekend`` and quoting the day at fault."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(weekend=weekend)  # type: ignore[arg-type]

    assert ("weekend", message) == (caught.value.field, str(caught.value))


@pytest.mark.parametrize("weekend", [{0}, {6}, {0, 6}, set(range(6)), set(range(1, 7))])
def test_every_weekend_of_zero_to_six_days_is_accepted(weekend: set[int]) -> None:
    """Monday (0) and Sunday (6) are weekend days like any other, and six weekend days
    leave a one-day working week: each day of the week is closed exactly when named."""
    cal = BusinessCalendar(weekend=weekend)

    assert frozenset(weekend) == cal.weekend
    week = [date(2025, 3, 3 + offset) for offset in range(7)]  # Monday to Sunday
    assert [d.weekday() not in weekend for d in week] == [cal.is_business_day(d) for d in week]


@pytest.mark.parametrize("weekend", [frozenset(), {5, 6}, {4, 5}, {0}, set(range(1, 7))])
def test_arithmetic_follows_the_weekend_and_holidays(weekend: set[int]) -> None:
    """Adding and counting business days skip exactly the weekend days and the holidays on
    working days, the same as stepping one day at a time (checked over eight weeks)."""
    holidays = {date(2025, 3, 4), date(2025, 3, 8), date(2025, 3, 14), date(2025, 4, 1)}
    cal = BusinessCalendar(holidays=holidays, weekend=weekend)
    days = [date(2025, 3, 1 + offset) for offset in range(31)] + [
        date(2025, 4, d) for d in range(1, 27)
    ]
    open_days = [d for d in days if d.weekday() not in weekend and d not in holidays]

    assert [d.weekday() not in weekend and d not in holidays for d in days] == [
        cal.is_business_day(d) for d in days
    ]
    assert open_days == [
        cal.add_business_days(date(2025, 2, 28), n) for n in range(1, len(open_days) + 1)
    ]
    # Counting is negated when the end is before the start.
    expected = [
        sum(1 for d in open_days if MON < d <= end) - sum(1 for d in open_days if end < d <= MON)
        for end in days
    ]
    assert expected == [cal.count_business_days(MON, end) for end in days]
