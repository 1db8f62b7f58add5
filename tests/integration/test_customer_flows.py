"""Customer flows of the portal and carrier guides, through ``OrderService`` on every storage.

Each test runs on memory, a real SQLite file and a real PostgreSQL database
(the ``storage`` fixture), because the rules here (one open order per number,
the storage-assigned tie-break, the regulatory lock) live partly in storage.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any

import pytest

from tests.support.actors import CUSTOMER, MANAGER, STAFF, SYSTEM
from tests.support.clock import T0
from tests.support.storage import AnyStorage, raw_execute
from tnorder import (
    DEFAULT_REQUIREMENTS_POLICY,
    ActivationStage,
    CarrierAccount,
    CarrierConfig,
    CarrierSubmission,
    CarrierUpdate,
    Destination,
    DuplicateNumber,
    Fulfilment,
    Intent,
    InvalidTransition,
    InventoryStatus,
    InventoryType,
    ItemStatus,
    LookupCriteria,
    NewItem,
    NumberAssigned,
    NumberNotFound,
    NumberReturnedToInventory,
    NumberType,
    OrderKind,
    OrderNotFound,
    OrderService,
    OrderStatus,
    PermissionDenied,
    PortDetails,
    PortDetailsCorrected,
    ProvisioningConfig,
    RegulatoryApprovalRecorded,
    Role,
    SerializationError,
    Trigger,
    ValidationError,
)
from tnorder.adapters._sql import record_table
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.adapters.simulated_carrier import SimulatedCarrier
from tnorder.ports import Outbox, UnitOfWork
from tnorder.records import INVENTORY
from tnorder.serialization import dumps
from tnorder.world import build_service

NUMBER = "+14045550101"
OTHER = "+14045550102"


def _service(storage: AnyStorage, **kwargs: object) -> tuple[OrderService, FixedClock]:
    clock = FixedClock(T0)
    service = build_service(
        storage,
        clock=clock,
        notifier=RecordingNotifier(),
        **kwargs,  # type: ignore[arg-type]
    )
    return service, clock


def _complete_new_number(service: OrderService, order_id: str, item_id: str) -> None:
    for trigger in (
        "submit_to_carrier",
        "start_configuration",
        "validate_installation",
        "complete",
    ):
        service.fire(order_id, item_id, trigger, actor=SYSTEM)


def _published(service: OrderService) -> list[object]:
    service.relay_events()
    notifier = service.notifier
    assert isinstance(notifier, RecordingNotifier)
    return list(notifier.events)


class RecordingCarrier(SimulatedCarrier):
    """The simulated carrier, keeping every submission it received (what went on the wire)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submissions: list[CarrierSubmission] = []

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        self.submissions.append(submission)
        return super().submit(account, submission, now=now)


def _carrier_service(
    storage: AnyStorage, fulfilment: Fulfilment = Fulfilment.REALTIME, **kwargs: object
) -> tuple[OrderService, RecordingCarrier, FixedClock]:
    clock = FixedClock(T0)
    sim = RecordingCarrier("sim", fulfilment=fulfilment)
    provisioning = ProvisioningConfig(
        True,
        [
            CarrierConfig(
                "sim",
                "Simulated",
                [CarrierAccount("A-1", "sim")],
                [InventoryType("sim-stock", "sim", "Simulated stock")],
            )
        ],
    )
    service = build_service(
        storage,
        clock=clock,
        notifier=RecordingNotifier(),
        carriers={"sim": sim},
        provisioning=provisioning,
        **kwargs,  # type: ignore[arg-type]
    )
    return service, sim, clock


# -- 1. a number the carrier could not provide ---------------------------------------------


