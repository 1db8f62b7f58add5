"""OrderService driving TelnyxCarrier over HTTP (SQLite file, FakeTelnyx on loopback): a port-in
from submission to the committed date and completion, and a port the losing carrier rejects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.support.actors import STAFF
from tests.support.clock import T0
from tests.support.telnyx import make_config
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.adapters.telnyx import TelnyxCarrier
from tnorder.adapters.telnyx.fake import FakeTelnyx
from tnorder.domain.carrier import CarrierConfig, InventoryType, PortDetails, ProvisioningConfig
from tnorder.domain.carrier_request import Destination
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import ItemStatus, OrderKind
from tnorder.service import OrderService
from tnorder.world import build_service

NUMBER = "+19192281234"


@pytest.fixture
def wired(
    tmp_path: Path, fake_telnyx: FakeTelnyx
) -> Iterator[tuple[OrderService, MemoryDocumentStorage, FakeTelnyx]]:
    documents = MemoryDocumentStorage()
    carrier = TelnyxCarrier(make_config(fake_telnyx), documents=documents, sleep=lambda _: None)
    storage = SqliteStorage(tmp_path / "tnorder.db")
    service = build_service(
        storage,
        clock=FixedClock(T0),
        carriers={"telnyx": carrier},
        provisioning=ProvisioningConfig(
            True,
            [
                CarrierConfig(
                    "telnyx",
                    "Telnyx",
                    [carrier.account("main")],
                    [InventoryType("tx-stock", "telnyx", "Telnyx numbers")],
                )
            ],
        ),
        document_storage=documents,
    )
    yield service, documents, fake_telnyx
    storage.close()
    carrier.close()


def _port(documents: MemoryDocumentStorage) -> PortDetails:
    return PortDetails(
        "Jane Doe",
        subscriber_name="Acme Corporation",
        losing_account_number="ACC-0001",
        requested_date=date(2026, 5, 20),
        extra={
            "loa_document": documents.put(b"%PDF-1.4 loa"),
            "invoice_document": documents.put(b"%PDF-1.4 invoice"),
        },
    )


def test_a_port_in_reaches_its_committed_date_and_completes(
    wired: tuple[OrderService, MemoryDocumentStorage, FakeTelnyx],
) -> None:
    """Submitted to Carrier, then Port Date Received with Telnyx's FOC date as the
    committed date, then In Progress once Telnyx reports the port done."""
    service, documents, _ = wired
    order = service.place_order("acme", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=STAFF)
    request = service.submit_port_in(
        order.order_id, carrier_id="telnyx", port=_port(documents), actor=STAFF
    )
    item = service.get_order(order.order_id).items[0]
    assert ItemStatus.SUBMITTED_TO_CARRIER is item.status
    seen = []
    for _ in range(3):
        service.poll_carrier_request(request.request_id)
        item = service.get_order(order.order_id).items[0]
        seen.append(item.status)
    assert [
        ItemStatus.SUBMITTED_TO_CARRIER,
        ItemStatus.PORT_DATE_RECEIVED,
        ItemStatus.IN_PROGRESS,
    ] == seen
    assert date(2026, 5, 20) == item.committed_date


def test_a_rejected_port_shows_telnyx_reason_to_the_customer(
    wired: tuple[OrderService, MemoryDocumentStorage, FakeTelnyx],
) -> None:
    """Telnyx's exception detail becomes the Port Rejected note the customer reads."""
    service, documents, fake = wired
    fake.reject_ports(("ACCOUNT_NUMBER_MISMATCH", "The account number does not match."))
    order = service.place_order("acme", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=STAFF)
    request = service.submit_port_in(
        order.order_id, carrier_id="telnyx", port=_port(documents), actor=STAFF
    )
    service.poll_carrier_request(request.request_id)
    service.poll_carrier_request(request.request_id)
    item = service.get_order(order.order_id).items[0]
    assert ItemStatus.PORT_REJECTED is item.status
    assert "The account number does not match." == item.history[-1].note


def test_numbers_not_selected_go_back_and_are_offered_again(
    wired: tuple[OrderService, MemoryDocumentStorage, FakeTelnyx],
) -> None:
    """Lookup and Select through the service: the numbers not selected are released
    (Telnyx keeps the hold, the adapter's book marks it), the next lookup offers them
    again, and holding them takes the same Telnyx holds back, as with Bandwidth."""
    service, _, fake = wired
    criteria = LookupCriteria(quantity=3, city="Raleigh", state="NC")
    first = service.lookup_numbers(
        "telnyx", criteria, destination=Destination.to_inventory(), actor=STAFF
    )
    assert ["+19195550101", "+19195550102", "+19195550103"] == [n.number for n in first.numbers]
    service.select_numbers(first.request_id, ["+19195550101"], actor=STAFF)
    second = service.lookup_numbers(
        "telnyx", criteria, destination=Destination.to_inventory(), actor=STAFF
    )
    # Raleigh's fourth number is new; the two given back are offered again.
    assert ["+19195550102", "+19195550103", "+19195550104"] == sorted(
        n.number for n in second.numbers
    )
    first_holds = {n.number: n.reservation_id for n in first.numbers}
    for entry in second.numbers:
        if entry.number != "+19195550104":
            assert first_holds[entry.number] == entry.reservation_id
    assert 4 == len(fake.calls("POST", "number_reservations"))
