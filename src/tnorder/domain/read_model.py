"""The dashboards' read model: rows kept current at write time, and pages of them.

Pure domain rules.  Nothing here reads the clock or touches storage.  A
storage calls :func:`project_order` when it saves an order (with only the
items that changed) and :func:`decide_active` for each number whose deciding
facts changed; it stores the rows, and answers page queries by comparing the
stored columns with ``now`` (see ``docs/views.md``, "Pagination").

The rows hold no policy: the grace periods and the "Newly Ported" period are
compared at query time, so a host that changes its ``VisibilityPolicy`` needs
no rebuild.

* :class:`OrderRow`: one per order (Orders tab and Order History).
* :class:`NumberSource`: one per line item with a number (which order touched
  which number, and what that item decides for the Active Numbers dashboard).
* :class:`ActiveRow`: one per (account, number) shown on Active Numbers, the
  outcome of the rules of :func:`tnorder.domain.visibility.active_numbers_view`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar, cast

import attrs

from ..errors import ValidationError
from .calendar import BusinessCalendar
from .delivery import (
    UNAVAILABLE,
    DeliveryDisplay,
    DeliveryEstimates,
    DeliveryKind,
    DeliveryWindow,
    business_day_window,
    delivery_display,
)
from .inventory import InventoryNumber, InventoryStatus
from .order import LineItem, Order
from .statuses import Intent, ItemStatus, NumberType, OrderKind, OrderStatus
from .visibility import (
    STAGE_STYLES,
    ActivationStage,
    ActivationTag,
    ActiveNumber,
    LineItemView,
    OrderSummary,
    Placement,
    VisibilityPolicy,
    activation,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ActiveRow",
    "Effect",
    "ItemFacts",
    "ItemRow",
    "NewItemFacts",
    "NumberSource",
    "OrderRow",
    "Page",
    "SummaryBuilder",
    "active_number_from_row",
    "check_limit",
    "decide_active",
    "grace_classes",
    "item_facts",
    "order_row",
    "project_new_order",
    "project_order",
    "source_of_item",
    "summary_from_facts",
    "tag_of",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
#: The largest page a query returns: a bigger one would defeat the point of paging.
MAX_PAGE_SIZE = 500

Effect = Literal["show", "remove", "none"]
"""What an item decides for its number: show it, remove it (a completed
disconnect), or nothing (cancelled, or a disconnect still in progress)."""

_COMPLETED = ItemStatus.COMPLETED
_CANCELLED = ItemStatus.CANCELLED
_DISCONNECT = OrderKind.DISCONNECT
_PORT_IN = OrderKind.PORT_IN
_PRE = ActivationStage.PRE_ACTIVATION
_POST = ActivationStage.POST_ACTIVATION
# Stage, locked reason and activation time do not depend on ``now``; only the
# "Newly Ported" tag does, and that is decided at query time.
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@attrs.frozen
class Page(Generic[T]):
    """One page of a dashboard.

    Attributes:
        items: the rows of this page, in the dashboard's order.
        next_cursor: pass it as ``cursor`` to get the next page; None on the last.
    """

    items: tuple[T, ...]
    next_cursor: str | None = None


@attrs.frozen
class OrderRow:
    """What the Orders tab and Order History need of an order, without its items.

    Attributes:
        item_count: single-item and multi-item orders have different grace periods.
        finalized_at: when the last item became final; None while any is open.
            The order is on the Orders tab until ``finalized_at + grace``.
    """

    order_id: str
    account_id: str
    created_at: datetime
    status: OrderStatus
    item_count: int
    finalized_at: datetime | None
    reference: str | None = None


@attrs.frozen
class ItemFacts:
    """What an order summary shows of a line item, minus what depends on ``now``
    or the host's configuration.

    Attributes:
        delivery: the delivery column, or None when it comes from the host's
            estimate table (looked up when the page is built).
    """

    item_id: str
    position: int
    number: str | None
    kind: OrderKind
    number_type: NumberType
    status: ItemStatus
    delivery: DeliveryDisplay | None
    latest_note: str | None


class _EstimateMarker:
    """Stands in for the estimate table: says "an estimate goes here"."""

    def display_for(self, kind: OrderKind, status: ItemStatus) -> DeliveryDisplay:
        return _FROM_ESTIMATES


_FROM_ESTIMATES = DeliveryDisplay(DeliveryKind.ESTIMATE, "from the estimate table")
_MARKER = cast(DeliveryEstimates, _EstimateMarker())


def _delivery_of(item: LineItem) -> DeliveryDisplay | None:
    """The stored delivery column of ``item``: None when the estimate table decides."""
    display = delivery_display(item, _MARKER)
    return None if display is _FROM_ESTIMATES else display


def item_facts(position: int, item: LineItem) -> ItemFacts:
    """The :class:`ItemFacts` of ``item`` (the delivery rules of ``delivery_display``)."""
    history = item.history
    return ItemFacts(
        item_id=item.item_id,
        position=position,
        number=item.number,
        kind=item.kind,
        number_type=item.number_type,
        status=item.status,
        delivery=_delivery_of(item),
        latest_note=history[-1].note if history else None,
    )


ItemRow = tuple[
    str, str | None, OrderKind, NumberType, ItemStatus, DeliveryDisplay | None, str | None
]
"""An item's :class:`ItemFacts` without its position, as a plain tuple: ``(item_id,
number, kind, number_type, status, delivery, latest_note)``.  A storage decodes
a page's rows into these: 500 tuples cost less than 500 validated objects."""