@pytest.mark.parametrize("fulfilment", list(Fulfilment), ids=lambda f: f.value)
def test_a_refused_new_number_ends_with_the_carriers_reason_and_never_shows(
    storage: AnyStorage, fulfilment: Fulfilment
) -> None:
    """Under partial fulfilment the refused number's item ends Cancelled with the
    carrier's reason, is not on Active Numbers, and the order asks nothing of the
    customer (In Progress, not Action Required)."""
    service, sim, clock = _carrier_service(storage, fulfilment)
    held = service.lookup_numbers(
        "sim",
        LookupCriteria(quantity=3, area_code="404"),
        destination=Destination.to_account("acct-1", "line-1"),
        actor=STAFF,
    )
    picks = [n.number for n in held.numbers[:2]]
    sim.fail_numbers({picks[1]: "number no longer available"})
    request = service.select_numbers(held.request_id, picks, actor=STAFF)
    if fulfilment is Fulfilment.REQUEST_AND_WAIT:
        clock.advance(sim.processing_time)
        request = service.poll_carrier_request(request.request_id).request
    order = service.get_order(request.order_id or "")
    refused = next(i for i in order.items if i.number == picks[1])
    assert (ItemStatus.CANCELLED, Trigger.WITHDRAW, "number no longer available") == (
        refused.status,
        refused.history[-1].trigger,
        refused.latest_note,
    )
    assert OrderStatus.IN_PROGRESS == order.status
    assert [picks[0]] == [n.number for n in service.active_numbers("acct-1")]
    assert all(i.status.intent is not Intent.ACTION_REQUIRED for i in order.items)


def test_a_wholly_refused_carrier_order_is_cancelled_not_action_required(
    storage: AnyStorage,
) -> None:
    """When the carrier provides none of the numbers the order ends Cancelled with the
    reason on every item, and Active Numbers stays empty."""
    service, sim, _ = _carrier_service(storage)
    held = service.lookup_numbers(
        "sim",
        LookupCriteria(quantity=2, area_code="404"),
        destination=Destination.to_account("acct-1", "line-1"),
        actor=STAFF,
    )
    picks = [n.number for n in held.numbers[:2]]
    sim.fail_numbers({n: "number no longer available" for n in picks})
    request = service.select_numbers(held.request_id, picks, actor=STAFF)
    order = service.get_order(request.order_id or "")
    assert OrderStatus.CANCELLED == order.status
    assert [] == service.active_numbers("acct-1")


# -- 2. TrueLocal numbers: the policy decides, approval is a use case --------------------


