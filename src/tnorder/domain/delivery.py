"""The delivery column: a committed date, a business-day estimate, or "Unavailable".

Pure domain rules.  Nothing here reads the clock or touches storage: the
estimated window takes ``now`` and a :class:`~tnorder.domain.calendar.BusinessCalendar`
from the caller.

What a line item shows, first rule that applies wins:

1. Information Required or Port Rejected: ``"Unavailable"`` (the customer must
   act first; a date would be a promise nobody can keep).
2. Completed: the day it completed, ``YYYY-MM-DD`` (in ``finalized_at``'s zone, UTC
   from the shipped clocks).
3. Cancelled: ``"Not applicable"``.
4. A hard date the carrier committed to (``LineItem.committed_date``, e.g. a
   port's FOC date): that date, ``YYYY-MM-DD``.  A port-in's committed date
   only counts from Port Date Received on: after a rejection sends the port
   back to review, the old FOC date is void.
5. Otherwise the business-day range for ``(kind, status)`` from a
   :class:`DeliveryEstimates` table, e.g. ``"3\u20135 business days"`` (an EN DASH, U+2013);
   ``"Unavailable"`` when the table has no entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ..errors import ValidationError
from ._checks import require_aware
from ._messages import default_text
from .calendar import BusinessCalendar
from .statuses import ItemStatus, OrderKind

if TYPE_CHECKING:
    from .order import LineItem

__all__ = [
    "DEFAULT_ESTIMATES",
    "BusinessDayRange",
    "DeliveryDisplay",
    "DeliveryEstimates",
    "DeliveryKind",
    "DeliveryWindow",
    "business_day_window",
    "business_days_text",
    "delivery_display",
    "delivery_window",
]

EN_DASH = "\u2013"
UNAVAILABLE_TEXT = default_text("delivery.unavailable")
NOT_APPLICABLE_TEXT = default_text("delivery.not_applicable")


class DeliveryKind(StrEnum):
    """What the delivery column holds."""

    DATE = "date"
    ESTIMATE = "estimate"
    UNAVAILABLE = "unavailable"
    NOT_APPLICABLE = "not_applicable"


def business_days_text(days: BusinessDayRange, text: Callable[..., str]) -> str:
    """``days`` as the delivery column words it, each phrase looked up through ``text``.

    ``text(key, **values)`` is ``default_text`` or a ``CustomerTexts.text``.
    """
    if days.low != days.high:
        return text("delivery.business_days.range", low=days.low, high=days.high)
    key = "delivery.business_days.one" if days.low == 1 else "delivery.business_days.other"
    return text(key, days=days.low)


def _non_negative_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if type(value) is not int or value < 0:
        raise ValidationError(
            f"{attribute.name} must be a whole number of business days >= 0, got {value!r}",
            field=attribute.name,
        )


@attrs.frozen
class BusinessDayRange:
    """A duration of ``low`` to ``high`` business days (inclusive).

    Raises:
        ValidationError: a bound is not an integer >= 0, or ``low > high``.
    """

    low: int = attrs.field(validator=_non_negative_int)
    high: int = attrs.field(validator=_non_negative_int)
    text: str = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.low > self.high:
            raise ValidationError(
                f"a business-day range needs low <= high, got {self.low}..{self.high}",
                field="low",
            )
        object.__setattr__(self, "text", business_days_text(self, default_text))

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class DeliveryDisplay:
    """What the delivery column shows for one line item.

    Attributes:
        kind: a date, an estimate, unavailable, or not applicable.
        text: the column's text (``"2025-03-14"``, ``"3\u20135 business days"``, ``"Unavailable"``).
        date: the date shown, for ``DATE``.
        range: the business-day range shown, for ``ESTIMATE``.
    """

    kind: DeliveryKind
    text: str
    date: date | None = None
    range: BusinessDayRange | None = None

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class DeliveryWindow:
    """The calendar dates delivery is expected between (both inclusive)."""

    earliest: date
    latest: date

    @property
    def text(self) -> str:
        """``"YYYY-MM-DD"`` for a single day, else ``"YYYY-MM-DD \u2013 YYYY-MM-DD"``."""
        if self.earliest == self.latest:
            return self.earliest.isoformat()
        return f"{self.earliest.isoformat()} {EN_DASH} {self.latest.isoformat()}"


_RangeLike = BusinessDayRange | tuple[int, int]


def _to_range(value: _RangeLike) -> BusinessDayRange:
    if isinstance(value, BusinessDayRange):
        return value
    if isinstance(value, tuple) and len(value) == 2:
        return BusinessDayRange(value[0], value[1])
    raise ValidationError(
        f"an estimate is a BusinessDayRange or a (low, high) tuple, got {value!r}",
        field="table",
    )


def _to_table(
    value: Mapping[tuple[OrderKind, ItemStatus], _RangeLike],
) -> Mapping[tuple[OrderKind, ItemStatus], BusinessDayRange]:
    if not isinstance(value, Mapping):
        raise ValidationError(f"table must be a mapping, got {value!r}", field="table")
    table: dict[tuple[OrderKind, ItemStatus], BusinessDayRange] = {}
    for key, rng in value.items():
        if (
            not isinstance(key, tuple)
            or len(key) != 2
            or not isinstance(key[0], OrderKind)
            or not isinstance(key[1], ItemStatus)
        ):
            raise ValidationError(
                f"table keys are (OrderKind, ItemStatus) pairs, got {key!r}", field="table"
            )
        table[key] = _to_range(rng)
    return MappingProxyType(table)


@attrs.frozen
class DeliveryEstimates:
    """How many business days an item in ``(kind, status)`` usually needs to be delivered.

    Args:
        table: ``{(OrderKind, ItemStatus): BusinessDayRange or (low, high)}``.
            Entries for Information Required, Port Rejected and final statuses
            are never consulted (those show "Unavailable", a date, or "Not applicable").

    Raises:
        ValidationError: a key is not an ``(OrderKind, ItemStatus)`` pair or a
            range is invalid.
    """

    table: Mapping[tuple[OrderKind, ItemStatus], BusinessDayRange] = attrs.field(
        converter=_to_table
    )
    # One shared display object per range, so rendering a column allocates nothing.
    _displays: Mapping[tuple[OrderKind, ItemStatus], DeliveryDisplay] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        displays = {
            key: DeliveryDisplay(DeliveryKind.ESTIMATE, rng.text, range=rng)
            for key, rng in self.table.items()
        }
        object.__setattr__(self, "_displays", MappingProxyType(displays))

    def range_for(self, kind: OrderKind, status: ItemStatus) -> BusinessDayRange | None:
        """The estimate for an item of ``kind`` in ``status``, or None if the table has none."""
        return self.table.get((kind, status))

    def display_for(self, kind: OrderKind, status: ItemStatus) -> DeliveryDisplay | None:
        """The shared estimate display for ``(kind, status)``, or None."""
        return self._displays.get((kind, status))

    def with_entries(
        self, entries: Mapping[tuple[OrderKind, ItemStatus], _RangeLike]
    ) -> DeliveryEstimates:
        """A copy with ``entries`` added or replaced."""
        merged: dict[tuple[OrderKind, ItemStatus], _RangeLike] = dict(self.table)
        merged.update(entries)
        return DeliveryEstimates(merged)


def _entries(
    kind: OrderKind, rows: Iterable[tuple[ItemStatus, int, int]]
) -> dict[tuple[OrderKind, ItemStatus], _RangeLike]:
    return {(kind, status): (low, high) for status, low, high in rows}


_S = ItemStatus

#: Illustrative defaults; replace them with your carriers' service levels.
DEFAULT_ESTIMATES = DeliveryEstimates(
    {
        **_entries(
            OrderKind.NEW_NUMBER,
            [
                (_S.ORDER_SUBMITTED, 3, 5),
                (_S.UNDER_REVIEW, 3, 5),
                (_S.VERIFICATION_PENDING, 2, 4),
                (_S.SUBMITTED_TO_CARRIER, 2, 3),
                (_S.IN_PROGRESS, 1, 2),
                (_S.VALIDATING_INSTALLATION, 1, 1),
            ],
        ),
        **_entries(
            OrderKind.PORT_IN,
            [
                (_S.ORDER_SUBMITTED, 7, 10),
                (_S.UNDER_REVIEW, 7, 10),
                (_S.VERIFICATION_PENDING, 6, 9),
                (_S.SUBMITTED_TO_CARRIER, 5, 8),
                (_S.PORT_APPROVED, 3, 5),
                # Normally shows the committed FOC date; this covers a missing one.
                (_S.PORT_DATE_RECEIVED, 1, 3),
                (_S.IN_PROGRESS, 1, 2),
                (_S.VALIDATING_INSTALLATION, 1, 1),
            ],
        ),
        **_entries(
            OrderKind.DISCONNECT,
            [
                (_S.ORDER_SUBMITTED, 2, 3),
                (_S.UNDER_REVIEW, 2, 3),
                (_S.VERIFICATION_PENDING, 1, 2),
                (_S.SUBMITTED_TO_CARRIER, 1, 2),
                (_S.IN_PROGRESS, 1, 2),
                (_S.VALIDATING_INSTALLATION, 1, 1),
            ],
        ),
    }
)

UNAVAILABLE = DeliveryDisplay(DeliveryKind.UNAVAILABLE, UNAVAILABLE_TEXT)
NOT_APPLICABLE = DeliveryDisplay(DeliveryKind.NOT_APPLICABLE, NOT_APPLICABLE_TEXT)

_BLOCKED = frozenset({ItemStatus.INFORMATION_REQUIRED, ItemStatus.PORT_REJECTED})
# A port-in's FOC date is only valid once the carrier confirmed it and until the
# port is finished; earlier statuses mean the port went back to the start.
_PORT_BEFORE_DATE = frozenset(
    {
        ItemStatus.ORDER_SUBMITTED,
        ItemStatus.UNDER_REVIEW,
        ItemStatus.VERIFICATION_PENDING,
        ItemStatus.SUBMITTED_TO_CARRIER,
        ItemStatus.PORT_APPROVED,
    }
)


def _committed(item: LineItem) -> date | None:
    committed = item.committed_date
    if committed is None:
        return None
    if item.kind is OrderKind.PORT_IN and item.status in _PORT_BEFORE_DATE:
        return None
    return committed


def delivery_display(
    item: LineItem, estimates: DeliveryEstimates = DEFAULT_ESTIMATES
) -> DeliveryDisplay:
    """What the delivery column shows for ``item`` (rules in the module docstring).

    Example:
        >>> from tnorder.domain.order import LineItem
        >>> from tnorder.domain.statuses import OrderKind
        >>> delivery_display(LineItem("i-1", OrderKind.NEW_NUMBER)).text
        '3\u20135 business days'
    """
    status = item.status
    if status in _BLOCKED:
        return UNAVAILABLE
    if status is ItemStatus.COMPLETED:
        finished = item.finalized_at
        if finished is None:
            return NOT_APPLICABLE
        day = finished.date()
        return DeliveryDisplay(DeliveryKind.DATE, day.isoformat(), day)
    if status is ItemStatus.CANCELLED:
        return NOT_APPLICABLE
    committed = _committed(item)
    if committed is not None:
        return DeliveryDisplay(DeliveryKind.DATE, committed.isoformat(), committed)
    display = estimates.display_for(item.kind, status)
    return UNAVAILABLE if display is None else display


def business_day_window(
    start: date, days: BusinessDayRange, calendar: BusinessCalendar
) -> DeliveryWindow:
    """The calendar dates ``days.low`` to ``days.high`` business days after ``start``.

    Both ends land on business days: a zero-day bound on a weekend or holiday
    rolls forward to the next business day.
    """
    earliest = calendar.roll_forward(calendar.add_business_days(start, days.low))
    latest = calendar.roll_forward(calendar.add_business_days(start, days.high))
    return DeliveryWindow(earliest, latest)


def delivery_window(
    item: LineItem,
    now: datetime,
    calendar: BusinessCalendar,
    estimates: DeliveryEstimates = DEFAULT_ESTIMATES,
) -> DeliveryWindow | None:
    """The dates ``item`` is expected to be delivered between, as of ``now``.

    A shown date (committed or completion date) gives a one-day window; an
    estimate is counted in business days from ``now``'s calendar date (in
    ``now``'s time zone); "Unavailable" and "Not applicable" give None.

    Raises:
        ValidationError: ``now`` is not timezone-aware.
    """
    require_aware(now, field="now")
    display = delivery_display(item, estimates)
    if display.kind is DeliveryKind.DATE and display.date is not None:
        return DeliveryWindow(display.date, display.date)
    if display.kind is DeliveryKind.ESTIMATE and display.range is not None:
        return business_day_window(now.date(), display.range, calendar)
    return None
