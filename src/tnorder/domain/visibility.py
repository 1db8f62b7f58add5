"""What a customer sees: Orders tab vs Order History, and Active Numbers activation stages.

Pure domain rules.  Nothing here reads the clock or touches storage: every
function takes ``now`` (an aware datetime) and the policy it applies, and
returns plain view objects a UI can render without knowing the rules.

Orders tab vs Order History (:func:`dashboard_placement`):

* An order with any item that is not final (in progress, or blocked on the
  customer) is on the Orders tab: the multi-item gate holds a ten-item order
  there while one item is open.
* A final single-item order stays on the Orders tab for
  ``VisibilityPolicy.single_item_grace`` (7 days) after it was finalized, then
  moves to Order History.  By default this covers Cancelled as well as
  Completed; ``cancelled_leaves_immediately=True`` sends cancelled orders to
  history at once.
* A final multi-item order moves to Order History at once
  (``multi_item_grace``, default zero).

Active Numbers (:func:`active_numbers_view`):

* A new number appears once it is assigned (``LineItem.number`` set); a port-in
  appears when it is placed (porting has begun).  Numbers assigned to the
  account in inventory appear as Fully Active.  Cancelled items and
  disconnected numbers do not appear; a disconnect still in progress leaves
  the number where it was.
* Pre-activation (greyed out, "Not Active", orange) until the item is
  Completed; a TrueLocal number also waits for ``regulatory_approved_at``,
  whatever the carrier work says.  Forwarding rules may be edited; number
  testing and bulk actions are refused by :func:`check_action`.
* Post-activation (green, billing active, every action allowed): "Newly
  Ported" for ``newly_ported_period`` (30 days) after a port-in was activated,
  otherwise "Fully Active".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType

import attrs

from ..errors import ActionRestricted, ValidationError
from ._checks import require_aware
from ._labels import LabelledEnum
from ._messages import default_text
from .calendar import BusinessCalendar
from .delivery import (
    DEFAULT_ESTIMATES,
    DeliveryDisplay,
    DeliveryEstimates,
    DeliveryWindow,
    business_day_window,
    delivery_display,
)
from .inventory import InventoryNumber, InventoryStatus
from .order import LineItem, Order
from .statuses import Intent, ItemStatus, NumberType, OrderKind, OrderStatus

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_POLICY",
    "RESTRICTION_REASONS",
    "STAGE_STYLES",
    "Activation",
    "ActivationStage",
    "ActivationTag",
    "ActiveNumber",
    "LineItemView",
    "NumberAction",
    "OrderSummary",
    "Placement",
    "StageStyle",
    "VisibilityPolicy",
    "activation",
    "activation_stages",
    "active_number_for_inventory",
    "active_number_for_item",
    "active_numbers_view",
    "check_action",
    "dashboard_placement",
    "locked_reason_text",
    "order_history_view",
    "orders_tab_view",
    "parse_number_action",
    "restriction_message",
    "split_orders",
    "summarize_order",
]


# -- policy -------------------------------------------------------------------


def _non_negative(_: object, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValidationError(
            f"{attribute.name} must be a timedelta >= 0, got {value!r}", field=attribute.name
        )


def _boolean(_: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise ValidationError(
            f"{attribute.name} must be a bool, got {value!r}", field=attribute.name
        )


@attrs.frozen
class VisibilityPolicy:
    """How long finished orders linger on the Orders tab, and related display rules.

    Attributes:
        single_item_grace: how long a Completed or Cancelled single-item order
            stays on the Orders tab after it was finalized (7 days, the portal
            guide's note).  At exactly ``finalized_at + single_item_grace`` it is
            in Order History.
        multi_item_grace: the same for orders of two or more items; zero (they
            move to Order History the moment the last item is final).
        cancelled_leaves_immediately: when True, an order whose items are all
            Cancelled goes to Order History at once, ignoring the grace periods
            (the guide's "moves to your order history tab immediately").  False
            by default: the specific single-item note wins, so a customer sees
            the cancellation on the tab they were watching.
        newly_ported_period: how long an activated port-in is tagged "Newly
            Ported" before it becomes "Fully Active" (30 days from activation).

    Raises:
        ValidationError: a period is negative or not a ``timedelta``.
    """

    single_item_grace: timedelta = attrs.field(default=timedelta(days=7), validator=_non_negative)
    multi_item_grace: timedelta = attrs.field(default=timedelta(0), validator=_non_negative)
    cancelled_leaves_immediately: bool = attrs.field(default=False, validator=_boolean)
    newly_ported_period: timedelta = attrs.field(
        default=timedelta(days=30), validator=_non_negative
    )


DEFAULT_POLICY = VisibilityPolicy()
DEFAULT_CALENDAR = BusinessCalendar()


# -- Orders tab vs Order History ------------------------------------------------


class Placement(LabelledEnum, label_key="placement"):
    """Where an order is listed."""

    ORDERS_TAB = "orders_tab"
    ORDER_HISTORY = "order_history"


_TAB = Placement.ORDERS_TAB
_HISTORY = Placement.ORDER_HISTORY
_COMPLETED = ItemStatus.COMPLETED
_CANCELLED = ItemStatus.CANCELLED
_FINAL = frozenset({_COMPLETED, _CANCELLED})


def _final_placement(
    items: Sequence[LineItem], now: datetime, policy: VisibilityPolicy
) -> Placement:
    """Placement of an order whose items are all final (the slow, rare path)."""
    grace = policy.single_item_grace if len(items) == 1 else policy.multi_item_grace
    if not grace or not items:
        return _HISTORY
    if policy.cancelled_leaves_immediately and all(i.status is _CANCELLED for i in items):
        return _HISTORY
    latest: datetime | None = None
    for item in items:
        history = item.history
        if not history:
            # No record of when it finished: nothing to count a grace period from.
            return _HISTORY
        at = history[-1].at
        if latest is None or at > latest:
            latest = at
    assert latest is not None
    return _TAB if now < latest + grace else _HISTORY


def dashboard_placement(
    order: Order, now: datetime, policy: VisibilityPolicy = DEFAULT_POLICY
) -> Placement:
    """Whether ``order`` is on the Orders tab or in Order History at ``now``.

    Raises:
        ValidationError: ``now`` is naive.

    Example:
        >>> from datetime import datetime, timezone
        >>> from tnorder.domain.events import Actor
        >>> from tnorder.domain.order import NewItem, Order
        >>> from tnorder.domain.statuses import OrderKind
        >>> t0 = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
        >>> order = Order.place("O-1", "acct", [NewItem(OrderKind.NEW_NUMBER)],
        ...                     actor=Actor.system(), at=t0)
        >>> dashboard_placement(order, t0).value
        'orders_tab'
    """
    if getattr(now, "tzinfo", None) is None:
        require_aware(now, field="now")
    items = order.items
    for item in items:
        if item.status not in _FINAL:
            return _TAB
    return _final_placement(items, now, policy)


def split_orders(
    orders: Iterable[Order], now: datetime, policy: VisibilityPolicy = DEFAULT_POLICY
) -> tuple[list[Order], list[Order]]:
    """Split ``orders`` into (Orders tab, Order History), keeping their order.

    The same rule as :func:`dashboard_placement`, for many orders at once.
    """
    require_aware(now, field="now")
    tab: list[Order] = []
    history: list[Order] = []
    to_tab = tab.append
    to_history = history.append
    final = _FINAL
    for order in orders:
        items = order.items
        for item in items:
            if item.status not in final:
                to_tab(order)
                break
        else:
            if _final_placement(items, now, policy) is _TAB:
                to_tab(order)
            else:
                to_history(order)
    return tab, history


# -- order summaries ---------------------------------------------------------------


@attrs.frozen
class LineItemView:
    """One expandable line of an order summary.

    Attributes:
        label: the status's customer-facing label ("Port Approved").
        intent: what the status asks of the customer.
        delivery: the delivery column (date, business-day estimate, "Unavailable").
        delivery_window: the calendar dates delivery is expected between, or None.
        latest_note: the note of the item's most recent event (e.g. why a
            document was rejected), or None.
    """

    item_id: str
    number: str | None
    kind: OrderKind
    number_type: NumberType
    status: ItemStatus
    label: str
    intent: Intent
    delivery: DeliveryDisplay
    delivery_window: DeliveryWindow | None
    latest_note: str | None


@attrs.frozen
class OrderSummary:
    """An order as a row of the Orders tab or Order History, with its items expandable.

    Attributes:
        status: the order's derived status; ``label`` is its customer-facing text.
        placement: where the order is listed at the time the summary was built.
        finalized_at: when the last item became final, or None while any is open.
        items: the line items, in order.
    """

    order_id: str
    account_id: str
    reference: str | None
    status: OrderStatus
    label: str
    placement: Placement
    created_at: datetime
    finalized_at: datetime | None
    items: tuple[LineItemView, ...]

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def is_multi_item(self) -> bool:
        return len(self.items) > 1

    @property
    def action_required(self) -> bool:
        return self.status is OrderStatus.ACTION_REQUIRED


def _item_view(
    item: LineItem,
    now: datetime,
    calendar: BusinessCalendar,
    estimates: DeliveryEstimates,
) -> LineItemView:
    status = item.status
    delivery = delivery_display(item, estimates)
    window: DeliveryWindow | None = None
    if delivery.date is not None:
        window = DeliveryWindow(delivery.date, delivery.date)
    elif delivery.range is not None:
        window = business_day_window(now.date(), delivery.range, calendar)
    history = item.history
    return LineItemView(
        item_id=item.item_id,
        number=item.number,
        kind=item.kind,
        number_type=item.number_type,
        status=status,
        label=status.label,
        intent=status.intent,
        delivery=delivery,
        delivery_window=window,
        latest_note=history[-1].note if history else None,
    )


def summarize_order(
    order: Order,
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    calendar: BusinessCalendar = DEFAULT_CALENDAR,
    estimates: DeliveryEstimates = DEFAULT_ESTIMATES,
) -> OrderSummary:
    """The summary row for ``order`` at ``now``, with one view per line item.

    Raises:
        ValidationError: ``now`` is naive.
    """
    require_aware(now, field="now")
    return _summary(order, dashboard_placement(order, now, policy), now, calendar, estimates)


def _summary(
    order: Order,
    placement: Placement,
    now: datetime,
    calendar: BusinessCalendar,
    estimates: DeliveryEstimates,
) -> OrderSummary:
    status = order.status
    return OrderSummary(
        order_id=order.order_id,
        account_id=order.account_id,
        reference=order.reference,
        status=status,
        label=status.label,
        placement=placement,
        created_at=order.created_at,
        finalized_at=order.finalized_at,
        items=tuple(_item_view(i, now, calendar, estimates) for i in order.items),
    )


def orders_tab_view(
    orders: Iterable[Order],
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    calendar: BusinessCalendar = DEFAULT_CALENDAR,
    estimates: DeliveryEstimates = DEFAULT_ESTIMATES,
) -> list[OrderSummary]:
    """Summaries of the orders on the Orders tab at ``now``, in the given order."""
    tab, _ = split_orders(orders, now, policy)
    return [_summary(o, _TAB, now, calendar, estimates) for o in tab]


def order_history_view(
    orders: Iterable[Order],
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    calendar: BusinessCalendar = DEFAULT_CALENDAR,
    estimates: DeliveryEstimates = DEFAULT_ESTIMATES,
) -> list[OrderSummary]:
    """Summaries of the orders in Order History at ``now``, in the given order."""
    _, history = split_orders(orders, now, policy)
    return [_summary(o, _HISTORY, now, calendar, estimates) for o in history]


# -- Active Numbers --------------------------------------------------------------


class ActivationStage(LabelledEnum, label_key="activation_stage"):
    """Where a number is on its way from order to live line."""

    PRE_ACTIVATION = "pre_activation"
    POST_ACTIVATION = "post_activation"


class ActivationTag(LabelledEnum, label_key="activation_tag"):
    """The tag shown next to a number on the Active Numbers dashboard."""

    NOT_ACTIVE = "not_active"
    NEWLY_PORTED = "newly_ported"
    FULLY_ACTIVE = "fully_active"


class NumberAction(LabelledEnum, label_key="number_action"):
    """Things a customer can do with a number on the Active Numbers dashboard."""

    EDIT_FORWARDING_RULES = "edit_forwarding_rules"
    TEST_NUMBER = "test_number"
    BULK_ACTION = "bulk_action"

#: Why each action a pre-activation number refuses is refused.
RESTRICTION_REASONS: Mapping[NumberAction, str] = MappingProxyType(
    {
        a: default_text(f"number_action.{a.value}.restricted")
        for a in (NumberAction.TEST_NUMBER, NumberAction.BULK_ACTION)
    }
)


@attrs.frozen
class StageStyle:
    """How a stage looks and what it permits: data for a UI to render."""

    greyed_out: bool
    colour: str
    icon: str
    billing_active: bool
    allowed_actions: frozenset[NumberAction]


#: Look and permissions per stage.  Only the tag varies within a stage.
STAGE_STYLES: Mapping[ActivationStage, StageStyle] = MappingProxyType(
    {
        ActivationStage.PRE_ACTIVATION: StageStyle(
            greyed_out=True,
            colour="orange",
            icon="hourglass",
            billing_active=False,
            allowed_actions=frozenset({NumberAction.EDIT_FORWARDING_RULES}),
        ),
        ActivationStage.POST_ACTIVATION: StageStyle(
            greyed_out=False,
            colour="green",
            icon="check-circle",
            billing_active=True,
            allowed_actions=frozenset(NumberAction),
        ),
    }
)

_PRE = ActivationStage.PRE_ACTIVATION
_POST = ActivationStage.POST_ACTIVATION
_PRE_STYLE = STAGE_STYLES[_PRE]
_POST_STYLE = STAGE_STYLES[_POST]

AWAITING_APPROVAL = default_text("activation.locked.awaiting_approval")
# Module constants: in Python 3.11 reading ``Enum.MEMBER`` costs ~10x a global
# lookup, and these run once per number on the dashboard's hot path.
_NOT_ACTIVE = ActivationTag.NOT_ACTIVE
_NEWLY_PORTED = ActivationTag.NEWLY_PORTED
_PORT_IN = OrderKind.PORT_IN
_DISCONNECT = OrderKind.DISCONNECT
_TRUELOCAL = NumberType.TRUELOCAL
_PROCESSING = {
    s: default_text("activation.locked.processing", status=s.label) for s in ItemStatus
}
_FULLY_ACTIVE = ActivationTag.FULLY_ACTIVE


@attrs.frozen
class ActiveNumber:
    """A number as the Active Numbers dashboard shows it.

    Attributes:
        number: the E.164 number.
        stage, tag: the activation stage and its tag; ``tag.label`` is the text.
        greyed_out, colour, icon, billing_active, allowed_actions: from
            :data:`STAGE_STYLES` for the stage.
        locked_reason: why a pre-activation number is not live yet
            ("awaiting local regulatory approval"), None once live.
        order_id, item_id, status: the line item it comes from; None for a
            number that comes from inventory.
        kind, number_type: the line item's kind and number type, when known.
        activated_at: when the number became live, when known.
    """

    number: str
    stage: ActivationStage
    tag: ActivationTag
    greyed_out: bool
    colour: str
    icon: str
    billing_active: bool
    allowed_actions: frozenset[NumberAction]
    locked_reason: str | None = None
    order_id: str | None = None
    item_id: str | None = None
    status: ItemStatus | None = None
    kind: OrderKind | None = None
    number_type: NumberType | None = None
    activated_at: datetime | None = None

    def allows(self, action: NumberAction) -> bool:
        return action in self.allowed_actions

    @property
    def restricted_actions(self) -> frozenset[NumberAction]:
        return frozenset(NumberAction) - self.allowed_actions


def _new_active(
    number: str,
    stage: ActivationStage,
    tag: ActivationTag,
    style: StageStyle,
    locked_reason: str | None,
    item: LineItem | None,
    order_id: str | None,
    activated_at: datetime | None,
) -> ActiveNumber:
    return ActiveNumber(
        number=number,
        stage=stage,
        tag=tag,
        greyed_out=style.greyed_out,
        colour=style.colour,
        icon=style.icon,
        billing_active=style.billing_active,
        allowed_actions=style.allowed_actions,
        locked_reason=locked_reason,
        order_id=order_id,
        item_id=None if item is None else item.item_id,
        status=None if item is None else item.status,
        kind=None if item is None else item.kind,
        number_type=None if item is None else item.number_type,
        activated_at=activated_at,
    )


Activation = tuple[ActivationStage, ActivationTag, str | None, datetime | None]
"""(stage, tag, locked reason, activated at) of a number on the dashboard."""


def activation(
    item: LineItem, now: datetime, policy: VisibilityPolicy = DEFAULT_POLICY
) -> Activation | None:
    """Where ``item``'s number stands on Active Numbers at ``now``, or None if it does not show.

    None for disconnect items, cancelled items and new numbers not yet assigned.
    Post-activation needs Completed, and for a TrueLocal number that requires
    local regulatory approval (``LineItem.needs_regulatory_approval``) also
    ``regulatory_approved_at``; it counts as activated at the later of the two.
    A plain tuple: classifying many numbers should not build a view per number.
    """
    status = item.status
    if item.number is None or status is _CANCELLED or item.kind is _DISCONNECT:
        return None
    approved_at = item.regulatory_approved_at
    awaiting = (
        approved_at is None
        and item.number_type is _TRUELOCAL
        and item.regulatory_approval_required is not False
    )
    if status is not _COMPLETED or awaiting:
        return (_PRE, _NOT_ACTIVE, AWAITING_APPROVAL if awaiting else _PROCESSING[status], None)
    # Completed is final, so the last history entry is when it was finalized.
    activated = item.history[-1].at if item.history else None
    if approved_at is not None and (activated is None or approved_at > activated):
        activated = approved_at
    if (
        item.kind is _PORT_IN
        and activated is not None
        and now < activated + policy.newly_ported_period
    ):
        return (_POST, _NEWLY_PORTED, None, activated)
    return (_POST, _FULLY_ACTIVE, None, activated)


def _view(item: LineItem, order_id: str | None, state: Activation) -> ActiveNumber:
    stage, tag, reason, activated = state
    style = _PRE_STYLE if stage is _PRE else _POST_STYLE
    return _new_active(item.number or "", stage, tag, style, reason, item, order_id, activated)


def active_number_for_item(
    item: LineItem,
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    *,
    order_id: str | None = None,
) -> ActiveNumber | None:
    """How ``item``'s number shows on Active Numbers at ``now``, or None if it does not.

    See :func:`activation` for the rules.

    Raises:
        ValidationError: ``now`` is naive.
    """
    if getattr(now, "tzinfo", None) is None:
        require_aware(now, field="now")
    state = activation(item, now, policy)
    return None if state is None else _view(item, order_id, state)


def active_number_for_inventory(record: InventoryNumber) -> ActiveNumber | None:
    """A number assigned to an account in inventory: Fully Active.  None unless ASSIGNED."""
    if record.status is not InventoryStatus.ASSIGNED:
        return None
    return _new_active(
        record.number,
        _POST,
        ActivationTag.FULLY_ACTIVE,
        _POST_STYLE,
        None,
        None,
        None,
        None,
    )


def _deciding_items(
    orders: Iterable[Order], account_id: str | None
) -> tuple[dict[str, tuple[LineItem, str]], set[str]]:
    """Per number, the item of the newest order that touches it; and every number
    an order decided (shown, or removed by a completed disconnect)."""
    shown: dict[str, tuple[LineItem, str]] = {}
    decided: set[str] = set()
    for order in orders:
        if account_id is not None and order.account_id != account_id:
            continue
        for item in order.items:
            number = item.number
            if number is None:
                continue
            if item.kind is _DISCONNECT:
                if item.status is _COMPLETED:
                    shown.pop(number, None)
                    decided.add(number)
                continue
            if item.status is _CANCELLED:
                continue
            shown[number] = (item, order.order_id)
            decided.add(number)
    return shown, decided


def activation_stages(
    orders: Iterable[Order],
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    *,
    account_id: str | None = None,
) -> dict[str, tuple[ActivationStage, ActivationTag]]:
    """Each number's activation stage and tag at ``now``, by the rules of
    :func:`active_numbers_view` (orders only), without building view objects.

    Raises:
        ValidationError: ``now`` is naive.
    """
    require_aware(now, field="now")
    shown, _ = _deciding_items(orders, account_id)
    out: dict[str, tuple[ActivationStage, ActivationTag]] = {}
    for number, (item, _order_id) in shown.items():
        state = activation(item, now, policy)
        if state is not None:
            out[number] = (state[0], state[1])
    return out


def active_numbers_view(
    orders: Iterable[Order],
    now: datetime,
    policy: VisibilityPolicy = DEFAULT_POLICY,
    inventory: Iterable[InventoryNumber] = (),
    *,
    account_id: str | None = None,
    returned: Iterable[InventoryNumber] = (),
) -> list[ActiveNumber]:
    """The Active Numbers dashboard at ``now``, sorted by number.

    Args:
        orders: the account's orders, oldest first (finalized ones too: a
            number completed long ago is still live).
        inventory: inventory records; those ASSIGNED (to ``account_id``, when
            given) show as Fully Active unless an order says otherwise.
        account_id: when given, orders and records of other accounts are ignored.
        returned: inventory records returned from ``account_id``
            (``returned_from``): a number returned after the order that
            delivered it finished no longer shows for that account.

    Per number, the newest order that touches it decides; a completed
    disconnect removes the number (also from the inventory side), and an
    inventory record only shows numbers no order decided.

    Raises:
        ValidationError: ``now`` is naive.
    """
    require_aware(now, field="now")
    items, decided = _deciding_items(orders, account_id)
    for record in returned:
        back = record.returned_at
        if back is None or (account_id is not None and record.returned_from != account_id):
            continue
        deciding = items.get(record.number)
        finished = None if deciding is None else deciding[0].finalized_at
        if finished is not None and finished <= back:
            # Returned to inventory after its order delivered it: no longer the account's.
            del items[record.number]
            decided.discard(record.number)
    shown: dict[str, ActiveNumber] = {}
    for number, (item, order_id) in items.items():
        state = activation(item, now, policy)
        if state is not None:
            shown[number] = _view(item, order_id, state)
    assigned = InventoryStatus.ASSIGNED
    for record in inventory:
        if record.status is not assigned or record.number in decided:
            continue
        if account_id is not None and record.account_id != account_id:
            continue
        view = active_number_for_inventory(record)
        if view is not None:
            shown[record.number] = view
    return [shown[n] for n in sorted(shown)]


def parse_number_action(action: NumberAction | str) -> NumberAction:
    """``action`` as a :class:`NumberAction` (members pass through, values are looked up).

    Raises:
        ValidationError: not a known action; the message lists the known ones.
    """
    if type(action) is NumberAction:
        return action
    try:
        return NumberAction(action)
    except ValueError:
        known = ", ".join(a.value for a in NumberAction)
        raise ValidationError(
            f"unknown number action {action!r}; known: {known}", field="action"
        ) from None


def locked_reason_text(number: ActiveNumber, text: Callable[..., str]) -> str | None:
    """Why ``number`` is not live yet, each phrase looked up through ``text``.

    ``text(key, **values)`` is ``default_text`` or a ``CustomerTexts.text``;
    None for a live number.  The reason is recognised by its English default,
    as ``activation`` wrote it, so ``ActiveNumber`` keeps its plain string field.
    """
    reason = number.locked_reason
    if reason == AWAITING_APPROVAL:
        return text("activation.locked.awaiting_approval")
    status = number.status
    if status is not None and reason == _PROCESSING[status]:
        label = text(f"item_status.{status.value}.label")
        return text("activation.locked.processing", status=label)
    # A reason this module did not write (a host-built ActiveNumber) is shown as given.
    return reason


def restriction_message(
    number: ActiveNumber, action: NumberAction, text: Callable[..., str]
) -> str:
    """Why ``action`` is refused for ``number``, each phrase looked up through ``text``."""
    reason_key = (
        f"number_action.{action.value}.restricted"
        if action in RESTRICTION_REASONS
        else "number_action.restricted"
    )
    allowed = ", ".join(
        sorted(text(f"number_action.{a.value}.label").lower() for a in number.allowed_actions)
    ) or text("error.action_restricted.nothing")
    reason = locked_reason_text(number, text)
    return text(
        "error.action_restricted",
        action=text(f"number_action.{action.value}.label"),
        number=number.number,
        stage=text(f"activation_stage.{number.stage.value}.label").lower(),
        tag=text(f"activation_tag.{number.tag.value}.label"),
        locked=f", {reason}" if reason else "",
        reason=text(reason_key),
        allowed=allowed,
    )


def check_action(number: ActiveNumber, action: NumberAction | str) -> None:
    """Raise ``ActionRestricted`` unless ``number``'s stage allows ``action``.

    A bulk operation checks ``NumberAction.BULK_ACTION`` on every number it
    touches, so one pre-activation number refuses the whole operation.

    Raises:
        ActionRestricted: the action is not available in the number's stage; the
            message says why and what is allowed instead.
        ValidationError: ``action`` is not a known action.
    """
    act = parse_number_action(action)
    if act in number.allowed_actions:
        return
    raise ActionRestricted(
        restriction_message(number, act, default_text),
        number=number.number,
        action=act.value,
        stage=number.stage.value,
    )
