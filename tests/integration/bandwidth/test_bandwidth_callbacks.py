"""Bandwidth callbacks and the service's update path, over real HTTP on loopback.

Callbacks are verified before they are read; PARTIAL and port-in
notifications are completed by reading the order back; hostile, malformed
and unknown payloads give a typed error and change nothing in tnorder.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.support.actors import STAFF
from tests.support.bandwidth import CALLBACK_CREDENTIALS, port_in
from tests.support.fake_bandwidth import FakeBandwidth
from tests.support.fixtures import BANDWIDTH_FIXTURES as FIXTURES
from tnorder.adapters.bandwidth import (
    BandwidthCarrier,
    BandwidthConfig,
    CallbackCredentials,
    authorization_header,
    callback_update,
)
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.document_storage import MemoryDocumentStorage
from tnorder.adapters.memory import MemoryStorage
from tnorder.domain.carrier import (
    CarrierAccount,
    CarrierConfig,
    CarrierSubmission,
    InventoryType,
    NumberOutcome,
    NumberState,
    ProvisioningConfig,
    RequestStatus,
)
from tnorder.domain.carrier_request import Destination
from tnorder.domain.lookup import LookupCriteria
from tnorder.domain.order import NewItem
from tnorder.domain.statuses import ItemStatus, OrderKind
from tnorder.errors import CallbackNotVerified, CarrierProtocolError, UnknownCarrierStatus
from tnorder.service import OrderService
from tnorder.world import build_service

HEADERS = {"Authorization": authorization_header(CALLBACK_CREDENTIALS)}
GUESSED = {
    "Authorization": authorization_header(CallbackCredentials("bandwidth-callback", "guess-12"))
}
HOSTILE = [
    "hostile_billion_laughs.xml",
    "hostile_external_entity.xml",
    "hostile_doctype_only.xml",
    "truncated_order.xml",
]

# Why each hostile body is refused: the error says which defence fired.
HOSTILE_WHY = {
    "hostile_billion_laughs.xml": "refused XML with a DTD or entities",
    "hostile_external_entity.xml": "refused XML with a DTD or entities",
    "hostile_doctype_only.xml": "refused XML with a DTD or entities",
    "truncated_order.xml": "not well-formed XML",
}


def notification(
    order_type: str, order_id: str, status: str, *numbers: str, modified: str | None = None
) -> bytes:
    listed = "".join(f"<TelephoneNumber>{n}</TelephoneNumber>" for n in numbers)
    stamp = f"<LastModifiedDate>{modified}</LastModifiedDate>" if modified else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Notification>'
        f"<Status>{status}</Status><SubscriptionId>sub-1</SubscriptionId>"
        f"<OrderId>{order_id}</OrderId><OrderType>{order_type}</OrderType>"
        f"<CompletedTelephoneNumbers>{listed}</CompletedTelephoneNumbers>{stamp}</Notification>"
    ).encode()


def test_a_verified_complete_callback_needs_no_request_to_bandwidth(
    carrier: BandwidthCarrier, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """COMPLETE names its numbers: the update is built from the callback alone."""
    body = (FIXTURES / "notification_order_complete.xml").read_bytes()
    update = carrier.callback_update(HEADERS, body, now=now)
    assert update is not None
    assert ("COMPLETE", ["+15402278098"]) == (update.status, [r.number for r in update.numbers])
    assert [] == fake_bandwidth.requests


@pytest.mark.parametrize("body_name", ["notification_order_complete.xml", *HOSTILE])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {
            "Authorization": authorization_header(
                CallbackCredentials("bandwidth-callback", "guess-1234")
            )
        },
    ],
    ids=["none", "wrong"],
)
def test_an_unverified_callback_is_refused_before_its_body_is_read(
    carrier: BandwidthCarrier,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
    headers: dict[str, str],
    body_name: str,
) -> None:
    """Without the configured credentials the answer is CallbackNotVerified, whatever the body."""
    why = "credentials do not match" if headers else "has no Authorization header"
    with pytest.raises(CallbackNotVerified, match=why):
        carrier.callback_update(headers, (FIXTURES / body_name).read_bytes(), now=now)
    assert [] == fake_bandwidth.requests


def test_a_partial_callback_reads_the_order_back_for_per_number_results(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """PARTIAL does not say which numbers failed: GET orders/{id} does."""
    fake_bandwidth.unavailable["9195550102"] = ("5005", "The telephone number is unavailable")
    first = carrier.submit(
        account,
        CarrierSubmission(OrderKind.NEW_NUMBER, "cb-1", ("+19195550101", "+19195550102")),
        now=now,
    )
    body = notification("orders", first.carrier_ref, "PARTIAL", "9195550101")
    update = carrier.callback_update(HEADERS, body, now=now)
    assert update is not None
    assert {"+19195550101": NumberOutcome.COMPLETED, "+19195550102": NumberOutcome.FAILED} == {
        r.number: r.outcome for r in update.numbers
    }
    assert fake_bandwidth.calls("GET", f"^orders/{first.carrier_ref}$")


def test_a_port_in_callback_reads_the_foc_date(
    carrier: BandwidthCarrier,
    account: CarrierAccount,
    fake_bandwidth: FakeBandwidth,
    now: datetime,
) -> None:
    """A FOC notification carries no date: the port-in is read for ActualFocDate."""
    first = carrier.submit(account, port_in("cb-prt"), now=now)
    fake_bandwidth.set_portin(first.carrier_ref, "FOC", actual_foc="2024-05-24")
    update = carrier.callback_update(
        HEADERS, notification("portins", first.carrier_ref, "FOC"), now=now
    )
    assert update is not None
    assert ("FOC", "2024-05-24") == (update.status, str(update.foc_date))


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_verified_callback_is_a_protocol_error(
    carrier: BandwidthCarrier, now: datetime, name: str
) -> None:
    """Even with the right credentials, entity bombs and DTDs are refused unread."""
    with pytest.raises(CarrierProtocolError, match=HOSTILE_WHY[name]) as caught:
        carrier.callback_update(HEADERS, (FIXTURES / name).read_bytes(), now=now)
    assert ("bandwidth", None) == (caught.value.carrier_id, caught.value.code)


def test_an_unknown_callback_status_is_refused(carrier: BandwidthCarrier, now: datetime) -> None:
    """A status the tables do not know is UnknownCarrierStatus, never guessed."""
    body = (FIXTURES / "notification_unknown_status.xml").read_bytes()
    with pytest.raises(UnknownCarrierStatus) as caught:
        carrier.callback_update(HEADERS, body, now=now)
    assert ("TELEPORTED", "bandwidth/new_number", "bandwidth") == (
        caught.value.status,
        caught.value.vocabulary,
        caught.value.carrier_id,
    )


# -- through the service ---------------------------------------------------------------


def apply_callback(
    service: OrderService, carrier: BandwidthCarrier, body: bytes, now: datetime
) -> None:
    """What a host's callback endpoint does: verify and read, then apply."""
    update = carrier.callback_update(HEADERS, body, now=now)
    if update is not None:
        service.apply_carrier_update(update)