# Marks "not looked up yet" in the per-page caches (None is a valid window).
_MISSING: Any = object()


class SummaryBuilder:
    """Builds the :class:`OrderSummary` values of one page from stored facts.

    What the items of a page share is worked out once per page, not once per
    item or per order: the estimate of each (kind, status), the delivery
    window of each delivery shown, the label and intent of each status.  A
    page of 50 orders of ten items shows a few dozen deliveries, so most
    windows are looked up rather than computed.

    Build one per page (the windows depend on ``now``'s date).
    """

    __slots__ = ("_calendar", "_estimated", "_estimates", "_labels", "_placement",
                 "_today", "_windows")  # fmt: skip

    def __init__(
        self,
        placement: Placement,
        now: datetime,
        calendar: BusinessCalendar,
        estimates: DeliveryEstimates,
    ) -> None:
        self._placement = placement
        self._today = now.date()
        self._calendar = calendar
        self._estimates = estimates
        self._estimated: dict[tuple[OrderKind, ItemStatus], DeliveryDisplay] = {}
        # id(delivery) -> (delivery, window): the delivery is kept so its id is not reused.
        self._windows: dict[int, tuple[DeliveryDisplay, DeliveryWindow | None]] = {}
        self._labels: dict[ItemStatus, tuple[str, Intent]] = {}

    def _estimate(self, kind: OrderKind, status: ItemStatus) -> DeliveryDisplay:
        display = self._estimates.display_for(kind, status) or UNAVAILABLE
        self._estimated[(kind, status)] = display
        return display

    def _window(self, delivery: DeliveryDisplay) -> DeliveryWindow | None:
        window = None
        if delivery.date is not None:
            window = DeliveryWindow(delivery.date, delivery.date)
        elif delivery.range is not None:
            window = business_day_window(self._today, delivery.range, self._calendar)
        self._windows[id(delivery)] = (delivery, window)
        return window

    def summary(self, row: OrderRow, items: Iterable[ItemRow]) -> OrderSummary:
        """The summary of ``row`` with ``items`` (in position order): what
        ``summarize_order`` gives for the order at this page's ``now``."""
        estimated = self._estimated
        windows = self._windows
        labels = self._labels
        views = []
        for item_id, number, kind, number_type, status, delivery, note in items:
            if delivery is None:
                delivery = estimated.get((kind, status)) or self._estimate(kind, status)
            cached = windows.get(id(delivery), _MISSING)
            window = self._window(delivery) if cached is _MISSING else cached[1]
            named = labels.get(status)
            if named is None:
                named = labels[status] = (status.label, status.intent)
            # Positional: LineItemView's field order (a test pins the result).
            views.append(
                LineItemView(
                    item_id,
                    number,
                    kind,
                    number_type,
                    status,
                    named[0],
                    named[1],
                    delivery,
                    window,
                    note,
                )
            )
        order_status = row.status
        return OrderSummary(
            order_id=row.order_id,
            account_id=row.account_id,
            reference=row.reference,
            status=order_status,
            label=order_status.label,
            placement=self._placement,
            created_at=row.created_at,
            finalized_at=row.finalized_at,
            items=tuple(views),
        )


def summary_from_facts(
    row: OrderRow,
    items: Sequence[ItemFacts],
    placement: Placement,
    now: datetime,
    calendar: BusinessCalendar,
    estimates: DeliveryEstimates,
) -> OrderSummary:
    """The :class:`OrderSummary` ``summarize_order`` gives, built from stored facts.

    One order on its own; a page builds all of its summaries with one
    :class:`SummaryBuilder`.
    """
    return SummaryBuilder(placement, now, calendar, estimates).summary(
        row,
        [
            (f.item_id, f.number, f.kind, f.number_type, f.status, f.delivery, f.latest_note)
            for f in items
        ],
    )


