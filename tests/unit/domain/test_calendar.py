"""Business-day arithmetic: weekends, holidays, adding, counting, and country holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tnorder import ValidationError
from tnorder.domain.calendar import WEEKEND_SAT_SUN, BusinessCalendar

# March 2025: Monday 3rd ... Friday 7th, Saturday 8th, Sunday 9th, Monday 10th.
MON = date(2025, 3, 3)
FRI = date(2025, 3, 7)
SAT = date(2025, 3, 8)
SUN = date(2025, 3, 9)
NEXT_MON = date(2025, 3, 10)

PLAIN = BusinessCalendar()


def test_weekdays_are_business_days_and_weekends_are_not() -> None:
    """Monday to Friday are business days; Saturday and Sunday are not."""
    week = [MON + timedelta(days=i) for i in range(7)]
    assert [True] * 5 + [False] * 2 == [PLAIN.is_business_day(d) for d in week]


def test_a_holiday_is_not_a_business_day() -> None:
    """A date in the holiday set is closed even on a weekday."""
    cal = BusinessCalendar(holidays={date(2025, 3, 5)})
    assert False is cal.is_business_day(date(2025, 3, 5))
    assert True is cal.is_business_day(date(2025, 3, 6))


def test_adding_one_business_day_to_friday_gives_monday() -> None:
    """The business day after a Friday is the next Monday."""
    assert NEXT_MON == PLAIN.add_business_days(FRI, 1)


def test_adding_zero_returns_the_start_unchanged() -> None:
    """Zero business days after a date is that date, even on a weekend."""
    assert SAT == PLAIN.add_business_days(SAT, 0)
    assert MON == PLAIN.add_business_days(MON, 0)


def test_counting_starts_after_a_weekend_start() -> None:
    """Three business days after a Saturday is the following Wednesday."""
    assert date(2025, 3, 12) == PLAIN.add_business_days(SAT, 3)


def test_adding_skips_holidays() -> None:
    """Holidays are skipped like weekend days."""
    cal = BusinessCalendar(holidays={date(2025, 12, 25), date(2025, 12, 26)})
    # Tue 23rd -> Wed 24th (1), Mon 29th (2): Thu 25th, Fri 26th and the weekend are closed.
    assert date(2025, 12, 29) == cal.add_business_days(date(2025, 12, 23), 2)


def test_a_holiday_on_the_last_day_pushes_the_result_to_the_next_business_day() -> None:
    """When the n-th business day would fall on a holiday, the result moves past it."""
    assert FRI == PLAIN.add_business_days(MON, 4)
    cal = BusinessCalendar(holidays={FRI})
    assert NEXT_MON == cal.add_business_days(MON, 4)


def test_roll_forward_keeps_business_days_and_moves_closed_days() -> None:
    """A business day rolls to itself; a weekend or holiday rolls to the next open day."""
    cal = BusinessCalendar(holidays={NEXT_MON})
    assert FRI == cal.roll_forward(FRI)
    assert date(2025, 3, 11) == cal.roll_forward(SAT)


def test_counting_a_working_week() -> None:
    """Monday to Friday is four business days (the start is not counted, the end is)."""
    assert 4 == PLAIN.count_business_days(MON, FRI)


def test_counting_over_a_weekend() -> None:
    """Friday to the next Monday is one business day."""
    assert 1 == PLAIN.count_business_days(FRI, NEXT_MON)


def test_counting_the_same_day_is_zero() -> None:
    """No business day lies strictly after a date and on or before it."""
    assert 0 == PLAIN.count_business_days(MON, MON)


def test_counting_backwards_is_negative() -> None:
    """Counting from a later date to an earlier one gives the negated count."""
    assert -4 == PLAIN.count_business_days(FRI, MON)


def test_counting_leaves_out_holidays_but_not_weekend_holidays_twice() -> None:
    """A weekday holiday reduces the count; a holiday on a Saturday changes nothing."""
    cal = BusinessCalendar(holidays={date(2025, 3, 5), SAT})
    assert 8 == cal.count_business_days(MON, date(2025, 3, 14))


def test_counting_long_spans_matches_day_by_day_counting() -> None:
    """Counting over many weeks agrees with checking every day."""
    cal = BusinessCalendar(holidays={date(2025, 1, 1), date(2025, 7, 4), date(2025, 12, 25)})
    start, end = date(2024, 12, 30), date(2026, 1, 3)
    expected = sum(
        1
        for offset in range(1, (end - start).days + 1)
        if cal.is_business_day(start + timedelta(days=offset))
    )
    assert expected == cal.count_business_days(start, end)


def test_a_custom_weekend() -> None:
    """With a Friday-Saturday weekend, Sunday is a business day and Friday is not."""
    cal = BusinessCalendar(weekend={4, 5})
    assert True is cal.is_business_day(SUN)
    assert False is cal.is_business_day(FRI)
    assert SUN == cal.add_business_days(date(2025, 3, 6), 1)


def test_default_weekend_is_saturday_and_sunday() -> None:
    """The default calendar closes on Saturday and Sunday and has no holidays."""
    assert WEEKEND_SAT_SUN == PLAIN.weekend
    assert frozenset() == PLAIN.holidays


def test_with_holidays_adds_days_and_leaves_the_original_alone() -> None:
    """``with_holidays`` returns a new calendar; the original is unchanged."""
    cal = BusinessCalendar(holidays={MON})
    more = cal.with_holidays([FRI])
    assert frozenset({MON, FRI}) == more.holidays
    assert frozenset({MON}) == cal.holidays


def test_holidays_accepts_any_iterable_of_dates() -> None:
    """A generator of dates is a valid holiday set."""
    cal = BusinessCalendar(holidays=(MON + timedelta(days=i) for i in range(2)))
    assert frozenset({MON, date(2025, 3, 4)}) == cal.holidays


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"holidays": [datetime(2025, 3, 3, tzinfo=UTC)]}, "holidays"),
        ({"holidays": ["2025-03-03"]}, "holidays"),
        ({"holidays": 5}, "holidays"),
        ({"weekend": {7}}, "weekend"),
        ({"weekend": {True}}, "weekend"),
        ({"weekend": set(range(7))}, "weekend"),
        ({"weekend": None}, "weekend"),
    ],
)
def test_bad_calendar_input_is_refused(kwargs: dict[str, object], field: str) -> None:
    """Non-date holidays, impossible weekdays and an all-weekend week are refused."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]
    assert field == caught.value.field


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_adding_needs_a_whole_non_negative_number(n: object) -> None:
    """Negative, fractional, boolean and textual day counts are refused."""
    with pytest.raises(ValidationError) as caught:
        PLAIN.add_business_days(MON, n)  # type: ignore[arg-type]
    assert "n" == caught.value.field