def _provisioning(carrier: BandwidthCarrier) -> ProvisioningConfig:
    """The carrier's ``main`` account, stocking the ``bw-stock`` inventory type."""
    return ProvisioningConfig(
        True,
        [
            CarrierConfig(
                "bandwidth",
                "Bandwidth",
                [carrier.account("main")],
                [InventoryType("bw-stock", "bandwidth", "Bandwidth numbers")],
            )
        ],
    )


@pytest.fixture
def service(carrier: BandwidthCarrier, now: datetime) -> OrderService:
    return build_service(
        MemoryStorage(),
        clock=FixedClock(now),
        carriers={"bandwidth": carrier},
        provisioning=_provisioning(carrier),
    )


def test_lookup_and_select_through_the_service_leaves_no_hold_behind(
    service: OrderService, carrier: BandwidthCarrier, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Search and hold at Bandwidth, order one, release the rest, complete by callback."""
    lookup = service.lookup_numbers(
        "bandwidth",
        LookupCriteria(quantity=3, area_code="919"),
        destination=Destination.to_inventory(),
        actor=STAFF,
    )
    offered = [n.number for n in lookup.numbers]
    assert 3 == len(fake_bandwidth.reservations)
    ordered = service.select_numbers(lookup.request_id, offered[:1], actor=STAFF)
    assert {} == fake_bandwidth.reservations  # the order consumed one hold, two were released
    assert ordered.carrier_ref is not None
    # Bandwidth stamps the notification with its own clock (LastModifiedDate),
    # the clock its answers to the order's creation were stamped with.
    body = notification(
        "orders", ordered.carrier_ref, "COMPLETE", offered[0][2:], modified=fake_bandwidth.stamp()
    )
    update = carrier.callback_update(HEADERS, body, now=now)
    assert update is not None
    done = service.apply_carrier_update(update).request
    assert RequestStatus.COMPLETED == done.status
    assert NumberState.COMPLETED == done.number(offered[0]).state


@pytest.mark.parametrize("name", [*HOSTILE, "notification_unknown_status.xml"])
def test_a_bad_callback_changes_nothing_in_tnorder(
    service: OrderService, carrier: BandwidthCarrier, now: datetime, name: str
) -> None:
    """Hostile, truncated or unknown-status callbacks raise before the service is touched."""
    lookup = service.lookup_numbers(
        "bandwidth",
        LookupCriteria(quantity=1, area_code="404"),
        destination=Destination.to_inventory(),
        actor=STAFF,
    )
    ordered = service.select_numbers(lookup.request_id, [lookup.numbers[0].number], actor=STAFF)
    before = service.get_carrier_request(ordered.request_id)
    body = (
        (FIXTURES / name)
        .read_bytes()
        .replace(b"a8ef295b-fcf4-44a7-945c-0520c8f49123", (ordered.carrier_ref or "").encode())
    )
    expected: tuple[type[CarrierProtocolError | UnknownCarrierStatus], str] = (
        (UnknownCarrierStatus, "TELEPORTED")
        if name == "notification_unknown_status.xml"
        else (CarrierProtocolError, HOSTILE_WHY[name])
    )
    with pytest.raises(expected[0], match=expected[1]) as caught:
        apply_callback(service, carrier, body, now)
    assert "bandwidth" == caught.value.carrier_id
    assert before == service.get_carrier_request(ordered.request_id)


def test_a_foc_callback_read_without_a_read_back_gives_the_item_its_committed_date(
    config: BandwidthConfig, fake_bandwidth: FakeBandwidth, now: datetime
) -> None:
    """Bandwidth's documented FOC notification, read by the standalone callback_update
    (no read-back), moves the port-in item to Port Date Received with ActualFocDate as
    its committed date: the service no longer refuses it as "carries no FOC date"."""
    documents = MemoryDocumentStorage()
    with BandwidthCarrier(config, documents=documents, sleep=lambda _: None) as carrier:
        service = build_service(
            MemoryStorage(),
            clock=FixedClock(now),
            carriers={"bandwidth": carrier},
            provisioning=_provisioning(carrier),
            document_storage=documents,
        )
        order = service.place_order(
            "acme", [NewItem(OrderKind.PORT_IN, number="+19192281234")], actor=STAFF
        )
        # With its LOA uploaded, the port-in goes straight to the losing carrier.
        port = port_in("svc-foc", loa_document=documents.put(b"%PDF-1.4 loa")).port
        request = service.submit_port_in(
            order.order_id, carrier_id="bandwidth", port=port, actor=STAFF
        )
        body = (
            (FIXTURES / "documented_notification_portin_foc.xml")
            .read_bytes()
            .replace(b"ORDER_ID", (request.carrier_ref or "").encode())
            # On Bandwidth's clock, as the port-in's earlier answers were.
            .replace(b"2023-09-12T15:11:31.705Z", fake_bandwidth.stamp().encode())
        )
        sent = len(fake_bandwidth.requests)
        update = callback_update(body, carrier_id="bandwidth", now=now)
        assert update is not None
        service.apply_carrier_update(update)
        item = service.get_order(order.order_id).items[0]
    assert (ItemStatus.PORT_DATE_RECEIVED, date(2023, 9, 19), sent) == (
        item.status,
        item.committed_date,
        len(fake_bandwidth.requests),
    )