class LockTrueLocalInGeorgia:
    """No documents anywhere; TrueLocal numbers in US-GA need regulatory approval."""

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> tuple[str, ...]:
        return ()

    def requires_regulatory_approval(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> bool:
        return number_type is NumberType.TRUELOCAL and region == "US-GA"


def test_a_truelocal_number_without_a_regulatory_requirement_goes_live(
    storage: AnyStorage,
) -> None:
    """Under the default service (no requirements policy) a completed TrueLocal number
    is Post-Activation: nothing locks it."""
    service, _ = _service(storage)
    item = NewItem(OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL)
    service.place_order("acct-1", [item], actor=CUSTOMER, order_id="O-1")
    _complete_new_number(service, "O-1", "O-1-1")
    [entry] = service.active_numbers("acct-1")
    assert ActivationStage.POST_ACTIVATION == entry.stage
    assert None is entry.locked_reason


def test_the_policy_decides_per_region_which_truelocal_numbers_are_locked(
    storage: AnyStorage,
) -> None:
    """A TrueLocal number in a region whose policy asks for approval stays locked after
    completion; one in another region goes live."""
    service, _ = _service(storage, requirements_policy=LockTrueLocalInGeorgia())
    items = [
        NewItem(
            OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA"
        ),
        NewItem(
            OrderKind.NEW_NUMBER, number=OTHER, number_type=NumberType.TRUELOCAL, region="US-NY"
        ),
    ]
    service.place_order("acct-1", items, actor=CUSTOMER, order_id="O-1")
    for item_id in ("O-1-1", "O-1-2"):
        _complete_new_number(service, "O-1", item_id)
    stages = {e.number: (e.stage, e.locked_reason) for e in service.active_numbers("acct-1")}
    assert {
        NUMBER: (ActivationStage.PRE_ACTIVATION, "awaiting local regulatory approval"),
        OTHER: (ActivationStage.POST_ACTIVATION, None),
    } == stages


def test_recording_regulatory_approval_unlocks_the_number_with_history_and_event(
    storage: AnyStorage,
) -> None:
    """record_regulatory_approval keeps who, when and the note on the item, publishes
    RegulatoryApprovalRecorded, and the completed number turns live."""
    service, clock = _service(storage, requirements_policy=LockTrueLocalInGeorgia())
    item = NewItem(
        OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA"
    )
    service.place_order("acct-1", [item], actor=CUSTOMER, order_id="O-1")
    _complete_new_number(service, "O-1", "O-1-1")
    clock.advance(hours=2)
    order = service.record_regulatory_approval(
        "O-1", "O-1-1", actor=STAFF, note="Georgia PSC approved"
    )
    stored = service.get_order("O-1").item("O-1-1")
    assert (clock.now(), STAFF, "Georgia PSC approved") == (
        stored.regulatory_approved_at,
        stored.regulatory_approved_by,
        stored.regulatory_note,
    )
    assert order.item("O-1-1") == stored
    [entry] = service.active_numbers("acct-1")
    assert (ActivationStage.POST_ACTIVATION, clock.now()) == (entry.stage, entry.activated_at)
    approvals = [e for e in _published(service) if isinstance(e, RegulatoryApprovalRecorded)]
    assert [("O-1-1", NUMBER, STAFF, "Georgia PSC approved")] == [
        (e.item_id, e.number, e.actor, e.note) for e in approvals
    ]


def test_regulatory_approval_is_refused_to_customers_and_when_not_needed(
    storage: AnyStorage,
) -> None:
    """Customers cannot approve compliance; an item that needs no approval, or has it,
    is refused with a ValidationError; nothing stored changes."""
    service, _ = _service(storage, requirements_policy=LockTrueLocalInGeorgia())
    items = [
        NewItem(
            OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA"
        ),
        NewItem(OrderKind.NEW_NUMBER, number=OTHER, region="US-GA"),
    ]
    service.place_order("acct-1", items, actor=CUSTOMER, order_id="O-1")
    before = service.get_order("O-1")
    with pytest.raises(PermissionDenied):
        service.record_regulatory_approval("O-1", "O-1-1", actor=CUSTOMER)
    with pytest.raises(ValidationError, match="needs no local regulatory approval"):
        service.record_regulatory_approval("O-1", "O-1-2", actor=STAFF)
    assert before == service.get_order("O-1")
    service.record_regulatory_approval("O-1", "O-1-1", actor=STAFF)
    with pytest.raises(ValidationError, match="already approved"):
        service.record_regulatory_approval("O-1", "O-1-1", actor=STAFF)


def test_approved_documents_still_lift_the_lock_under_the_default_policy(
    storage: AnyStorage,
) -> None:
    """Under DEFAULT_REQUIREMENTS_POLICY a TrueLocal number needs its documents: the
    item is locked (it has requirements) until they are approved."""
    service, _ = _service(storage, requirements_policy=DEFAULT_REQUIREMENTS_POLICY)
    item = NewItem(
        OrderKind.NEW_NUMBER, number=NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA"
    )
    order = service.place_order("acct-1", [item], actor=CUSTOMER, order_id="O-1")
    assert order.item("O-1-1").needs_regulatory_approval
    assert ItemStatus.INFORMATION_REQUIRED is order.item("O-1-1").status


# -- 3. one open order per number ---------------------------------------------------------


def test_the_same_number_twice_in_one_order_is_refused(storage: AnyStorage) -> None:
    """Two items with the same number (in any spelling) raise DuplicateNumber naming it,
    and nothing is stored."""
    service, _ = _service(storage)
    items = [
        NewItem(OrderKind.PORT_IN, number=NUMBER),
        NewItem(OrderKind.PORT_IN, number="(404) 555-0101"),
    ]
    with pytest.raises(DuplicateNumber, match=r"\+14045550101") as info:
        service.place_order("acct-1", items, actor=CUSTOMER, order_id="O-1")
    assert (NUMBER, "O-1") == (info.value.number, info.value.order_id)
    assert [] == service.orders_tab("acct-1")


def test_a_second_open_order_for_a_number_is_refused(storage: AnyStorage) -> None:
    """A port-in or new order for a number that an open order of the same account holds
    is refused with DuplicateNumber naming the number and that order."""
    service, _ = _service(storage)
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-1"
    )
    for kind in (OrderKind.PORT_IN, OrderKind.NEW_NUMBER):
        with pytest.raises(DuplicateNumber) as info:
            service.place_order(
                "acct-1", [NewItem(kind, number=NUMBER)], actor=CUSTOMER, order_id="O-2"
            )
        assert (NUMBER, "O-1") == (info.value.number, info.value.order_id)
        assert "O-1" in str(info.value)
    assert ["O-1"] == [s.order_id for s in service.orders_tab("acct-1")]