def test_datetimes_are_refused_where_dates_are_expected() -> None:
    """A datetime is refused because its calendar day depends on a time zone."""
    moment = datetime(2025, 3, 3, 9, tzinfo=UTC)
    with pytest.raises(ValidationError, match="not a datetime"):
        PLAIN.is_business_day(moment)
    with pytest.raises(ValidationError, match=r"start must be a datetime\.date \(not a datetime\)"):
        PLAIN.add_business_days(moment, 1)
    with pytest.raises(ValidationError, match=r"end must be a datetime\.date \(not a datetime\)"):
        PLAIN.count_business_days(MON, moment)


def test_adding_past_the_last_representable_date_is_a_clear_error() -> None:
    """Business days beyond ``date.max`` raise instead of looping or overflowing."""
    with pytest.raises(ValidationError, match="past 9999-12-31"):
        PLAIN.add_business_days(date(9999, 12, 30), 3)
    with pytest.raises(ValidationError, match=r"no business days after 9999-12-31"):
        PLAIN.add_business_days(date.max, 1)


def test_country_holidays_come_from_the_holidays_package() -> None:
    """US Independence Day 2025 (a Friday) is closed, so Thursday + 1 is Monday."""
    cal = BusinessCalendar.for_country("US", 2025)
    assert False is cal.is_business_day(date(2025, 7, 4))
    assert date(2025, 7, 7) == cal.add_business_days(date(2025, 7, 3), 1)


def test_country_holidays_cover_subdivisions_several_years_and_extras() -> None:
    """Subdivision holidays, every listed year and extra closure days are all closed."""
    cal = BusinessCalendar.for_country("US", [2025, 2026], subdiv="GA", extra=[date(2025, 12, 24)])
    assert False is cal.is_business_day(date(2026, 1, 1))
    assert False is cal.is_business_day(date(2025, 12, 24))
    # Georgia observes State Holiday on the day after Thanksgiving.
    assert False is cal.is_business_day(date(2025, 11, 28))


@pytest.mark.parametrize(
    ("country", "subdiv", "years", "field"),
    [
        ("XX", None, 2025, "country"),
        ("US", "ZZ", 2025, "subdiv"),
        ("US", None, [], "years"),
        ("US", None, ["2025"], "years"),
    ],
)
def test_unknown_countries_and_bad_years_are_refused(
    country: str, subdiv: str | None, years: object, field: str
) -> None:
    """An unknown country or subdivision, or no usable years, raises ValidationError."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar.for_country(country, years, subdiv=subdiv)  # type: ignore[arg-type]
    assert field == caught.value.field


def test_calendars_with_the_same_days_are_equal() -> None:
    """Two calendars with the same holidays and weekend compare equal."""
    assert BusinessCalendar(holidays=[MON]) == BusinessCalendar(holidays={MON})
