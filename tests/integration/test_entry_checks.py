"""Issue 15, points 1, 2 and 7: every value is checked where it enters, before anything is written.

Each case here once wrote an order that could not be read back (or crashed a
storage adapter with a raw ``UnicodeEncodeError``).  Now the constructor or
the use case refuses it with ``ValidationError`` and storage is unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.actors import CUSTOMER, MANAGER
from tests.support.clock import T0
from tests.support.storage import AnyStorage
from tnorder import (
    DEFAULT_REQUIREMENTS_POLICY,
    Actor,
    InputLimits,
    ItemStatus,
    NewItem,
    NumberType,
    OrderKind,
    OrderService,
    PortDetails,
    Role,
    ValidationError,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.notifiers import RecordingNotifier
from tnorder.world import build_service


def service(storage: AnyStorage, **kwargs: Any) -> OrderService:
    return build_service(storage, clock=FixedClock(T0), notifier=RecordingNotifier(), **kwargs)


def snapshot(svc: OrderService, account_id: str = "acct-1") -> tuple[Any, ...]:
    """What a host can see of the account and the outbox."""
    tab = [(o.order_id, o.status) for o in svc.orders_tab(account_id)]
    return tab, svc.storage.pending_event_count()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Actor(Role.CUSTOMER, 42),  # type: ignore[arg-type]
        lambda: Actor("nobody", "x"),  # type: ignore[arg-type]
        lambda: Actor(Role.CUSTOMER, ""),
        lambda: Actor(Role.CUSTOMER, "\ud800"),
        lambda: NewItem("bogus"),  # type: ignore[arg-type]
        lambda: NewItem(OrderKind.NEW_NUMBER, number_type="fancy"),  # type: ignore[arg-type]
        lambda: NewItem(OrderKind.NEW_NUMBER, item_id=7),  # type: ignore[arg-type]
        lambda: NewItem(OrderKind.NEW_NUMBER, region=1.5),  # type: ignore[arg-type]
        lambda: NewItem(OrderKind.NEW_NUMBER, item_id="a\ud800"),
        lambda: NewItem(OrderKind.NEW_NUMBER, number=b"+14045550100"),  # type: ignore[arg-type]
    ],
)
def test_value_constructors_refuse_what_cannot_be_stored(build: Any) -> None:
    """Actor and NewItem refuse wrong types, unknown enum strings, empty ids and lone
    surrogates with ValidationError (no object that cannot be read back exists)."""
    with pytest.raises(ValidationError):
        build()


def test_enum_values_given_as_strings_become_exactly_the_members() -> None:
    """A string equal to an enum value is that member, so identity checks hold."""
    item = NewItem("port_in", number_type="truelocal")  # type: ignore[arg-type]
    assert OrderKind.PORT_IN is item.kind
    assert NumberType.TRUELOCAL is item.number_type
    assert Role.STAFF is Actor("staff", "s-1").role  # type: ignore[arg-type]


def test_string_enums_get_the_same_document_requirements_as_members(
    storage: AnyStorage,
) -> None:
    """A port-in TrueLocal item placed with plain strings needs exactly the documents
    the policy asks of the members (it no longer skips compliance)."""
    svc = service(storage, requirements_policy=DEFAULT_REQUIREMENTS_POLICY)
    by_member = svc.place_order(
        "acct-1",
        [NewItem(OrderKind.PORT_IN, "+14045550100", NumberType.TRUELOCAL, region="US-GA")],
        actor=CUSTOMER,
    )
    by_string = svc.place_order(
        "acct-1",
        [NewItem("port_in", "+14045550101", "truelocal", region="US-GA")],  # type: ignore[arg-type]
        actor=CUSTOMER,
    )
    expected = [r.kind for r in by_member.items[0].requirements]
    assert expected  # the policy asks for documents here
    assert expected == [r.kind for r in svc.get_order(by_string.order_id).items[0].requirements]
    assert ItemStatus.INFORMATION_REQUIRED is svc.get_order(by_string.order_id).items[0].status


@pytest.mark.parametrize(
    "call",
    [
        lambda s, o: s.place_order(42, [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER),
        lambda s, o: s.place_order("\ud800", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER),
        lambda s, o: s.place_order(
            "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="O-\udfff"
        ),
        lambda s, o: s.place_order(
            "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id=7
        ),
        lambda s, o: s.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor="cust"),
        lambda s, o: s.fire(o, f"{o}-1", "submit_to_carrier", actor=MANAGER, note=42),
        lambda s, o: s.fire(o, f"{o}-1", "submit_to_carrier", actor=MANAGER, note=1.5),
        lambda s, o: s.fire(o, f"{o}-1", "submit_to_carrier", actor=MANAGER, note="\ud800"),
        lambda s, o: s.fire("\ud800", "x", "submit_to_carrier", actor=MANAGER),
        lambda s, o: s.fire(o, "\ud800", "submit_to_carrier", actor=MANAGER),
        lambda s, o: s.cancel_order(o, actor=MANAGER, note=42),
        lambda s, o: s.cancel_order(o, actor=MANAGER, note="x" * 1_000_000),
        lambda s, o: s.get_order("\ud800"),
        lambda s, o: s.orders_tab("\ud800"),
        lambda s, o: s.orders_tab(42),
        lambda s, o: s.list_documents("\ud800"),
        lambda s, o: s.get_document("\ud800", account_id="acct-1"),
        # Use cases added after the first audit: notes and actor ids bounded.
        lambda s, o: s.record_regulatory_approval(o, f"{o}-1", actor=MANAGER, note="x" * 5000),
        lambda s, o: s.record_regulatory_approval(o, f"{o}-1", actor=MANAGER, note="\ud800"),
        lambda s, o: s.return_to_inventory("+14045550100", actor=MANAGER, note="x" * 5000),
        lambda s, o: s.return_to_inventory(
            "+14045550100", actor=Actor(Role.STAFF, "s" * 5000), note=None
        ),
    ],
)
def test_use_cases_refuse_poison_values_and_write_nothing(storage: AnyStorage, call: Any) -> None:
    """Wrong types, lone surrogates and oversized notes are refused with ValidationError
    by the use case; the account's orders and the outbox are unchanged, and the
    account's orders still read."""
    svc = service(storage)
    order_id = svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER).order_id
    before = snapshot(svc)
    with pytest.raises(ValidationError):
        call(svc, order_id)
    assert before == snapshot(svc)