@attrs.frozen
class NumberSource:
    """A line item that carries a number, as the Active Numbers rules see it.

    Attributes:
        position: the item's place in its order (a later item of the same order
            decides over an earlier one).
        effect: what the item decides for its number (see :data:`Effect`).
        stage, locked_reason, activated_at: the item's activation, when it shows.
        finalized_at: when the item became final (a number returned to inventory
            after that no longer shows).
    """

    order_id: str
    item_id: str
    number: str
    position: int
    effect: Effect
    kind: OrderKind
    number_type: NumberType
    status: ItemStatus
    stage: ActivationStage
    locked_reason: str | None
    activated_at: datetime | None
    finalized_at: datetime | None


@attrs.frozen
class ActiveRow:
    """A number on an account's Active Numbers, without the time-dependent tag.

    ``order_id`` is None for a number that shows because inventory assigns it.
    The tag is "Not Active" before activation; after, "Newly Ported" for a
    port-in until ``activated_at + newly_ported_period``, else "Fully Active".
    """

    account_id: str
    number: str
    stage: ActivationStage
    locked_reason: str | None = None
    order_id: str | None = None
    item_id: str | None = None
    status: ItemStatus | None = None
    kind: OrderKind | None = None
    number_type: NumberType | None = None
    activated_at: datetime | None = None


def source_of_item(order_id: str, position: int, item: LineItem) -> NumberSource | None:
    """The :class:`NumberSource` of ``item``, or None when it has no number.

    The same rules as ``_deciding_items`` and :func:`activation`.
    """
    number = item.number
    if number is None:
        return None
    effect = _effect_of(item)
    state = activation(item, _ANY_TIME) if effect == "show" else None
    return NumberSource(
        order_id=order_id,
        item_id=item.item_id,
        number=number,
        position=position,
        effect=effect,
        kind=item.kind,
        number_type=item.number_type,
        status=item.status,
        stage=_PRE if state is None else state[0],
        locked_reason=None if state is None else state[2],
        activated_at=None if state is None else state[3],
        finalized_at=item.finalized_at,
    )


def _effect_of(item: LineItem) -> Effect:
    status = item.status
    if item.kind is _DISCONNECT:
        return "remove" if status is _COMPLETED else "none"
    return "none" if status is _CANCELLED else "show"


NewItemFacts = tuple[
    int,
    LineItem,
    DeliveryDisplay | None,
    str | None,
    Effect,
    ActivationStage,
    str | None,
    datetime | None,
]
"""What the read model holds of one item of an order never stored, as a plain
tuple: ``(position, item, delivery, latest_note, effect, stage, locked_reason,
activated_at)``.  The item's own fields (id, number, kind, type, status,
finalized_at) are read from ``item``; the rest are :func:`item_facts`' and
:func:`source_of_item`'s (``effect`` is "none" for an item without a number,
which has no source)."""


def order_row(order: Order) -> OrderRow:
    """The :class:`OrderRow` of ``order``."""
    return OrderRow(
        order_id=order.order_id,
        account_id=order.account_id,
        created_at=order.created_at,
        status=order.status,
        item_count=len(order.items),
        finalized_at=order.finalized_at,
        reference=order.reference,
    )


def project_new_order(order: Order) -> tuple[OrderRow, list[NewItemFacts]]:
    """The read-model rows of an order never stored: every item's facts and source.

    The facts :func:`project_order` gives with every item changed, as plain
    tuples (issue 17: a 10,000-item order would otherwise build 20,000 objects
    only for the storage to take them apart again).
    """
    out: list[NewItemFacts] = []
    for position, item in enumerate(order.items):
        history = item.history
        effect = "none" if item.number is None else _effect_of(item)
        state = activation(item, _ANY_TIME) if effect == "show" else None
        if state is None:
            stage, reason, activated = _PRE, None, None
        else:
            stage, _, reason, activated = state
        out.append(
            (
                position,
                item,
                _delivery_of(item),
                history[-1].note if history else None,
                effect,
                stage,
                reason,
                activated,
            )
        )
    return order_row(order), out