def test_another_accounts_open_order_is_refused_without_revealing_it(
    storage: AnyStorage,
) -> None:
    """Across accounts the refusal names the number but neither the other order nor
    its account."""
    service, _ = _service(storage)
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-1"
    )
    with pytest.raises(DuplicateNumber) as info:
        service.place_order(
            "acct-2", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-2"
        )
    assert (NUMBER, None) == (info.value.number, info.value.order_id)
    assert "O-1" not in str(info.value)
    assert "acct-1" not in str(info.value)


def test_a_number_is_free_again_once_its_order_is_final(storage: AnyStorage) -> None:
    """After the holding item is cancelled (or completed) the number can be ordered again."""
    service, _ = _service(storage)
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-1"
    )
    service.cancel_order("O-1", actor=MANAGER)
    order = service.place_order(
        "acct-2", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-2"
    )
    assert NUMBER == order.item("O-2-1").number


class _RivalCommitsFirst:
    """The real storage, except that the first commit through it first runs ``rival``
    (which commits through the storage itself): a race lost in the last instant,
    after the use case read the number's claim and before its own commit."""

    def __init__(self, storage: AnyStorage, rival: Callable[[], object]) -> None:
        self._storage = storage
        self._rival: Callable[[], object] | None = rival

    @contextmanager
    def unit_of_work(self) -> Iterator[UnitOfWork]:
        with self._storage.unit_of_work() as uow:
            yield _CommitHook(uow, self)  # type: ignore[misc]

    def outbox(self) -> AbstractContextManager[Outbox]:
        return self._storage.outbox()

    def close(self) -> None:
        self._storage.close()

    def run_rival(self) -> None:
        rival, self._rival = self._rival, None
        if rival is not None:
            rival()


class _CommitHook:
    def __init__(self, uow: UnitOfWork, owner: _RivalCommitsFirst) -> None:
        self._uow, self._owner = uow, owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def commit(self) -> None:
        self._owner.run_rival()
        self._uow.commit()


@pytest.mark.parametrize(
    ("rival_account", "named"), [("acct-1", "R-1"), ("acct-2", None)], ids=["same", "other"]
)
def test_an_order_that_loses_the_race_for_a_number_gets_duplicate_number(
    storage: AnyStorage, rival_account: str, named: str | None
) -> None:
    """Two orders for one number committed in the same instant: the one committed
    second is refused with DuplicateNumber naming the number (and the other order only
    within the same account), not AlreadyExists, and nothing of it is stored."""
    rival_service, _ = _service(storage)

    def rival() -> None:
        rival_service.place_order(
            rival_account,
            [NewItem(OrderKind.PORT_IN, number=NUMBER)],
            actor=CUSTOMER,
            order_id="R-1",
        )

    racing = _RivalCommitsFirst(storage, rival)
    service, _ = _service(racing)  # type: ignore[arg-type]
    with pytest.raises(DuplicateNumber) as info:
        service.place_order(
            "acct-1", [NewItem(OrderKind.NEW_NUMBER, number=NUMBER)], actor=CUSTOMER, order_id="L-1"
        )
    assert (NUMBER, named) == (info.value.number, info.value.order_id)
    if named is None:
        assert "R-1" not in str(info.value)
        assert "acct-2" not in str(info.value)
    tab = [s.order_id for s in rival_service.orders_tab("acct-1")]
    assert (["R-1"] if named else []) == tab
    with pytest.raises(OrderNotFound):
        rival_service.get_order("L-1")


