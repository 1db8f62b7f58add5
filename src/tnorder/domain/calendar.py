"""Business days: weekends plus a set of holidays, with ``dateutil.rrule`` doing the stepping.

Pure domain rules.  Nothing here reads the clock or touches storage: every
function takes the dates it works on.  Dates are ``datetime.date`` values (a
``datetime`` is refused, because which calendar day an instant falls on
depends on a time zone only the caller knows).

A :class:`BusinessCalendar` accepts any set of holiday dates.  For a country's
public holidays, :meth:`BusinessCalendar.for_country` asks the ``holidays``
package (kept up to date by its maintainers for 150+ countries and their
subdivisions) for the years you name.

Arithmetic conventions, chosen so the two operations invert each other:

* ``add_business_days(start, n)`` is the ``n``-th business day strictly after
  ``start`` (``n == 0`` returns ``start`` unchanged, whatever day it is);
* ``count_business_days(start, end)`` counts the business days ``d`` with
  ``start < d <= end`` (negated when ``end`` is before ``start``).

So ``count_business_days(d, add_business_days(d, n)) == n`` for every ``n >= 0``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import attrs
from dateutil.rrule import DAILY, weekday
from dateutil.rrule import rrule as _rrule
from dateutil.rrule import weekdays as _WEEKDAYS

from ..errors import MissingDependency, ValidationError

__all__ = ["WEEKEND_SAT_SUN", "BusinessCalendar"]

#: Saturday and Sunday, as ``date.weekday()`` numbers (Monday is 0).
WEEKEND_SAT_SUN: frozenset[int] = frozenset({5, 6})

_ONE_DAY = timedelta(days=1)
_CACHE_LIMIT = 4096


def _check_date(value: object, name: str) -> date:
    # ``datetime`` subclasses ``date``; accepting it would silently pick a time zone.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(
            f"{name} must be a datetime.date (not a datetime), got {value!r}", field=name
        )
    return value


def _to_holidays(value: Iterable[date]) -> frozenset[date]:
    try:
        days = frozenset(value)
    except TypeError:
        raise ValidationError(
            f"holidays must be an iterable of dates, got {value!r}", field="holidays"
        ) from None
    for day in days:
        _check_date(day, "holidays")
    return days


def _to_weekend(value: Iterable[int]) -> frozenset[int]:
    try:
        days = frozenset(value)
    except TypeError:
        raise ValidationError(
            f"weekend must be an iterable of weekday numbers, got {value!r}", field="weekend"
        ) from None
    for day in days:
        if type(day) is not int or not 0 <= day <= 6:
            raise ValidationError(
                f"weekend days are numbers 0 (Monday) to 6 (Sunday), got {day!r}",
                field="weekend",
            )
    if len(days) == 7:
        raise ValidationError("a week needs at least one business day", field="weekend")
    return days


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


@attrs.frozen
class BusinessCalendar:
    """Which days are business days, and arithmetic over them.

    Args:
        holidays: any iterable of ``date`` values that are not business days
            (a ``set``, a ``holidays.HolidayBase``, a generator...).
        weekend: weekday numbers (Monday 0 ... Sunday 6) that are never business
            days; Saturday and Sunday by default.

    Raises:
        ValidationError: a holiday is not a ``date``, a weekend day is not 0-6,
            or every day of the week is a weekend day.

    Example:
        >>> from datetime import date
        >>> cal = BusinessCalendar(holidays={date(2025, 12, 25)})
        >>> cal.add_business_days(date(2025, 12, 23), 2).isoformat()
        '2025-12-26'
    """

    holidays: frozenset[date] = attrs.field(factory=frozenset, converter=_to_holidays)
    weekend: frozenset[int] = attrs.field(default=WEEKEND_SAT_SUN, converter=_to_weekend)
    _workdays: tuple[weekday, ...] = attrs.field(init=False, repr=False, eq=False)
    _workday_holidays: tuple[date, ...] = attrs.field(init=False, repr=False, eq=False)
    _per_week: int = attrs.field(init=False, repr=False, eq=False)
    # (start, n) -> result; results never change because the calendar is frozen.
    _added: dict[tuple[date, int], date] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        workdays = tuple(_WEEKDAYS[i] for i in range(7) if i not in self.weekend)
        object.__setattr__(self, "_workdays", workdays)
        object.__setattr__(self, "_per_week", len(workdays))
        # Only holidays on working weekdays change a count; sorted for bisect.
        object.__setattr__(
            self,
            "_workday_holidays",
            tuple(sorted(d for d in self.holidays if d.weekday() not in self.weekend)),
        )

    # -- construction -------------------------------------------------------

    @classmethod
    def for_country(
        cls,
        country: str,
        years: int | Iterable[int],
        *,
        subdiv: str | None = None,
        weekend: Iterable[int] = WEEKEND_SAT_SUN,
        extra: Iterable[date] = (),
    ) -> BusinessCalendar:
        """A calendar with a country's public holidays for the given years.

        Args:
            country: ISO 3166-1 alpha-2 code (``"US"``, ``"GB"``, ``"DE"``).
            years: the years to load; dates outside them count as ordinary days,
                so cover every year your windows can reach.
            subdiv: a subdivision code (``"GA"``, ``"ENG"``) for regional holidays.
            weekend: weekday numbers that are never business days.
            extra: further closure days (company holidays) to add.

        Raises:
            ValidationError: the ``holidays`` package does not know the country or
                subdivision, or ``years`` is empty.
            MissingDependency: the ``holidays`` package is not installed
                (``pip install 'tnorder[holidays]'``).
        """
        try:
            # Imported here so `import tnorder` stays light; an extra since issue 19.
            import holidays as holidays_pkg
        except ImportError as exc:
            raise MissingDependency(
                package="holidays", extra="holidays", feature="BusinessCalendar.for_country"
            ) from exc

        year_list = [years] if isinstance(years, int) else list(years)
        if not year_list or any(type(y) is not int for y in year_list):
            raise ValidationError(
                f"years must be one or more integer years, got {years!r}", field="years"
            )
        try:
            found: Any = holidays_pkg.country_holidays(country, subdiv=subdiv, years=year_list)
        except NotImplementedError as exc:
            # The package signals an unknown country/subdivision this way; our
            # callers catch TnorderError, so say which input was wrong.
            field = "subdiv" if subdiv is not None and "subdivision" in str(exc) else "country"
            raise ValidationError(
                f"no holiday data for country {country!r}"
                + (f" subdivision {subdiv!r}" if subdiv is not None else "")
                + f": {exc}",
                field=field,
            ) from exc
        return cls(holidays=frozenset(found) | frozenset(extra), weekend=weekend)

    def with_holidays(self, extra: Iterable[date]) -> BusinessCalendar:
        """A copy of this calendar with ``extra`` closure days added."""
        return BusinessCalendar(holidays=self.holidays | _to_holidays(extra), weekend=self.weekend)

    # -- queries ------------------------------------------------------------

    def is_business_day(self, day: date) -> bool:
        """Whether ``day`` is neither a weekend day nor a holiday."""
        _check_date(day, "day")
        return day.weekday() not in self.weekend and day not in self.holidays

    def roll_forward(self, day: date) -> date:
        """``day`` if it is a business day, otherwise the next business day."""
        _check_date(day, "day")
        if day.weekday() not in self.weekend and day not in self.holidays:
            return day
        return self.add_business_days(day, 1)

    def add_business_days(self, start: date, n: int) -> date:
        """The ``n``-th business day after ``start`` (``start`` itself when ``n`` is 0).

        ``start`` need not be a business day: three business days after a
        Saturday is the following Wednesday when Monday to Wednesday are open.

        Raises:
            ValidationError: ``start`` is not a date, ``n`` is not an integer >= 0,
                or the result would fall after ``date.max``.
        """
        _check_date(start, "start")
        if type(n) is not int or n < 0:
            raise ValidationError(
                f"n must be a whole number of business days >= 0, got {n!r}", field="n"
            )
        if n == 0:
            return start
        key = (start, n)
        cached = self._added.get(key)
        if cached is not None:
            return cached
        result = self._step(start, n)
        if len(self._added) >= _CACHE_LIMIT:
            self._added.clear()
        self._added[key] = result
        return result

    def _step(self, start: date, n: int) -> date:
        if start >= date.max:
            raise ValidationError(f"no business days after {start.isoformat()}", field="start")
        holidays = self.holidays
        left = n
        rule = _rrule(DAILY, dtstart=_midnight(start + _ONE_DAY), byweekday=self._workdays)
        for moment in rule:
            day = moment.date()
            if day in holidays:
                continue
            left -= 1
            if left == 0:
                return day
        raise ValidationError(
            f"{n} business days after {start.isoformat()} is past {date.max.isoformat()}",
            field="n",
        )

    def count_business_days(self, start: date, end: date) -> int:
        """How many business days ``d`` satisfy ``start < d <= end``.

        Negative (the count from ``end`` to ``start``, negated) when ``end`` is
        before ``start``, so ``count(a, b) == -count(b, a)``.
        """
        _check_date(start, "start")
        _check_date(end, "end")
        if end < start:
            return -self.count_business_days(end, start)
        weeks, rest = divmod((end - start).days, 7)
        # Every whole week holds the same number of working weekdays; only the
        # remaining partial week needs stepping through.
        total = weeks * self._per_week
        if rest:
            tail_start = start + timedelta(days=weeks * 7 + 1)
            tail = _rrule(
                DAILY,
                dtstart=_midnight(tail_start),
                until=_midnight(end),
                byweekday=self._workdays,
            )
            total += tail.count() or 0
        hol = self._workday_holidays
        total -= bisect.bisect_right(hol, end) - bisect.bisect_right(hol, start)
        return total