def project_order(
    order: Order, changed_item_ids: Iterable[str]
) -> tuple[OrderRow, list[tuple[str, NumberSource | None]], list[ItemFacts]]:
    """The read-model rows of ``order`` after a save that changed ``changed_item_ids``.

    Only the changed items are looked at (an untouched item's source row is
    already stored); order-level facts come from ``order.status`` and
    ``order.finalized_at``.

    Returns:
        The order's :class:`OrderRow`; per changed item its ``(item_id,
        source)``, the source None when the item has no number (any stored
        source of that item must go); and the changed items' :class:`ItemFacts`.
    """
    row = order_row(order)
    wanted = set(changed_item_ids)
    sources: list[tuple[str, NumberSource | None]] = []
    facts: list[ItemFacts] = []
    if wanted:
        # An order storage read in part knows the positions of the items read
        # (the changed ones among them): asking it keeps a save of one item of
        # a 10,000-item order from reading the other 9,999.
        read_items = getattr(order.items, "read_items", None)
        pairs = read_items() if read_items is not None else enumerate(order.items)
        for position, item in pairs:
            if item.item_id in wanted:
                sources.append((item.item_id, source_of_item(order.order_id, position, item)))
                facts.append(item_facts(position, item))
    return row, sources, facts


def decide_active(
    account_id: str,
    number: str,
    deciding: NumberSource | None,
    record: InventoryNumber | None,
) -> ActiveRow | None:
    """Whether and how ``number`` shows on ``account_id``'s Active Numbers.

    Args:
        deciding: the newest source of the account that decides the number
            (effect "show" or "remove": newest order first, then the later item),
            or None when no order of the account decides it.
        record: the number's inventory record, if any.

    The rules of ``active_numbers_view``: the deciding order wins, unless the
    number was returned to inventory from this account after that item
    finished; an inventory assignment shows only numbers no order decided.
    """
    decided = deciding is not None
    if deciding is not None and deciding.effect == "show":
        back = None
        if record is not None and record.returned_from == account_id:
            back = record.returned_at
        finished = deciding.finalized_at
        if back is not None and finished is not None and finished <= back:
            decided = False
        else:
            return ActiveRow(
                account_id=account_id,
                number=number,
                stage=deciding.stage,
                locked_reason=deciding.locked_reason,
                order_id=deciding.order_id,
                item_id=deciding.item_id,
                status=deciding.status,
                kind=deciding.kind,
                number_type=deciding.number_type,
                activated_at=deciding.activated_at,
            )
    if (
        not decided
        and record is not None
        and record.status is InventoryStatus.ASSIGNED
        and record.account_id == account_id
    ):
        return ActiveRow(account_id=account_id, number=number, stage=_POST)
    return None


def tag_of(row: ActiveRow, now: datetime, policy: VisibilityPolicy) -> ActivationTag:
    """The row's tag at ``now``: the one time-dependent part of Active Numbers."""
    if row.stage is _PRE:
        return ActivationTag.NOT_ACTIVE
    activated = row.activated_at
    period = policy.newly_ported_period
    if row.kind is _PORT_IN and activated is not None and now < activated + period:
        return ActivationTag.NEWLY_PORTED
    return ActivationTag.FULLY_ACTIVE


def active_number_from_row(row: ActiveRow, now: datetime, policy: VisibilityPolicy) -> ActiveNumber:
    """The :class:`ActiveNumber` the full dashboard shows for ``row`` at ``now``."""
    style = STAGE_STYLES[row.stage]
    return ActiveNumber(
        number=row.number,
        stage=row.stage,
        tag=tag_of(row, now, policy),
        greyed_out=style.greyed_out,
        colour=style.colour,
        icon=style.icon,
        billing_active=style.billing_active,
        allowed_actions=style.allowed_actions,
        locked_reason=row.locked_reason,
        order_id=row.order_id,
        item_id=row.item_id,
        status=row.status,
        kind=row.kind,
        number_type=row.number_type,
        activated_at=row.activated_at,
    )


def grace_classes(policy: VisibilityPolicy) -> list[tuple[bool, bool, Any]]:
    """The finished orders that may still be on the Orders tab under ``policy``.

    Returns:
        ``(multi_item, cancelled_too, grace)`` per class with a non-zero grace:
        a finished order of that class is on the Orders tab while
        ``now < finalized_at + grace``; when ``cancelled_too`` is False an
        all-cancelled order of that class is not (``cancelled_leaves_immediately``).
    """
    cancelled_too = not policy.cancelled_leaves_immediately
    out: list[tuple[bool, bool, Any]] = []
    if policy.single_item_grace:
        out.append((False, cancelled_too, policy.single_item_grace))
    if policy.multi_item_grace:
        out.append((True, cancelled_too, policy.multi_item_grace))
    return out


def check_limit(limit: object) -> int:
    """``limit`` if it is a page size we serve (1 to :data:`MAX_PAGE_SIZE`).

    Raises:
        ValidationError: not an int in range (field ``limit``).
    """
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"limit must be an integer from 1 to {MAX_PAGE_SIZE}, got {limit!r}", field="limit"
        )
    return limit
