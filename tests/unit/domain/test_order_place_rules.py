"""``Order.place`` and ``NewItem``: every refusal's facts, and what a placed order holds.

The order rules of docs/decisions.md and the ``Order.place`` contract: an order
has at least one line item, each a ``NewItem``; item ids are unique (an empty id
means "generate one": ``<order id>-<position>``); numbers are stored as E.164,
read in the item's region (the United States when it has none), and appear once
per order; only customers, account managers, staff and the system place orders.
Each refusal is a typed error naming the field and, where there is one, the
value (found missing by mutation testing, ``docs/mutation.md``).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.support.actors import CARRIER, CUSTOMER, MANAGER, STAFF
from tests.support.clock import T0
from tnorder import (
    DuplicateNumber,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    OrderPlaced,
    PermissionDenied,
    Trigger,
    ValidationError,
)
from tnorder.domain.order import check_permission
from tnorder.domain.statuses import NumberType

PORT = OrderKind.PORT_IN


def _place(items: object, *, actor: object = CUSTOMER, at: object = T0) -> Order:
    return Order.place("A-1", "acct-1", items, actor=actor, at=at)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["number", "region", "item_id"])
@pytest.mark.parametrize(("value", "type_name"), [(5, "int"), (b"x", "bytes")])
def test_new_item_refuses_text_fields_that_are_not_text(
    field: str, value: object, type_name: str
) -> None:
    """``number``, ``region`` and ``item_id`` must be strings (or None): anything else is a
    ValidationError naming that field and the type given."""
    with pytest.raises(ValidationError) as caught:
        NewItem(PORT, **{field: value})  # type: ignore[arg-type]

    assert (field, f"{field} must be a string, got {type_name}") == (
        caught.value.field,
        str(caught.value),
    )


def test_an_empty_or_missing_item_id_is_generated_from_the_position() -> None:
    """An item without an id (None or empty) gets ``<order id>-<position>``, counted
    from 1; a given id is kept."""
    order = _place([NewItem(PORT, item_id=""), NewItem(PORT), NewItem(PORT, item_id="mine")])

    assert ["A-1-1", "A-1-2", "mine"] == [i.item_id for i in order.items]


def test_a_placed_item_keeps_what_was_asked_and_starts_its_history() -> None:
    """Each line item keeps the kind, number type and region asked for, its number in
    E.164 read in its region, and one creation entry by the placing actor at ``at``."""
    order = _place(
        [
            NewItem(PORT, number="020 7946 0000", number_type="truelocal", region="gb-eng"),
            NewItem(OrderKind.NEW_NUMBER, number="(404) 555-0100"),
            NewItem(OrderKind.DISCONNECT),
        ],
        actor=STAFF,
    )

    assert [
        (PORT, "+442079460000", NumberType.TRUELOCAL, "gb-eng"),
        (OrderKind.NEW_NUMBER, "+14045550100", NumberType.LOCAL, None),
        (OrderKind.DISCONNECT, None, NumberType.LOCAL, None),
    ] == [(i.kind, i.number, i.number_type, i.region) for i in order.items]
    assert [[(None, ItemStatus.ORDER_SUBMITTED, Trigger.PLACE, STAFF, T0, None)]] * 3 == [
        [tuple(e) for e in i.history] for i in order.items
    ]
    assert ("A-1", "acct-1", T0, 0, 0) == (
        order.order_id,
        order.account_id,
        order.created_at,
        order.version,
        len([i for i in order.items if i.status is not ItemStatus.ORDER_SUBMITTED]),
    )


def test_placing_records_who_placed_which_items() -> None:
    """``OrderPlaced`` names the account, the item ids in order, the actor and the time."""
    order = _place([NewItem(PORT, item_id="b"), NewItem(PORT, item_id="a")], actor=MANAGER)

    [event] = order.pull_events()

    assert isinstance(event, OrderPlaced)
    assert ("A-1", "acct-1", ("b", "a"), MANAGER, T0) == (
        event.stream,
        event.account_id,
        event.item_ids,
        event.actor,
        event.at,
    )


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "an order has at least one line item"),
        ((), "an order has at least one line item"),
        ("port_in", "items must be a sequence of NewItem"),
        (b"x", "items must be a sequence of NewItem"),
        ({NewItem(PORT)}, "items must be a sequence of NewItem"),
        (None, "items must be a sequence of NewItem"),
        ([NewItem(PORT), "port_in"], "items[1] is not a NewItem"),
        ([{"kind": "port_in"}], "items[0] is not a NewItem"),
        (
            [NewItem(PORT, item_id="x"), NewItem(PORT, item_id="x")],
            "duplicate item ids in order 'A-1'",
        ),
        ([NewItem(PORT, item_id="A-1-2"), NewItem(PORT)], "duplicate item ids in order 'A-1'"),
    ],
)
def test_bad_items_are_refused_naming_items(items: object, message: str) -> None:
    """No items, something that is not a sequence of ``NewItem`` (text, bytes, a set), an
    element that is not a ``NewItem`` (by position) and duplicate item ids (given, or
    clashing with a generated one) are ValidationErrors naming ``items``."""
    with pytest.raises(ValidationError) as caught:
        _place(items)

    assert ("items", message) == (caught.value.field, str(caught.value))


def test_a_number_twice_in_one_order_is_named() -> None:
    """The same number twice (however it was written) is a DuplicateNumber naming the
    number in E.164 and the order."""
    with pytest.raises(DuplicateNumber) as caught:
        _place(
            [
                NewItem(PORT, number="+14045550100"),
                NewItem(OrderKind.DISCONNECT),
                NewItem(PORT, number="404-555-0100"),
            ]
        )

    assert (
        "+14045550100",
        "A-1",
        "items",
        "number +14045550100 appears more than once in order 'A-1'",
    ) == (caught.value.number, caught.value.order_id, caught.value.field, str(caught.value))


@pytest.mark.parametrize("at", [datetime(2025, 3, 3, 9), date(2025, 3, 3), "2025-03-03", None])
def test_placing_needs_an_aware_instant(at: object) -> None:
    """``at`` must be a timezone-aware datetime: anything else is refused naming ``at`` and
    quoting the value."""
    with pytest.raises(ValidationError) as caught:
        _place([NewItem(PORT)], at=at)

    assert ("at", f"'at' must be a timezone-aware datetime, got {at!r}") == (
        caught.value.field,
        str(caught.value),
    )


@pytest.mark.parametrize("actor", ["customer", None])
def test_placing_needs_an_actor(actor: object) -> None:
    """The placing actor must be an ``Actor``: anything else is refused naming ``actor``."""
    with pytest.raises(ValidationError) as caught:
        _place([NewItem(PORT)], actor=actor)

    assert ("actor", "actor must be an Actor") == (caught.value.field, str(caught.value))


def test_a_carrier_may_not_place_an_order() -> None:
    """Carriers do not place orders: PermissionDenied naming the role and the action."""
    with pytest.raises(PermissionDenied) as caught:
        _place([NewItem(PORT)], actor=CARRIER)

    assert ("carrier", "place", "role 'carrier' may not place") == (
        caught.value.role,
        caught.value.action,
        str(caught.value),
    )


@pytest.mark.parametrize("actor", [CUSTOMER, MANAGER, STAFF])
def test_every_other_role_may_place(actor: object) -> None:
    """Customers, account managers and staff place orders."""
    assert actor == _place([NewItem(PORT)], actor=actor).items[0].history[0].actor


def test_a_refused_trigger_names_the_role_and_the_action_in_words() -> None:
    """A role refused a trigger gets PermissionDenied with the trigger's words
    (underscores as spaces), the role and the action; a refused cancel gets the
    "contact your account manager" message."""
    with pytest.raises(PermissionDenied) as refused:
        check_permission(CUSTOMER, Trigger.RECEIVE_PORT_DATE)
    with pytest.raises(PermissionDenied) as cancel:
        check_permission(CARRIER, Trigger.CANCEL)
    with pytest.raises(ValidationError) as not_actor:
        check_permission("staff", Trigger.CANCEL)  # type: ignore[arg-type]

    assert ("customer", "receive_port_date", "role 'customer' may not receive port date") == (
        refused.value.role,
        refused.value.action,
        str(refused.value),
    )
    assert ("carrier", "cancel") == (cancel.value.role, cancel.value.action)
    assert "contact your account manager" in str(cancel.value)
    assert ("actor", "actor must be an Actor") == (not_actor.value.field, str(not_actor.value))
    assert None is check_permission(MANAGER, Trigger.CANCEL)