# -- 4. ties broken by a storage-assigned sequence ------------------------------------


def test_the_newest_order_placed_in_the_same_instant_decides_active_numbers(
    storage: AnyStorage,
) -> None:
    """Two orders for one number placed at the same instant (fixed clock): the one
    committed last decides Active Numbers, whatever their ids, on every adapter."""
    service, _ = _service(storage)
    # "Z-1" sorts after "A-2" by id, but is placed (committed) first.
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="Z-1"
    )
    _complete_port(service, "Z-1", "Z-1-1")
    # The first port finished, so the number may be ported again (say, after a loss).
    service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="A-2"
    )
    assert ["Z-1", "A-2"] == [s.order_id for s in service.orders_tab("acct-1")]
    [entry] = service.active_numbers("acct-1")
    assert ("A-2", ActivationStage.PRE_ACTIVATION) == (entry.order_id, entry.stage)


def _complete_port(service: OrderService, order_id: str, item_id: str) -> None:
    service.fire(order_id, item_id, "submit_to_carrier", actor=SYSTEM)
    service.fire(order_id, item_id, "approve_port", actor=SYSTEM)
    service.fire(order_id, item_id, "receive_port_date", actor=SYSTEM, committed_date=T0.date())
    for trigger in ("start_configuration", "validate_installation", "complete"):
        service.fire(order_id, item_id, trigger, actor=SYSTEM)


def test_orders_of_one_instant_list_in_commit_order(storage: AnyStorage) -> None:
    """The Orders tab lists orders placed in the same instant in the order they were
    placed, not by id."""
    service, _ = _service(storage)
    for order_id in ("O-9", "O-10", "O-1"):
        service.place_order(
            "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id=order_id
        )
    assert ["O-9", "O-10", "O-1"] == [s.order_id for s in service.orders_tab("acct-1")]


# -- 7. who may cancel -------------------------------------------------------------------


def test_only_account_managers_cancel_by_default(storage: AnyStorage) -> None:
    """Staff (support agents) are refused by default with the guide's message."""
    service, _ = _service(storage)
    service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-1")
    with pytest.raises(PermissionDenied, match="account manager"):
        service.cancel_order("O-1", actor=STAFF)
    assert ItemStatus.ORDER_SUBMITTED is service.get_order("O-1").item("O-1-1").status


def test_a_host_can_let_support_agents_cancel(storage: AnyStorage) -> None:
    """With cancel_roles including staff, an agent cancels an order and one item, and the
    history names the agent; customers still cannot."""
    service, _ = _service(storage, cancel_roles={Role.ACCOUNT_MANAGER, Role.STAFF})
    items = [NewItem(OrderKind.NEW_NUMBER), NewItem(OrderKind.NEW_NUMBER)]
    service.place_order("acct-1", items, actor=CUSTOMER, order_id="O-1")
    with pytest.raises(PermissionDenied):
        service.cancel_order("O-1", actor=CUSTOMER)
    service.fire("O-1", "O-1-1", "cancel", actor=STAFF, note="customer called")
    order = service.cancel_order("O-1", actor=STAFF, note="rest too")
    assert [ItemStatus.CANCELLED, ItemStatus.CANCELLED] == [i.status for i in order.items]
    assert (STAFF, "customer called") == (
        order.item("O-1-1").history[-1].actor,
        order.item("O-1-1").history[-1].note,
    )


