"""The Order aggregate and its line items.

Pure domain rules.  Nothing here reads the clock or touches storage: every
method that changes state takes ``at`` (an aware datetime) from the caller.

An order groups one or more line items under one order number for one
customer account.  Each line item is one telephone number being ordered,
ported in or disconnected, and walks the machine in ``tnorder.domain.machine``.
Accepted events append to the item's history and are recorded on the order as
domain events for the service to publish; refused events raise and change
nothing.  The order's status is derived from its items, never stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, Protocol

import attrs

from ..errors import (
    DuplicateNumber,
    InvalidTransition,
    ItemNotFound,
    PermissionDenied,
    ValidationError,
)
from ._checks import require_aware
from ._messages import default_text
from .carrier import PortDetails
from .events import (
    Actor,
    Event,
    EventRecorder,
    ItemStatusChanged,
    OrderPlaced,
    PortDetailsCorrected,
    RegulatoryApprovalRecorded,
)
from .inputs import (
    check_id,
    check_optional_id,
    check_optional_text,
    check_order_id,
    check_text,
    to_enum,
)
from .machine import LOOKUP, TRIGGER_ROLES, Trigger, allowed_triggers, resolve
from .phone import normalize_number
from .requirements import RequirementState
from .statuses import Intent, ItemStatus, NumberType, OrderKind, OrderStatus, Role

__all__ = [
    "HistoryEntry",
    "LineItem",
    "NewItem",
    "Order",
    "correct_port_details",
    "derive_order_status",
    "port_correction_note",
    "record_regulatory_approval",
]

# ``tuple.__new__`` builds a named tuple without running its Python-level
# ``__new__``: the hot path saves a frame per event.
_new_tuple = tuple.__new__
# Plain-dict views of the frozen tables (a MappingProxyType lookup is slower),
# and the unguarded single-candidate rows resolved ahead of time for every
# role allowed to fire them: one lookup answers "allowed?" and "where to?".
# Anything else (a guard, a refused role, no transition) misses and takes the
# full checks, in the same order as ever.
_ALLOWED_GET = {
    (status, trigger, role): cands[0].dest
    for (status, trigger), cands in LOOKUP.items()
    if len(cands) == 1 and not cands[0].checks
    for role in TRIGGER_ROLES[trigger]
}.get
_ROLES = dict(TRIGGER_ROLES)
_RECEIVE_PORT_DATE = Trigger.RECEIVE_PORT_DATE
_UTC = UTC
# Sets an item's field past its change hook.  ``fire`` changes ``status``
# only together with a history append, which storage sees by the history's
# length, so the hook's mark (40% of an event's cost) is not needed there.
_set_field = object.__setattr__

CANCEL_REFUSED_MESSAGE = default_text("error.cancel_refused")


class HistoryEntry(NamedTuple):
    """One accepted event in a line item's life (immutable).

    ``from_status`` is None only for the entry that created the item.  A named
    tuple rather than a frozen attrs class: one is created per event on the hot
    path, and a frozen attrs instance costs several times more to build.
    """

    from_status: ItemStatus | None
    to_status: ItemStatus
    trigger: Trigger
    actor: Actor
    at: datetime
    note: str | None = None


def _kind(value: object) -> OrderKind:
    return to_enum(OrderKind, value, "kind")


def _number_type(value: object) -> NumberType:
    return to_enum(NumberType, value, "number_type")


def _number(value: object) -> str | None:
    return check_optional_text(value, "number")


def _region(value: object) -> str | None:
    # Regions are normalised later (stripped, upper-case, empty means none).
    return check_optional_text(value, "region")


def _item_id(value: object) -> str | None:
    # An empty id means "generate one", as it always did.
    return None if value == "" else check_optional_id(value, "item_id")


@attrs.frozen
class NewItem:
    """What a caller asks for when placing an order: one line item to create.

    ``kind`` and ``number_type`` may be given as their values (``"port_in"``
    becomes exactly ``OrderKind.PORT_IN``, so the requirements policy sees the
    member); ``number``, ``region`` and ``item_id`` must be strings or None.
    Anything else raises ``ValidationError`` here.
    """

    kind: OrderKind = attrs.field(converter=_kind)
    number: str | None = attrs.field(default=None, converter=_number)
    number_type: NumberType = attrs.field(default=NumberType.LOCAL, converter=_number_type)
    region: str | None = attrs.field(default=None, converter=_region)
    item_id: str | None = attrs.field(default=None, converter=_item_id)


def _note_change(item: Any, _attribute: Any, value: Any) -> Any:
    # Storage writes only the item rows that changed: any assignment to an
    # item's field marks it.  (History appends are seen by its length, and
    # in-place changes of requirements by storage comparing encodings.)
    object.__setattr__(item, "_changed", True)
    return value


@attrs.define(on_setattr=_note_change)
class LineItem:
    """One telephone number in an order.

    Attributes:
        item_id: unique within the order.
        kind: new number, port-in or disconnect.
        number: E.164 number, or None until a new number is assigned.
        number_type: drives document requirements and the TrueLocal lock.
        region: country or region code documents are matched on (e.g. ``"US-GA"``).
        status: current status; only changed through ``Order.fire``.
        history: append-only list of accepted events; the last ``to_status`` is ``status``.
        committed_date: the hard date a carrier committed to (e.g. a port's FOC date).
        carrier_ref: the carrier's order reference for this number, once known.
        regulatory_approved_at: when local compliance was approved (TrueLocal lock).
        regulatory_approval_required: whether the number stays locked until then,
            decided by the requirements policy when the order is placed; None for
            items stored by tnorder 0.1 (or built without a service), where every
            TrueLocal number is locked as 0.1 did.
        regulatory_approved_by: who recorded the approval (None when documents
            approved it, or not yet approved).
        regulatory_note: the note given with the approval.
        port_details: a port-in's latest port details (LOA facts), without the
            PIN, which tnorder never stores.
        requirements: the item's document requirements and which document satisfied
            each (see ``tnorder.domain.documents``).
    """

    item_id: str
    kind: OrderKind
    number: str | None = None
    number_type: NumberType = NumberType.LOCAL
    region: str | None = None
    status: ItemStatus = ItemStatus.ORDER_SUBMITTED
    history: list[HistoryEntry] = attrs.Factory(list)
    committed_date: date | None = None
    carrier_ref: str | None = None
    regulatory_approved_at: datetime | None = None
    requirements: list[RequirementState] = attrs.Factory(list)
    regulatory_approval_required: bool | None = None
    regulatory_approved_by: Actor | None = None
    regulatory_note: str | None = None
    port_details: PortDetails | None = None
    # Private change tracking for storage (see ``docs/storage.md``): set by any
    # field assignment after construction, cleared by storage when written.
    _changed: bool = attrs.field(default=True, init=False, repr=False, eq=False)

    @property
    def is_final(self) -> bool:
        return self.status.is_final

    @property
    def finalized_at(self) -> datetime | None:
        """When the item reached its final status, or None while it is open."""
        return self.history[-1].at if self.status.is_final and self.history else None

    @property
    def latest_note(self) -> str | None:
        """The customer-facing note of the most recent event, if it carried one."""
        return self.history[-1].note if self.history else None

    @property
    def needs_regulatory_approval(self) -> bool:
        """Whether the number is locked until local compliance is approved (now)."""
        return (
            self.number_type is NumberType.TRUELOCAL
            and self.regulatory_approval_required is not False
            and self.regulatory_approved_at is None
        )

    def allowed_triggers(self) -> tuple[Trigger, ...]:
        """Triggers this item accepts now (before role checks)."""
        return allowed_triggers(self, self.status)


class _PartialItems(Protocol):
    """What an order's items are when storage read them in part (see ``docs/storage.md``)."""

    @property
    def loaded(self) -> bool: ...

    def find(self, item_id: str) -> LineItem | None: ...

    def summary(self) -> tuple[list[ItemStatus], datetime | None] | None: ...


def derive_order_status(statuses: Iterable[ItemStatus]) -> OrderStatus:
    """The order's status from its items' statuses.

    1. Any item needing the customer's action: ``ACTION_REQUIRED``.
    2. Otherwise any item not final: ``IN_PROGRESS``.
    3. All completed: ``COMPLETED``; all cancelled: ``CANCELLED``.
    4. A mix of completed and cancelled: ``PARTIALLY_COMPLETED`` (final).
    """
    if not isinstance(statuses, Iterable) or isinstance(statuses, str | bytes):
        raise ValidationError(
            f"statuses must be item statuses, got {type(statuses).__name__}", field="statuses"
        )
    # Statuses given as their values ("completed") become the members; anything else
    # is a ValidationError here rather than an AttributeError further down (issue 15).
    seen = {s if type(s) is ItemStatus else to_enum(ItemStatus, s, "statuses") for s in statuses}
    if not seen:
        raise ValidationError("an order has at least one line item", field="items")
    if any(s.intent is Intent.ACTION_REQUIRED for s in seen):
        return OrderStatus.ACTION_REQUIRED
    if any(not s.is_final for s in seen):
        return OrderStatus.IN_PROGRESS
    if seen == {ItemStatus.COMPLETED}:
        return OrderStatus.COMPLETED
    if seen == {ItemStatus.CANCELLED}:
        return OrderStatus.CANCELLED
    return OrderStatus.PARTIALLY_COMPLETED


def _require_aware(at: datetime) -> None:
    require_aware(at, field="at")


def _coerce_trigger(trigger: Trigger | str) -> Trigger:
    if type(trigger) is Trigger:
        return trigger
    try:
        return Trigger(trigger)
    except ValueError:
        raise ValidationError(f"unknown trigger {trigger!r}", field="trigger") from None


def check_permission(actor: Actor, trigger: Trigger) -> None:
    """Raise ``PermissionDenied`` unless ``actor``'s role may fire ``trigger``."""
    if not isinstance(actor, Actor):
        raise ValidationError("actor must be an Actor", field="actor")
    if actor.role in TRIGGER_ROLES[trigger]:
        return
    if trigger is Trigger.CANCEL:
        message = CANCEL_REFUSED_MESSAGE
    else:
        message = f"role {actor.role.value!r} may not {trigger.value.replace('_', ' ')}"
    raise PermissionDenied(message, role=actor.role.value, action=trigger.value)


@attrs.define
class Order(EventRecorder):
    """An order: one or more line items under one order number, for one account.

    Build new orders with :meth:`Order.place`.  ``version`` is the storage
    version the order was loaded at (0 for a new order); storage adapters use
    it for optimistic concurrency.  ``event_seq`` numbers the events recorded on
    this order so event ids are stable.
    """

    order_id: str
    account_id: str
    items: list[LineItem]
    created_at: datetime
    version: int = 0
    event_seq: int = 0
    reference: str | None = None
    # Recorded events; status changes are kept as compact tuples and become
    # ``ItemStatusChanged`` objects only when drained (see ``pull_events``).
    _pending: list[Any] = attrs.field(factory=list, init=False, repr=False, eq=False)
    _index: dict[str, LineItem] = attrs.field(factory=dict, init=False, repr=False, eq=False)
    # Private change tracking for storage: what the stored item rows held when
    # this order was loaded or last saved (item id -> (history length, digest
    # of the row body, or None for a row this order's first save wrote;
    # latest entry)), None for an order never stored.  Opaque to the domain.
    _stored: dict[str, tuple[int, str | None, str | None]] | None = attrs.field(
        default=None, init=False, repr=False, eq=False
    )
    # Set by storage when ``items`` is a sequence read in part: items are then
    # read one at a time, and the order-level queries use its summary.
    _partial: Any = attrs.field(default=None, init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self._index = {item.item_id: item for item in self.items}

    def _summary(self) -> tuple[list[ItemStatus], datetime | None] | None:
        partial: _PartialItems = self._partial
        # A host may replace ``items`` with a list of its own: then that list rules.
        # (A deep copy turns both into the same plain list, which has no ``loaded``.)
        if partial is not self.items or getattr(partial, "loaded", True):  # type: ignore[comparison-overlap]
            return None
        return partial.summary()

    # -- construction -------------------------------------------------------

    @classmethod
    def place(
        cls,
        order_id: str,
        account_id: str,
        items: Sequence[NewItem],
        *,
        actor: Actor,
        at: datetime,
    ) -> Order:
        """Create an order whose items all start in Order Submitted.

        Raises:
            ValidationError: no items, duplicate item ids, empty ids, naive ``at``.
            DuplicateNumber: the same number in two items (names the number).
            PermissionDenied: the actor's role may not place orders.
        """
        _require_aware(at)
        check_permission(actor, Trigger.PLACE)
        check_order_id(order_id)
        check_id(account_id, "account_id")
        if not isinstance(actor, Actor):
            raise ValidationError("actor must be an Actor", field="actor")
        if isinstance(items, str | bytes) or not isinstance(items, Sequence):
            raise ValidationError("items must be a sequence of NewItem", field="items")
        if not items:
            raise ValidationError("an order has at least one line item", field="items")
        line_items: list[LineItem] = []
        # One entry for every item: it is immutable, and a 10,000-item order
        # (issue 17) then builds, holds and encodes one instead of 10,000.
        entry = HistoryEntry(None, ItemStatus.ORDER_SUBMITTED, Trigger.PLACE, actor, at)
        for index, new in enumerate(items, start=1):
            if not isinstance(new, NewItem):
                raise ValidationError(f"items[{index - 1}] is not a NewItem", field="items")
            item_id = new.item_id or f"{order_id}-{index}"
            number = new.number
            if number is not None:
                # Stored and compared as E.164 everywhere; a bad number fails here.
                region = new.region
                number = normalize_number(number, region[:2].upper() if region else "US")
            line_items.append(
                LineItem(
                    item_id=item_id,
                    kind=new.kind,
                    number=number,
                    number_type=new.number_type,
                    region=new.region,
                    history=[entry],
                )
            )
        ids = [i.item_id for i in line_items]
        if len(set(ids)) != len(ids):
            raise ValidationError(f"duplicate item ids in order {order_id!r}", field="items")
        seen: set[str] = set()
        for line in line_items:
            if line.number is None:
                continue
            if line.number in seen:
                raise DuplicateNumber(
                    f"number {line.number} appears more than once in order {order_id!r}",
                    number=line.number,
                    order_id=order_id,
                    reason="repeated",
                )
            seen.add(line.number)
        order = cls(order_id=order_id, account_id=account_id, items=line_items, created_at=at)
        order.record(OrderPlaced, at, account_id=account_id, item_ids=tuple(ids), actor=actor)
        return order

    # -- queries ------------------------------------------------------------

    @property
    def status(self) -> OrderStatus:
        summary = self._summary()
        if summary is not None:
            return derive_order_status(summary[0])
        return derive_order_status(i.status for i in self.items)

    @property
    def is_final(self) -> bool:
        summary = self._summary()
        if summary is not None:
            return all(s.is_final for s in summary[0])
        return all(i.status.is_final for i in self.items)

    @property
    def finalized_at(self) -> datetime | None:
        """When the last item reached a final status, or None while any item is open."""
        summary = self._summary()
        if summary is not None:
            return summary[1] if all(s.is_final for s in summary[0]) else None
        latest: datetime | None = None
        for item in self.items:
            at = item.finalized_at
            if at is None:
                return None
            if latest is None or at > latest:
                latest = at
        return latest

    def item(self, item_id: str) -> LineItem:
        item = self._index.get(item_id)
        if item is None:
            partial: _PartialItems = self._partial
            if partial is self.items and not getattr(partial, "loaded", True):  # type: ignore[comparison-overlap]
                found = partial.find(item_id)
                if found is not None:
                    self._index[item_id] = found
                    return found
                raise ItemNotFound(item_id, f"order {self.order_id!r} has no line item {item_id!r}")
            if len(self._index) != len(self.items):  # items were added after construction
                self._index = {i.item_id: i for i in self.items}
                return self.item(item_id)
            raise ItemNotFound(item_id, f"order {self.order_id!r} has no line item {item_id!r}")
        return item

    def _event_stream(self) -> str:
        return self.order_id

    def _materialize(self, pending: Any) -> Event:
        if isinstance(pending, Event):
            return pending
        seq, item_id, entry, committed = pending
        return ItemStatusChanged(
            stream=self.order_id,
            seq=seq,
            at=entry.at,
            item_id=item_id,
            from_status=entry.from_status,
            to_status=entry.to_status,
            trigger=entry.trigger.value,
            actor=entry.actor,
            note=entry.note,
            committed_date=committed,
        )

    # -- commands -----------------------------------------------------------

    def fire(
        self,
        item_id: str,
        trigger: Trigger | str,
        *,
        actor: Actor,
        at: datetime,
        note: str | None = None,
        committed_date: date | None = None,
    ) -> HistoryEntry:
        """Send ``trigger`` to one line item.

        Raises:
            ItemNotFound: no such item.
            ValidationError: unknown trigger, naive ``at``, a port date without a date.
            PermissionDenied: the actor's role may not fire this trigger.
            InvalidTransition: the item's status does not accept the trigger.
        """
        # This is the hot path of the library: every check is inlined and one
        # object (the history entry) is built per event.
        trig = trigger if type(trigger) is Trigger else _coerce_trigger(trigger)
        if type(actor) is not Actor:
            raise ValidationError("actor must be an Actor", field="actor")
        try:
            utc = at.tzinfo is _UTC
        except AttributeError:
            utc = False
        if not utc:
            _require_aware(at)
        item = self._index.get(item_id) or self.item(item_id)
        status = item.status
        dest = _ALLOWED_GET((status, trig, actor.role))
        if dest is None:
            if actor.role not in _ROLES[trig]:
                check_permission(actor, trig)
            dest = resolve(item, status, trig)
            if dest is None:
                raise InvalidTransition(
                    order_id=self.order_id,
                    item_id=item_id,
                    status=item.status.value,
                    trigger=trig.value,
                    allowed=[t.value for t in item.allowed_triggers()],
                )
        if note is not None:
            check_text(note, "note")
        committed = None
        if trig is _RECEIVE_PORT_DATE:
            if type(committed_date) is not date:
                raise ValidationError(
                    "receive_port_date needs the committed port date", field="committed_date"
                )
            item.committed_date = committed = committed_date
        entry = _new_tuple(HistoryEntry, (status, dest, trig, actor, at, note))
        item.history.append(entry)
        seq = self.event_seq = self.event_seq + 1
        self._pending.append((seq, item_id, entry, committed))
        _set_field(item, "status", dest)
        return entry

    def cancel(
        self,
        *,
        actor: Actor,
        at: datetime,
        note: str | None = None,
        roles: Collection[Role] | None = None,
        item_ids: Sequence[str] | None = None,
    ) -> list[str]:
        """Cancel every item that is not final (or only ``item_ids``).

        ``roles`` are the roles allowed to cancel (the host's configuration);
        None means the machine's default, account managers only.  Returns the
        ids of the items that were cancelled.  The permission check happens
        before anything changes, so a refused cancellation changes nothing.
        """
        _require_aware(at)
        if roles is None:
            check_permission(actor, Trigger.CANCEL)
        elif actor.role not in roles:
            raise PermissionDenied(
                CANCEL_REFUSED_MESSAGE, role=actor.role.value, action=Trigger.CANCEL.value
            )
        if note is not None:
            check_text(note, "note")
        chosen = self.items if item_ids is None else [self.item(i) for i in item_ids]
        open_ids = [i.item_id for i in chosen if not i.status.is_final]
        if not open_ids:
            raise InvalidTransition(
                order_id=self.order_id,
                item_id="*",
                status=self.status.value,
                trigger=Trigger.CANCEL.value,
                allowed=[],
                reason="every item is already final",
            )
        for item_id in open_ids:
            if roles is None:
                self.fire(item_id, Trigger.CANCEL, actor=actor, at=at, note=note)
            else:
                self._fire_allowed(item_id, Trigger.CANCEL, actor=actor, at=at, note=note)
        return open_ids

    def _fire_allowed(
        self, item_id: str, trigger: Trigger, *, actor: Actor, at: datetime, note: str | None
    ) -> None:
        """Fire ``trigger`` for an actor the caller has already authorised (configured roles)."""
        item = self.item(item_id)
        status = item.status
        dest = resolve(item, status, trigger)
        if dest is None:
            raise InvalidTransition(
                order_id=self.order_id,
                item_id=item_id,
                status=status.value,
                trigger=trigger.value,
                allowed=[t.value for t in item.allowed_triggers()],
            )
        entry = HistoryEntry(status, dest, trigger, actor, at, note)
        item.history.append(entry)
        seq = self.event_seq = self.event_seq + 1
        self._pending.append((seq, item_id, entry, None))
        _set_field(item, "status", dest)  # seen by storage through the history append


def record_regulatory_approval(
    order: Order, item_id: str, *, actor: Actor, at: datetime, note: str | None = None
) -> None:
    """Lift a TrueLocal item's regulatory lock: who, when and why, plus an event.

    Raises:
        ItemNotFound: no such item.
        ValidationError: the item needs no approval, or already has it (names it).
    """
    _require_aware(at)
    item = order.item(item_id)
    if item.regulatory_approved_at is not None:
        raise ValidationError(
            f"item {item_id!r} of order {order.order_id!r} was already approved at "
            f"{item.regulatory_approved_at.isoformat()}",
            field="item_id",
        )
    if not item.needs_regulatory_approval:
        raise ValidationError(
            f"item {item_id!r} of order {order.order_id!r} needs no local regulatory approval",
            field="item_id",
        )
    if item.status is ItemStatus.CANCELLED:
        raise ValidationError(
            f"item {item_id!r} of order {order.order_id!r} is cancelled", field="item_id"
        )
    item.regulatory_approved_at = at
    item.regulatory_approved_by = actor
    item.regulatory_note = note
    order.record(
        RegulatoryApprovalRecorded, at, item_id=item_id, number=item.number, actor=actor, note=note
    )


_PORT_FIELDS = (
    "authorizing_person",
    "subscriber_name",
    "billing_number",
    "losing_account_number",
    "pin",
    "requested_date",
    "extra",
)


def port_correction_note(fields: Sequence[str], text: Callable[..., str]) -> str:
    """The history note of a port correction without the customer's own note.

    ``"Port details corrected: losing account number, pin."``: each field's
    label and the sentence are looked up through ``text(key, **values)``,
    ``default_text`` or a ``CustomerTexts.text``.
    """
    labels = ", ".join(text(f"port_field.{name}.label") for name in fields)
    return text(
        "note.port_details_corrected",
        fields=labels or text("note.port_details_corrected.nothing"),
    )


def correct_port_details(
    order: Order,
    item_id: str,
    details: PortDetails,
    *,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> tuple[str, ...]:
    """Take a customer's corrected port details for a port-in waiting on them.

    The item goes back to Under Review (``provide_information``) with ``note``
    (or a note naming the corrected fields), keeps the details without the
    PIN, and records ``PortDetailsCorrected`` naming the fields that changed;
    no value, and never the PIN, goes into history or events.  Returns the
    changed field names.

    Raises:
        ValidationError: the item is not a port-in, or ``details`` is not ``PortDetails``.
        InvalidTransition: the item is not waiting on the customer.
        PermissionDenied: the actor may not provide information.
    """
    _require_aware(at)
    if not isinstance(details, PortDetails):
        raise ValidationError("details must be a PortDetails", field="details")
    item = order.item(item_id)
    if item.kind is not OrderKind.PORT_IN:
        raise ValidationError(
            f"item {item_id!r} of order {order.order_id!r} is not a port-in", field="item_id"
        )
    before = item.port_details
    changed = tuple(
        name
        for name in _PORT_FIELDS
        if before is None
        or (name == "pin" and details.pin is not None)
        or (name != "pin" and getattr(before, name) != getattr(details, name))
    )
    text = note if note is not None else port_correction_note(changed, default_text)
    order.fire(item_id, Trigger.PROVIDE_INFORMATION, actor=actor, at=at, note=text)
    item.port_details = attrs.evolve(details, pin=None)
    order.record(
        PortDetailsCorrected,
        at,
        item_id=item_id,
        number=item.number,
        fields=changed,
        actor=actor,
        note=note,
    )
    return changed
