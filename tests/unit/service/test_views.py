"""OrderService views: Orders tab, Order History and Active Numbers over real storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.actors import CUSTOMER, MANAGER, SYSTEM
from tnorder import (
    ActionRestricted,
    ItemStatus,
    NewItem,
    NumberNotFound,
    NumberType,
    OrderKind,
    OrderService,
    Trigger,
    ValidationError,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.calendar import BusinessCalendar
from tnorder.domain.delivery import DeliveryEstimates, DeliveryWindow
from tnorder.domain.inventory import InventoryNumber, InventoryStatus
from tnorder.domain.visibility import (
    ActivationStage,
    ActivationTag,
    NumberAction,
    Placement,
    VisibilityPolicy,
)
from tnorder.world import build_service

# Not the shared T0: the calendar dates these tests expect count from this Monday.
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NUMBER = "+14045550100"
COMPLETE_NEW = (
    Trigger.SUBMIT_TO_CARRIER,
    Trigger.START_CONFIGURATION,
    Trigger.VALIDATE_INSTALLATION,
    Trigger.COMPLETE,
)


class LockTrueLocal:
    """A policy asking for no documents that still locks TrueLocal numbers."""

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> tuple[str, ...]:
        return ()

    def requires_regulatory_approval(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> bool:
        return number_type is NumberType.TRUELOCAL


def make_service(**kwargs: object) -> tuple[OrderService, FixedClock]:
    clock = FixedClock(T0)
    return build_service(MemoryStorage(), clock=clock, **kwargs), clock  # type: ignore[arg-type]


def complete(service: OrderService, order_id: str, item_id: str) -> None:
    for trigger in COMPLETE_NEW:
        service.fire(order_id, item_id, trigger, actor=SYSTEM)


def test_a_completed_single_item_order_leaves_the_tab_after_seven_days() -> None:
    """The Orders tab shows it for 7 days after completion; then Order History does."""
    service, clock = make_service()
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    complete(service, "O-1", "O-1-1")
    clock.advance(days=7, microseconds=-1)
    assert (["O-1"], []) == (
        [s.order_id for s in service.orders_tab("acct-1")],
        [s.order_id for s in service.order_history("acct-1")],
    )
    clock.advance(microseconds=1)
    history = service.order_history("acct-1")
    assert ([], ["O-1"]) == (
        [s.order_id for s in service.orders_tab("acct-1")],
        [s.order_id for s in history],
    )
    assert Placement.ORDER_HISTORY == history[0].placement


def test_one_open_item_keeps_a_ten_item_order_on_the_tab() -> None:
    """The multi-item gate holds over storage too."""
    service, clock = make_service()
    items = [NewItem(OrderKind.NEW_NUMBER) for _ in range(10)]
    service.place_order("acct-1", items, actor=CUSTOMER, order_id="BIG")
    for index in range(1, 10):
        complete(service, "BIG", f"BIG-{index}")
    clock.advance(days=60)
    (summary,) = service.orders_tab("acct-1")
    assert ("BIG", 10) == (summary.order_id, summary.item_count)
    assert [] == service.order_history("acct-1")


def test_the_tab_summarizes_items_with_delivery_and_notes() -> None:
    """Orders tab rows carry their items' labels, delivery column and latest note."""
    service, _ = make_service()
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    service.fire("O-1", "O-1-1", Trigger.REQUEST_INFORMATION, actor=SYSTEM, note="Upload ID.")
    (summary,) = service.orders_tab("acct-1")
    (item,) = summary.items
    assert ("Information Required", "Unavailable", "Upload ID.") == (
        item.label,
        item.delivery.text,
        item.latest_note,
    )


def test_views_use_the_injected_calendar_and_estimates() -> None:
    """The service's calendar and estimate table shape the delivery window."""
    estimates = DeliveryEstimates({(OrderKind.NEW_NUMBER, ItemStatus.ORDER_SUBMITTED): (1, 1)})
    calendar = BusinessCalendar(holidays={date(2025, 3, 4)})
    service, _ = make_service(calendar=calendar, delivery_estimates=estimates)
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    (item,) = service.orders_tab("acct-1")[0].items
    assert ("1 business day", DeliveryWindow(date(2025, 3, 5), date(2025, 3, 5))) == (
        item.delivery.text,
        item.delivery_window,
    )


def test_an_injected_policy_sends_cancellations_to_history_at_once() -> None:
    """``view_policy`` replaces the defaults."""
    policy = VisibilityPolicy(cancelled_leaves_immediately=True)
    service, _ = make_service(view_policy=policy)
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    service.cancel_order("O-1", actor=MANAGER)
    assert [] == service.orders_tab("acct-1")
    assert ["O-1"] == [s.order_id for s in service.order_history("acct-1")]