def test_customers_can_never_be_given_cancellation(storage: AnyStorage) -> None:
    """cancel_roles with the customer role (or no role) is a ValidationError."""
    with pytest.raises(ValidationError, match="customers"):
        _service(storage, cancel_roles={Role.CUSTOMER, Role.ACCOUNT_MANAGER})
    with pytest.raises(ValidationError):
        _service(storage, cancel_roles=())


# -- 5. inventory through the service ------------------------------------------------------


def _stock(service: OrderService, quantity: int) -> list[str]:
    request = service.lookup_and_order(
        "sim",
        LookupCriteria(quantity=quantity, area_code="919"),
        destination=Destination.to_inventory(),
        actor=STAFF,
    )
    return sorted(n.number for n in request.numbers)


def test_an_inventory_type_is_listed_by_state_a_page_at_a_time(storage: AnyStorage) -> None:
    """inventory_numbers pages through an inventory type by number; the cursor of the
    last page is None; a state filter keeps only numbers in that state."""
    service, _, _ = _carrier_service(storage)
    numbers = _stock(service, 5)
    pages: list[list[str]] = []
    cursor = None
    while True:
        page = service.inventory_numbers("sim-stock", limit=2, cursor=cursor)
        pages.append([n.number for n in page.numbers])
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [numbers[0:2], numbers[2:4], numbers[4:]] == pages
    service.assign_inventory_number(numbers[1], "acct-1", "sales", actor=STAFF)
    available = service.inventory_numbers("sim-stock", state=InventoryStatus.AVAILABLE)
    assigned = service.inventory_numbers("sim-stock", state="assigned")
    assert [n for n in numbers if n != numbers[1]] == [r.number for r in available.numbers]
    assert [numbers[1]] == [r.number for r in assigned.numbers]
    with pytest.raises(ValidationError, match="unknown inventory state"):
        service.inventory_numbers("sim-stock", state="lost")
    with pytest.raises(ValidationError):
        service.inventory_numbers("sim-stock", limit=0)


def _corrupt_inventory(storage: AnyStorage, number: str) -> None:
    if isinstance(storage, MemoryStorage):
        storage.corrupt(INVENTORY.name, number, body="[]")
    else:
        raw_execute(
            storage, f"UPDATE {record_table(INVENTORY)} SET body = '[]' WHERE key = ?", [number]
        )


def test_an_inventory_page_is_read_from_storage_not_the_whole_type(storage: AnyStorage) -> None:
    """The storage serves the page (a keyset range): a number that cannot be read,
    outside the page asked for, does not stop the page; the page holding it names it."""
    service, _, _ = _carrier_service(storage)
    numbers = _stock(service, 5)
    _corrupt_inventory(storage, numbers[3])
    first = service.inventory_numbers("sim-stock", limit=2)
    assert (numbers[0:2], numbers[1]) == ([r.number for r in first.numbers], first.next_cursor)
    assert numbers[1:2] == [
        r.number for r in service.inventory_numbers("sim-stock", limit=1, cursor=numbers[0]).numbers
    ]
    after = service.inventory_numbers("sim-stock", state="available", cursor=numbers[3])
    assert (numbers[4:], None) == ([r.number for r in after.numbers], after.next_cursor)
    with pytest.raises(SerializationError, match=re.escape(numbers[3])):
        service.inventory_numbers("sim-stock", limit=2, cursor=numbers[1])


@pytest.mark.parametrize("cursor", [3, b"+1", "+1\x00", "\ud800", "+1" * 200])
def test_a_bad_inventory_cursor_is_refused_naming_it(storage: AnyStorage, cursor: object) -> None:
    """A cursor that no page handed out (not text, NUL, a lone surrogate, too long) is a
    ValidationError naming the cursor on every storage."""
    service, _, _ = _carrier_service(storage)
    _stock(service, 2)
    with pytest.raises(ValidationError) as info:
        service.inventory_numbers("sim-stock", cursor=cursor)  # type: ignore[arg-type]
    assert "cursor" == info.value.field


