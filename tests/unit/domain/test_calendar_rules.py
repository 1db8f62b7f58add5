"""Business-calendar rules the other calendar tests leave open.

A calendar with a Friday-Saturday weekend (as in several Gulf states) keeps it
when holidays are added, and counting refuses a ``datetime`` for either end,
naming which one (a datetime would silently pick a time zone).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import pytest

from tnorder import MissingDependency, ValidationError
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


def test_a_business_day_question_refuses_a_datetime_naming_day() -> None:
    """``is_business_day`` takes a date; a datetime is a ValidationError on ``day``."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar().is_business_day(datetime(2025, 3, 3, tzinfo=UTC))  # type: ignore[arg-type]
    assert "day" == caught.value.field


def test_a_country_calendar_keeps_the_given_weekend() -> None:
    """``for_country`` with a Friday-Saturday weekend keeps it beside the public holidays."""
    calendar = BusinessCalendar.for_country("US", 2025, weekend={4, 5})
    assert frozenset({4, 5}) == calendar.weekend
    assert date(2025, 7, 4) in calendar.holidays


@pytest.mark.parametrize(
    ("country", "subdiv", "field", "start"),
    [
        ("XX", None, "country", "no holiday data for country 'XX': "),
        ("XX", "ZZ", "country", "no holiday data for country 'XX' subdivision 'ZZ': "),
        ("US", "ZZ", "subdiv", "no holiday data for country 'US' subdivision 'ZZ': "),
    ],
)
def test_unknown_holiday_data_names_the_input_at_fault(
    country: str, subdiv: str | None, field: str, start: str
) -> None:
    """An unknown country is the country's fault even with a subdivision; a known country
    with an unknown subdivision is the subdivision's; the message quotes both."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar.for_country(country, 2025, subdiv=subdiv)
    assert field == caught.value.field
    assert str(caught.value).startswith(start)


def test_no_years_is_refused_quoting_what_was_given() -> None:
    """An empty ``years`` says what was expected and what came."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar.for_country("US", [])
    assert "years must be one or more integer years, got []" == str(caught.value)


def test_without_the_holidays_package_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With ``holidays`` not importable, MissingDependency names the package, extra and feature."""
    # A None entry in sys.modules makes ``import holidays`` raise ImportError,
    # as on an install without the extra.
    monkeypatch.setitem(sys.modules, "holidays", None)
    with pytest.raises(MissingDependency) as caught:
        BusinessCalendar.for_country("US", 2025)
    assert ("holidays", "holidays", "BusinessCalendar.for_country") == (
        caught.value.package,
        caught.value.extra,
        caught.value.feature,
    )
    assert "tnorder[holidays]" in str(caught.value)


@pytest.mark.parametrize(
    ("start", "n", "field", "message"),
    [
        (THU, -1, "n", "n must be a whole number of business days >= 0, got -1"),
        (THU, 1.5, "n", "n must be a whole number of business days >= 0, got 1.5"),
        (date.max, 1, "start", "no business days after 9999-12-31"),
        (date(9999, 12, 28), 10, "n", "10 business days after 9999-12-28 is past 9999-12-31"),
    ],
)
def test_adding_business_days_says_which_input_cannot_work(
    start: date, n: object, field: str, message: str
) -> None:
    """A negative or fractional count is ``n``'s fault; the end of the calendar is
    ``start``'s when nothing follows it and ``n``'s when the count runs past it."""
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar().add_business_days(start, n)  # type: ignore[arg-type]
    assert (field, message) == (caught.value.field, str(caught.value))