@pytest.mark.parametrize(
    ("details", "note"),
    [
        (PortDetails("Pat Doe"), "x" * 1_000_000),
        (PortDetails("P" * 5000), None),
        (PortDetails("Pat Doe", subscriber_name="S" * 5000), None),
        (PortDetails("Pat Doe", extra={"lsr": "x" * 5000}), None),
        (PortDetails("Pat Doe"), "\ud800"),
    ],
)
def test_port_corrections_are_bounded_like_notes(
    storage: AnyStorage, details: PortDetails, note: str | None
) -> None:
    """A port-in waiting on the customer takes corrected details, but not a 1 MB note
    or port details longer than the note limit: ValidationError, nothing written."""
    svc = service(storage, requirements_policy=DEFAULT_REQUIREMENTS_POLICY)
    order = svc.place_order(
        "acct-1", [NewItem(OrderKind.PORT_IN, "+14045550100", region="US-GA")], actor=CUSTOMER
    )
    assert ItemStatus.INFORMATION_REQUIRED is order.items[0].status
    before = snapshot(svc)
    with pytest.raises(ValidationError):
        svc.correct_port_details(
            order.order_id, order.items[0].item_id, details, actor=CUSTOMER, note=note
        )
    assert before == snapshot(svc)
    # The same call within the limits goes through (the check, not the state, refused).
    svc.correct_port_details(
        order.order_id, order.items[0].item_id, PortDetails("Pat Doe"), actor=CUSTOMER, note="ok"
    )


def test_order_ids_cannot_reach_other_stream_namespaces(storage: AnyStorage) -> None:
    """An order id with ':' (the stream namespace separator) is refused."""
    svc = service(storage)
    with pytest.raises(ValidationError, match="':'"):
        svc.place_order(
            "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER, order_id="inventory:+1"
        )
    assert 0 == svc.storage.pending_event_count()  # type: ignore[attr-defined]


