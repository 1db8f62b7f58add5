"""Properties of business-day arithmetic over any weekend and holiday set."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import BusinessDayRange, business_day_window

STARTS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def calendars_and_starts(draw: st.DrawFn) -> tuple[BusinessCalendar, date]:
    """A start date and a calendar whose holidays cluster around it (so they matter)."""
    start = draw(STARTS)
    offsets = draw(st.frozensets(st.integers(-10, 120), max_size=40))
    weekend = draw(st.frozensets(st.integers(0, 6), max_size=6))
    holidays = {start + timedelta(days=o) for o in offsets}
    return BusinessCalendar(holidays=holidays, weekend=weekend), start


@given(calendars_and_starts(), st.integers(1, 60))
def test_adding_business_days_lands_on_a_business_day(
    cal_start: tuple[BusinessCalendar, date], n: int
) -> None:
    """n >= 1 business days after any date is a business day, later than the start."""
    cal, start = cal_start
    result = cal.add_business_days(start, n)
    assert True is cal.is_business_day(result)
    assert start < result


@given(calendars_and_starts(), st.integers(0, 60))
def test_adding_then_counting_gives_n_back(
    cal_start: tuple[BusinessCalendar, date], n: int
) -> None:
    """count_business_days(d, add_business_days(d, n)) == n."""
    cal, start = cal_start
    assert n == cal.count_business_days(start, cal.add_business_days(start, n))


@given(calendars_and_starts(), st.integers(0, 59))
def test_adding_is_strictly_increasing_in_n(
    cal_start: tuple[BusinessCalendar, date], n: int
) -> None:
    """One more business day is always a later date."""
    cal, start = cal_start
    assert cal.add_business_days(start, n) < cal.add_business_days(start, n + 1)


@given(calendars_and_starts(), st.integers(-150, 150))
def test_counting_matches_checking_each_day(
    cal_start: tuple[BusinessCalendar, date], span: int
) -> None:
    """The fast count equals a day-by-day count, and swapping the ends negates it."""
    cal, start = cal_start
    end = start + timedelta(days=span)
    low, high = min(start, end), max(start, end)
    by_day = sum(
        1
        for offset in range(1, (high - low).days + 1)
        if cal.is_business_day(low + timedelta(days=offset))
    )
    expected = by_day if span >= 0 else -by_day
    assert expected == cal.count_business_days(start, end)
    assert -expected == cal.count_business_days(end, start)


@given(calendars_and_starts(), st.integers(0, 30), st.integers(0, 30))
def test_a_window_starts_no_later_than_it_ends(
    cal_start: tuple[BusinessCalendar, date], a: int, b: int
) -> None:
    """Any business-day range gives earliest <= latest, both business days."""
    cal, start = cal_start
    window = business_day_window(start, BusinessDayRange(min(a, b), max(a, b)), cal)
    assert window.earliest <= window.latest
    assert (True, True) == (
        cal.is_business_day(window.earliest),
        cal.is_business_day(window.latest),
    )