def test_assigning_and_returning_keep_history_publish_events_and_move_active_numbers(
    storage: AnyStorage,
) -> None:
    """An assigned number shows on the account's Active Numbers; returned, it is Available
    again and gone from them; each step is in the number's history and published."""
    service, _, clock = _carrier_service(storage)
    number = _stock(service, 1)[0]
    service.assign_inventory_number(number, "acct-1", "sales", actor=STAFF, note="new hire")
    assert [number] == [n.number for n in service.active_numbers("acct-1")]
    clock.advance(days=3)
    returned = service.return_to_inventory(number, actor=MANAGER, note="left the company")
    assert (InventoryStatus.AVAILABLE, None) == (returned.status, returned.account_id)
    assert returned == service.get_inventory_number(number)
    assert [
        ("assigned", STAFF, "acct-1", "new hire", T0),
        ("returned", MANAGER, "acct-1", "left the company", clock.now()),
    ] == [(h.action, h.actor, h.account_id, h.note, h.at) for h in returned.history]
    assert [] == service.active_numbers("acct-1")
    kinds = [
        (type(e).__name__, e.account_id)
        for e in _published(service)
        if isinstance(e, (NumberAssigned, NumberReturnedToInventory))
    ]
    assert [("NumberAssigned", "acct-1"), ("NumberReturnedToInventory", "acct-1")] == kinds
    # Available again: another account can have it.
    service.assign_inventory_number(number, "acct-2", "support", actor=STAFF)
    assert [number] == [n.number for n in service.active_numbers("acct-2")]
    assert [] == service.active_numbers("acct-1")


def test_a_number_an_order_delivered_leaves_active_numbers_when_returned(
    storage: AnyStorage,
) -> None:
    """A number a carrier order delivered to the account leaves its Active Numbers
    once returned to inventory, though the order stays Completed in history."""
    service, _, clock = _carrier_service(storage)
    request = service.lookup_and_order(
        "sim",
        LookupCriteria(quantity=1, area_code="404"),
        destination=Destination.to_account("acct-1", "line-1"),
        actor=STAFF,
    )
    order = service.get_order(request.order_id or "")
    for trigger in ("validate_installation", "complete"):
        service.fire(order.order_id, order.items[0].item_id, trigger, actor=SYSTEM)
    number = order.items[0].number
    assert [number] == [n.number for n in service.active_numbers("acct-1")]
    clock.advance(days=1)
    service.return_to_inventory(number or "", actor=STAFF)
    assert [] == service.active_numbers("acct-1")


def test_inventory_refusals_name_the_number_and_change_nothing(storage: AnyStorage) -> None:
    """Returning an Available number, a number not in inventory, or by a customer is
    refused; the stored number is unchanged."""
    service, _, _ = _carrier_service(storage)
    number = _stock(service, 1)[0]
    before = service.get_inventory_number(number)
    with pytest.raises(ValidationError, match="not assigned"):
        service.return_to_inventory(number, actor=STAFF)
    with pytest.raises(PermissionDenied):
        service.return_to_inventory(number, actor=CUSTOMER)
    with pytest.raises(NumberNotFound):
        service.get_inventory_number("+14045550199")
    assert before == service.get_inventory_number(number)


# -- 6. corrected port details ---------------------------------------------------------


def _rejected_port(storage: AnyStorage) -> tuple[OrderService, RecordingCarrier, str]:
    service, sim, _ = _carrier_service(storage)
    order = service.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=CUSTOMER, order_id="O-1"
    )
    sim.reject_ports("incorrect account information")
    port = service.submit_port_in(
        order.order_id,
        carrier_id="sim",
        port=PortDetails("Jane Doe", losing_account_number="111", pin="0000"),
        actor=STAFF,
    )
    for update in sim.timeline(port.carrier_ref or ""):  # the carrier's callbacks
        service.apply_carrier_update(update)
    assert ItemStatus.PORT_REJECTED is service.get_order("O-1").item("O-1-1").status
    sim.reject_ports(None)
    return service, sim, "O-1-1"