def test_size_limits_are_configurable_and_checked_before_writing(storage: AnyStorage) -> None:
    """Notes, ids and items per order beyond the configured limits are refused; the
    default limits allow a 10,000-number bulk order."""
    limits = InputLimits(max_id_length=16, max_note_length=20, max_items_per_order=3)
    svc = service(storage, limits=limits)
    with pytest.raises(ValidationError, match="at most 3"):
        svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)] * 4, actor=CUSTOMER)
    with pytest.raises(ValidationError, match="limit is 16"):
        svc.place_order("a" * 17, [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    long_actor = Actor(Role.CUSTOMER, "c" * 17)
    with pytest.raises(ValidationError, match="limit is 16"):
        svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=long_actor)
    items = [NewItem(OrderKind.NEW_NUMBER)] * 3
    order = svc.place_order("acct-1", items, actor=CUSTOMER, order_id="O-1")
    before = snapshot(svc)
    with pytest.raises(ValidationError, match="limit is 20"):
        svc.cancel_order(order.order_id, actor=MANAGER, note="n" * 21)
    assert before == snapshot(svc)
    assert 10_000 <= InputLimits().max_items_per_order


def test_limits_must_be_positive_integers() -> None:
    """A limit that is not a positive integer is refused when the limits are built."""
    with pytest.raises(ValidationError):
        InputLimits(max_note_length=0)
    with pytest.raises(ValidationError):
        InputLimits(max_id_length="10")  # type: ignore[arg-type]


def test_default_limits_take_a_bulk_order_of_ten_thousand_numbers() -> None:
    """A 10,000-number bulk order is accepted with the default limits and reads back."""
    from tnorder.adapters.memory import MemoryStorage

    svc = service(MemoryStorage())
    order = svc.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)] * 10_000, actor=CUSTOMER)
    assert 10_000 == len(svc.get_order(order.order_id).items)


def test_storage_adapters_refuse_lone_surrogates_with_validation_errors(
    storage: AnyStorage,
) -> None:
    """Every repository method given a lone surrogate raises ValidationError or finds
    nothing; none raises a raw UnicodeEncodeError (they did on SQLite and PostgreSQL)."""
    bad = "x\ud800"
    calls = [
        lambda uow: uow.orders.get(bad),
        lambda uow: uow.orders.for_account(bad),
        lambda uow: uow.documents.get(bad),
        lambda uow: uow.documents.find(account_id=bad),
        lambda uow: uow.inventory.get(bad),
        lambda uow: uow.inventory.find(account_id=bad, status="assigned"),
        lambda uow: uow.carrier_requests.get(bad),
        lambda uow: uow.carrier_requests.find(carrier_id=bad),
    ]
    for call in calls:
        with storage.unit_of_work() as uow:
            try:
                found = call(uow)
            except ValidationError:
                continue
            assert [] == found


def test_file_names_beyond_the_configured_limit_are_refused_before_storing() -> None:
    """An upload whose file name is longer than limits.max_file_name_length is refused
    with InvalidDocument (reason "file_name"); no bytes are stored, no document exists."""
    from tnorder import DEFAULT_REQUIREMENTS_POLICY, InvalidDocument
    from tnorder.adapters.document_storage import MemoryDocumentStorage
    from tnorder.adapters.memory import MemoryStorage

    files = MemoryDocumentStorage()
    svc = service(
        MemoryStorage(),
        limits=InputLimits(max_file_name_length=12),
        requirements_policy=DEFAULT_REQUIREMENTS_POLICY,
        document_storage=files,
    )
    order = svc.place_order(
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number_type=NumberType.TRUELOCAL, region="US-GA")],
        actor=CUSTOMER,
    )
    with pytest.raises(InvalidDocument) as caught:
        svc.upload_document(
            order.order_id,
            order.items[0].item_id,
            "proof_of_local_address",
            b"%PDF-1.7\nx\n%%EOF\n",
            file_name="C:\\fakepath\\a-long-bill.pdf",
            actor=CUSTOMER,
        )
    assert "file_name" == caught.value.reason
    assert [] == files.keys()
    assert [] == svc.list_documents("acct-1")
    with pytest.raises(ValidationError):
        InputLimits(max_file_name_length=256)