def test_other_accounts_orders_are_not_shown() -> None:
    """Each account sees only its own orders and numbers."""
    service, _ = make_service()
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="A")
    service.place_order(
        "acct-2", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="B"
    )
    assert ["A"] == [s.order_id for s in service.orders_tab("acct-1")]
    assert [] == service.active_numbers("acct-1")
    assert [NUMBER] == [n.number for n in service.active_numbers("acct-2")]


def _add_inventory(service: OrderService, record: InventoryNumber) -> None:
    with service.storage.unit_of_work() as uow:
        uow.inventory.add(record)
        uow.commit()


def test_active_numbers_combine_orders_and_assigned_inventory() -> None:
    """Port-ins in progress and numbers assigned in inventory both show, sorted."""
    service, _ = make_service()
    _add_inventory(
        service,
        InventoryNumber(
            "+14045550199", "bandwidth", "bw", InventoryStatus.ASSIGNED, T0, account_id="acct-1"
        ),
    )
    _add_inventory(
        service,
        InventoryNumber("+14045550198", "bandwidth", "bw", InventoryStatus.AVAILABLE, T0),
    )
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="P-1"
    )
    shown = service.active_numbers("acct-1")
    assert [
        (NUMBER, ActivationStage.PRE_ACTIVATION, ActivationTag.NOT_ACTIVE),
        ("+14045550199", ActivationStage.POST_ACTIVATION, ActivationTag.FULLY_ACTIVE),
    ] == [(n.number, n.stage, n.tag) for n in shown]


def test_a_number_completed_long_ago_is_still_active() -> None:
    """Active Numbers read finalized orders too, however old."""
    service, clock = make_service()
    service.place_order(
        "acct-1", [NewItem(OrderKind.NEW_NUMBER, number=NUMBER)], actor=CUSTOMER, order_id="O-1"
    )
    complete(service, "O-1", "O-1-1")
    clock.advance(days=800)
    (shown,) = service.active_numbers("acct-1")
    assert (NUMBER, ActivationTag.FULLY_ACTIVE) == (shown.number, shown.tag)


def test_check_number_action_refuses_testing_a_locked_truelocal_number() -> None:
    """A TrueLocal number awaiting approval refuses testing, allows forwarding rules."""
    service, _ = make_service(requirements_policy=LockTrueLocal())
    item = NewItem(OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL)
    service.place_order("acct-1", [item], actor=CUSTOMER, order_id="O-1")
    complete(service, "O-1", "O-1-1")
    entry = service.check_number_action("acct-1", NUMBER, NumberAction.EDIT_FORWARDING_RULES)
    assert ActivationStage.PRE_ACTIVATION == entry.stage
    with pytest.raises(ActionRestricted, match="regulatory approval"):
        service.check_number_action("acct-1", NUMBER, "test_number")


def test_check_number_action_for_an_unknown_number() -> None:
    """A number not on the account's dashboard raises NumberNotFound."""
    service, _ = make_service()
    with pytest.raises(NumberNotFound) as caught:
        service.check_number_action("acct-1", NUMBER, NumberAction.TEST_NUMBER)
    assert NUMBER == caught.value.key


def test_check_number_action_validates_the_action_first() -> None:
    """An unknown action is a ValidationError even for an unknown number."""
    service, _ = make_service()
    with pytest.raises(
        ValidationError, match=r"unknown number action 'reboot'; known: edit_forwarding_rules"
    ):
        service.check_number_action("acct-1", NUMBER, "reboot")


@pytest.mark.parametrize("account_id", ["", None])
def test_views_need_an_account_id(account_id: object) -> None:
    """An empty or missing account id is a ValidationError naming it."""
    service, _ = make_service()
    for view in (service.orders_tab, service.order_history, service.active_numbers):
        with pytest.raises(ValidationError) as caught:
            view(account_id)  # type: ignore[arg-type]
        assert "account_id" == caught.value.field


def test_views_change_nothing_in_storage() -> None:
    """Reading the views writes no events and changes no order."""
    service, _ = make_service()
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    before = service.get_order("O-1")
    pending = service.storage.pending_event_count()  # type: ignore[attr-defined]
    service.orders_tab("acct-1")
    service.order_history("acct-1")
    service.active_numbers("acct-1")
    assert before == service.get_order("O-1")
    assert pending == service.storage.pending_event_count()  # type: ignore[attr-defined]


def test_the_service_defaults() -> None:
    """Without arguments the service uses the documented defaults."""
    service, _ = make_service()
    assert VisibilityPolicy() == service.view_policy
    assert BusinessCalendar() == service.calendar
    assert timedelta(days=7) == service.view_policy.single_item_grace