def test_corrected_port_details_are_resubmitted_as_a_supplement(storage: AnyStorage) -> None:
    """After Port Rejected, correct_port_details takes structured details; the carrier
    gets them (PIN included) as a supplement to the earlier port request, and the port
    goes on to the carrier's next milestones."""
    service, sim, item_id = _rejected_port(storage)
    first_ref = service.get_order("O-1").item(item_id).carrier_ref
    corrected = PortDetails("Jane Doe", losing_account_number="222-333", pin="4321")
    order = service.correct_port_details("O-1", item_id, corrected, actor=CUSTOMER)
    sent = sim.submissions[-1]
    assert (first_ref, corrected, "4321") == (
        sent.supplements,
        sent.port,
        sent.port.pin if sent.port else None,
    )
    item = order.item(item_id)
    assert [ItemStatus.UNDER_REVIEW, ItemStatus.SUBMITTED_TO_CARRIER] == [
        h.to_status for h in item.history[-2:]
    ]
    assert "Port details corrected: losing account number, pin." == item.history[-2].note
    for update in sim.timeline(first_ref or ""):  # the carrier's callbacks after the SUPP
        service.apply_carrier_update(update)
    item = service.get_order("O-1").item(item_id)
    assert (ItemStatus.IN_PROGRESS, True) == (item.status, item.committed_date is not None)


def test_the_pin_is_never_stored_shown_or_published(
    storage: AnyStorage, caplog: pytest.LogCaptureFixture
) -> None:
    """The PIN reaches the carrier but not the stored order, its repr, history notes,
    tnorder's logs (DEBUG included) or any published event; the other corrected details
    are kept for the next submission."""
    service, sim, item_id = _rejected_port(storage)
    corrected = PortDetails("Jane Doe", losing_account_number="222-333", pin="97531")
    caplog.set_level(logging.DEBUG, logger="tnorder")
    service.correct_port_details("O-1", item_id, corrected, actor=CUSTOMER, note="fixed")
    logged = [r for r in caplog.records if r.name.startswith("tnorder")]
    assert logged, "the correction and resubmission log nothing: the check would be empty"
    assert [] == [r.getMessage() for r in logged if "97531" in r.getMessage()]
    stored = service.get_order("O-1")
    kept = stored.item(item_id).port_details
    assert ("222-333", None) == (
        kept.losing_account_number if kept else None,
        kept.pin if kept else "?",
    )
    assert "97531" not in dumps(stored)
    assert "97531" not in repr(stored)
    assert "97531" not in repr(corrected)
    events = _published(service)
    assert all("97531" not in repr(e) for e in events)
    corrections = [e for e in events if isinstance(e, PortDetailsCorrected)]
    assert [("O-1-1", ("losing_account_number", "pin"), "fixed")] == [
        (e.item_id, e.fields, e.note) for e in corrections
    ]
    assert "97531" == (sim.submissions[-1].port.pin if sim.submissions[-1].port else None)


def test_port_corrections_are_refused_outside_a_rejected_port(storage: AnyStorage) -> None:
    """A correction for a port-in not waiting on the customer, for a new number, or with
    something that is not PortDetails is refused and changes nothing."""
    service, _, _ = _carrier_service(storage)
    service.place_order(
        "acct-1",
        [NewItem(OrderKind.PORT_IN, number=NUMBER), NewItem(OrderKind.NEW_NUMBER)],
        actor=CUSTOMER,
        order_id="O-1",
    )
    before = service.get_order("O-1")
    details = PortDetails("Jane Doe")
    with pytest.raises(InvalidTransition):
        service.correct_port_details("O-1", "O-1-1", details, actor=CUSTOMER)
    with pytest.raises(ValidationError, match="not a port-in"):
        service.correct_port_details("O-1", "O-1-2", details, actor=CUSTOMER)
    with pytest.raises(ValidationError, match="PortDetails"):
        service.correct_port_details("O-1", "O-1-1", {"pin": "1"}, actor=CUSTOMER)  # type: ignore[arg-type]
    assert before == service.get_order("O-1")
