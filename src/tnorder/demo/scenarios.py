"""The six stories of ``tnorder demo``, each told through the public ``OrderService`` API.

Read a scenario top to bottom as a recipe: who does what, what the customer
sees afterwards, and the checks that prove the real state (read back from the
service and the simulated carriers) is what the story says.  Scenarios use
separate customer accounts, so each screen shows one story; they share the
clock, which only moves forward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

import attrs

from ..domain.carrier import NumberState, PortDetails, RequestStatus
from ..domain.carrier_request import CarrierRequest, Destination
from ..domain.delivery import DeliveryKind
from ..domain.documents import DocumentSource, DocumentStatus, RequirementKind
from ..domain.events import Actor
from ..domain.inventory import InventoryStatus
from ..domain.lookup import LookupCriteria
from ..domain.machine import Trigger
from ..domain.order import NewItem, Order
from ..domain.statuses import ItemStatus, NumberType, OrderKind, OrderStatus, Role
from ..domain.visibility import ActivationTag, NumberAction
from ..errors import (
    ActionRestricted,
    CapabilityNotSupported,
    OrderNotFound,
    PermissionDenied,
    TnorderError,
)
from .checks import Checklist
from .render import Screen
from .world import REALTIME, WAITING, WITHOUT_DISCONNECT, World

__all__ = ["SCENARIOS", "Scenario"]

E = TypeVar("E", bound=TnorderError)

# Stand-ins for the files a customer uploads: the signature bytes are what
# tnorder checks, so these pass as a real PDF and PNG would.
PDF = b"%PDF-1.7\n% demo document\n"
PNG = b"\x89PNG\r\n\x1a\n demo image"


@attrs.frozen
class Scenario:
    """One story: a title, its one-line narration, and the code that tells it."""

    title: str
    story: str
    run: Callable[[World, Screen, Checklist], None]


# -- helpers ------------------------------------------------------------------------


def _order_id(request: CarrierRequest) -> str:
    if request.order_id is None:
        raise OrderNotFound(
            request.request_id, f"carrier request {request.request_id!r} made no customer order"
        )
    return request.order_id


def _refused(
    screen: Screen, check: Checklist, what: str, error: type[E], call: Callable[[], object]
) -> E | None:
    """Run ``call``, which must be refused with ``error``; show the refusal as the user sees it."""
    try:
        call()
    except error as exc:
        screen.refusal(exc)
        check.expect_true(what, True)
        return exc
    check.expect_true(what, False, f"no {error.__name__} was raised")
    return None


def _statuses(order: Order) -> list[ItemStatus]:
    return [item.status for item in order.items]


def _on_tab(world: World, account_id: str) -> list[str]:
    return [s.order_id for s in world.service.orders_tab(account_id)]


def _in_history(world: World, account_id: str) -> list[str]:
    return [s.order_id for s in world.service.order_history(account_id)]


def _tags(world: World, account_id: str) -> dict[str, ActivationTag]:
    return {n.number: n.tag for n in world.service.active_numbers(account_id)}


def _install(world: World, order_id: str, item_ids: Sequence[str]) -> Order:
    """Our engineers validate the installation of each item and complete it."""
    order = world.service.get_order(order_id)
    for item_id in item_ids:
        for trigger in (Trigger.VALIDATE_INSTALLATION, Trigger.COMPLETE):
            order = world.service.fire(order_id, item_id, trigger, actor=world.staff)
    return order


# -- 1. Lookup and Select on a realtime carrier, and the multi-item gate ---------------


def lookup_and_select(world: World, screen: Screen, check: Checklist) -> None:
    service, carrier, account = world.service, world.carriers[REALTIME], "acme"

    screen.step(world.now, "Staff look up five 404 numbers for Acme; the carrier holds them.")
    held = service.lookup_numbers(
        REALTIME,
        LookupCriteria(quantity=5, area_code="404"),
        destination=Destination.to_account(account, "main-office"),
        actor=world.staff,
    )
    screen.lookup("Lookup results (Lookup and Select DIDs)", held)
    offered = [n.number for n in held.numbers]
    check.expect("the carrier holds all five numbers", 5, len(carrier.reservations()))

    chosen, unselected = offered[:3], offered[3:]
    # Fault injection: the simulated carrier will fail the third chosen number.
    carrier.fail_numbers({chosen[2]: "The carrier can no longer supply this number."})
    world.wait(timedelta(minutes=5))
    screen.step(world.now, "Staff select three; the carrier fills two and cannot supply the third.")
    request = service.select_numbers(held.request_id, chosen, actor=world.staff)
    screen.lookup("After the selection", request)
    check.expect(
        "the two unselected numbers were returned to the carrier",
        unselected,
        [n.number for n in request.numbers if n.state is NumberState.RELEASED],
    )
    check.expect("no number is left held at the carrier", [], carrier.reservations())
    order_id = _order_id(request)
    first, second, refused = service.get_order(order_id).items
    screen.orders("Orders tab: acme", service.orders_tab(account))
    check.expect(
        "the number the carrier could not supply ends Cancelled with its reason",
        (ItemStatus.CANCELLED, "The carrier can no longer supply this number."),
        (refused.status, refused.latest_note),
    )
    check.expect(
        "nothing is asked of the customer: the order is In Progress",
        OrderStatus.IN_PROGRESS,
        service.get_order(order_id).status,
    )
    check.expect(
        "the multi-item gate keeps the order on the Orders tab", [order_id], _on_tab(world, account)
    )
    check.expect("nothing is in Order History yet", [], _in_history(world, account))

    world.next_business_day()
    screen.step(world.now, "Engineers validate and complete the two delivered numbers.")
    order = _install(world, order_id, [first.item_id, second.item_id])
    screen.orders("Order History: acme", service.order_history(account))
    screen.active_numbers("Active Numbers: acme", service.active_numbers(account))
    check.expect(
        "two items completed, the refused one cancelled",
        [ItemStatus.COMPLETED, ItemStatus.COMPLETED, ItemStatus.CANCELLED],
        _statuses(order),
    )
    check.expect(
        "the order ends Partially Completed", OrderStatus.PARTIALLY_COMPLETED, order.status
    )
    check.expect(
        "every item resolved: the order moved to Order History",
        [order_id],
        _in_history(world, account),
    )
    check.expect("the Orders tab is empty", [], _on_tab(world, account))
    check.expect(
        "the two delivered numbers are Fully Active",
        {n: ActivationTag.FULLY_ACTIVE for n in chosen[:2]},
        _tags(world, account),
    )


# -- 2. Lookup and Order on a request-and-wait carrier into inventory ---------------------


def lookup_and_order(world: World, screen: Screen, check: Checklist) -> None:
    service, carrier, account = world.service, world.carriers[WAITING], "globex"

    world.next_business_day()
    screen.step(
        world.now, "Staff order two 919 numbers into inventory from a request-and-wait carrier."
    )
    request = service.lookup_and_order(
        WAITING,
        LookupCriteria(quantity=2, area_code="919"),
        destination=Destination.to_inventory(),
        actor=world.staff,
    )
    pending = service.list_carrier_requests(WAITING, status=RequestStatus.PENDING)
    screen.carrier_requests("Requests in progress", pending)
    check.expect(
        "the request waits at the carrier", [request.request_id], [r.request_id for r in pending]
    )
    check.expect("nothing is in inventory yet", [], world.inventory(WAITING))

    world.wait(carrier.processing_time)
    screen.step(world.now, "The carrier has finished; polling picks up the completion.")
    applied = service.poll_carrier_request(request.request_id)
    done = service.list_carrier_requests(WAITING, status=RequestStatus.COMPLETED)
    screen.carrier_requests("Completed requests", done)
    numbers = sorted(n.number for n in applied.request.numbers)
    check.expect("the request completed", RequestStatus.COMPLETED, applied.request.status)
    check.expect(
        "no request is left in progress",
        [],
        service.list_carrier_requests(WAITING, status=RequestStatus.PENDING),
    )
    check.expect(
        "both numbers are Available in the carrier's inventory type",
        [(n, InventoryStatus.AVAILABLE) for n in numbers],
        [(n.number, n.status) for n in world.inventory(WAITING)],
    )

    world.wait(timedelta(minutes=20))
    screen.step(world.now, f"Staff assign {numbers[0]} to Globex's support line.")
    service.assign_inventory_number(numbers[0], account, "support-line", actor=world.staff)
    screen.inventory("Inventory: sim-wait", world.inventory(WAITING))
    screen.active_numbers("Active Numbers: globex", service.active_numbers(account))
    check.expect(
        "the assigned number is Assigned in inventory",
        InventoryStatus.ASSIGNED,
        world.inventory_status(WAITING, numbers[0]),
    )
    check.expect(
        "the other number stays Available",
        InventoryStatus.AVAILABLE,
        world.inventory_status(WAITING, numbers[1]),
    )
    check.expect(
        "the customer sees the assigned number Fully Active",
        {numbers[0]: ActivationTag.FULLY_ACTIVE},
        _tags(world, account),
    )


# -- 3. A port-in: rejected, corrected, resubmitted, approved, dated, completed -------------


def port_in(world: World, screen: Screen, check: Checklist) -> None:
    service, carrier, account = world.service, world.carriers[WAITING], "initech"
    customer = world.customer(account)
    number = "+14045550123"

    world.next_business_day()
    screen.step(world.now, f"Initech asks to port {number} in; the port needs an LOA and a bill.")
    order = service.place_order(
        account, [NewItem(OrderKind.PORT_IN, number=number, region="US-GA")], actor=customer
    )
    order_id, item_id = order.order_id, order.items[0].item_id
    check.expect(
        "the port waits for documents", ItemStatus.INFORMATION_REQUIRED, order.items[0].status
    )

    world.wait(timedelta(minutes=30))
    screen.step(world.now, "Initech uploads both; compliance approves them.")
    uploads = [
        service.upload_document(
            order_id, item_id, kind, PDF + name.encode(), file_name=name, actor=customer
        )
        for kind, name in (
            (RequirementKind.LETTER_OF_AUTHORIZATION, "loa.pdf"),
            (RequirementKind.RECENT_BILL, "bill.pdf"),
        )
    ]
    # The last upload completed the item, which handed both documents to review.
    for document in uploads:
        service.approve_document(document.document_id, actor=world.staff)
    check.expect(
        "both documents are in the Approved Document Library",
        sorted(d.document_id for d in uploads),
        [d.document_id for d in service.list_documents(account, status=DocumentStatus.APPROVED)],
    )

    # Fault injection: the losing carrier will reject the first submission.
    carrier.reject_ports("Account number does not match the losing carrier's records.")
    world.wait(timedelta(hours=1))
    screen.step(world.now, "Staff submit the port request to the carrier.")
    port = service.submit_port_in(
        order_id,
        carrier_id=WAITING,
        actor=world.staff,
        port=PortDetails("Ina Tech", losing_account_number="ACC-0001", pin="1234"),
    )
    screen.orders("Orders tab: initech", service.orders_tab(account))
    screen.active_numbers("Active Numbers: initech", service.active_numbers(account))
    check.expect(
        "porting has begun: the number shows Not Active",
        {number: ActivationTag.NOT_ACTIVE},
        _tags(world, account),
    )

    world.next_business_day()
    screen.step(world.now, "The losing carrier rejects the port; the customer sees why.")
    service.poll_carrier_request(port.request_id)
    tab = service.orders_tab(account)
    screen.orders("Orders tab: initech", tab)
    item = tab[0].items[0]
    check.expect("the item is Port Rejected", ItemStatus.PORT_REJECTED, item.status)
    check.expect(
        "the carrier's reason is the note",
        "Account number does not match the losing carrier's records.",
        item.latest_note,
    )
    check.expect("delivery shows Unavailable", DeliveryKind.UNAVAILABLE, item.delivery.kind)

    world.wait(timedelta(hours=1))
    screen.step(
        world.now, "Initech corrects the account number; it goes to the carrier as a supplement."
    )
    carrier.reject_ports(None)
    corrected = service.correct_port_details(
        order_id,
        item_id,
        PortDetails("Ina Tech", losing_account_number="ACC-0002", pin="1234"),
        actor=customer,
    )
    check.expect(
        "the correction names the field, not its value, and is resubmitted at once",
        (ItemStatus.SUBMITTED_TO_CARRIER, "Port details corrected: losing account number, pin."),
        (
            corrected.items[0].status,
            next(
                e.note
                for e in reversed(corrected.items[0].history)
                if e.to_status is ItemStatus.UNDER_REVIEW
            ),
        ),
    )
    check.expect(
        "the same port request carries the correction (a supplement)",
        [port.request_id],
        [
            r.request_id
            for r in service.list_carrier_requests(WAITING)
            if r.kind is OrderKind.PORT_IN
        ],
    )
    world.wait(timedelta(minutes=5))
    screen.step(world.now, "The losing carrier approves the port.")
    service.fire(
        order_id,
        item_id,
        Trigger.APPROVE_PORT,
        actor=Actor(Role.CARRIER, WAITING),
        note="The losing carrier approved the port.",
    )
    tab = service.orders_tab(account)
    screen.orders("Orders tab: initech (port approved)", tab)
    item = tab[0].items[0]
    check.expect("the item is Port Approved", ItemStatus.PORT_APPROVED, item.status)
    check.expect("delivery is a business-day range", DeliveryKind.ESTIMATE, item.delivery.kind)

    world.wait(carrier.processing_time)
    screen.step(world.now, "The carrier confirms the port date (FOC).")
    service.poll_carrier_request(port.request_id)
    tab = service.orders_tab(account)
    screen.orders("Orders tab: initech (port date received)", tab)
    item = tab[0].items[0]
    committed = service.get_order(order_id).items[0].committed_date
    check.expect("the item is Port Date Received", ItemStatus.PORT_DATE_RECEIVED, item.status)
    check.expect_true("the carrier committed to a date", committed is not None)
    check.expect(
        "delivery switched to the ISO date",
        committed.isoformat() if committed else None,
        item.delivery.text,
    )

    if committed is not None:
        world.clock.set(datetime.combine(committed, time(13, 0), tzinfo=UTC))
    screen.step(
        world.now, "Port day: the carrier completes the port; engineers finish the install."
    )
    service.poll_carrier_request(port.request_id)
    world.wait(timedelta(hours=2))
    order = _install(world, order_id, [item_id])
    screen.active_numbers("Active Numbers: initech", service.active_numbers(account))
    screen.timeline(f"Timeline of {item_id}", order.items[0])
    check.expect("the port is Completed", ItemStatus.COMPLETED, order.items[0].status)
    check.expect(
        "the number shows Newly Ported", {number: ActivationTag.NEWLY_PORTED}, _tags(world, account)
    )
    check.expect(
        "the timeline went through every port milestone, rejection included",
        True,
        {ItemStatus.PORT_REJECTED, ItemStatus.PORT_APPROVED, ItemStatus.PORT_DATE_RECEIVED}
        <= {entry.to_status for entry in order.items[0].history},
    )


# -- 4. A TrueLocal number: documents, the regulatory lock, and reuse ----------------------


def truelocal(world: World, screen: Screen, check: Checklist) -> None:
    service, account = world.service, "umbrella"
    customer = world.customer(account)
    number, second_number = "+14045550188", "+14045550199"

    world.next_business_day()
    screen.step(world.now, f"Umbrella orders TrueLocal number {number} in Georgia (US-GA).")
    order = service.place_order(
        account,
        [
            NewItem(
                OrderKind.NEW_NUMBER,
                number=number,
                number_type=NumberType.TRUELOCAL,
                region="US-GA",
            )
        ],
        actor=customer,
    )
    order_id, item_id = order.order_id, order.items[0].item_id
    tab = service.orders_tab(account)
    screen.orders("Orders tab: umbrella", tab)
    screen.active_numbers("Active Numbers: umbrella", service.active_numbers(account))
    check.expect(
        "the item asks for documents", ItemStatus.INFORMATION_REQUIRED, tab[0].items[0].status
    )
    check.expect("delivery shows Unavailable", "Unavailable", tab[0].items[0].delivery.text)
    check.expect(
        "the number appears at once, Not Active",
        {number: ActivationTag.NOT_ACTIVE},
        _tags(world, account),
    )

    world.wait(timedelta(minutes=20))
    screen.step(world.now, "Umbrella uploads a utility bill as proof of local address.")
    document = service.upload_document(
        order_id,
        item_id,
        RequirementKind.PROOF_OF_LOCAL_ADDRESS,
        PNG,
        file_name="utility-bill.png",
        actor=customer,
    )
    tab = service.orders_tab(account)
    screen.orders("Orders tab: umbrella", tab)
    check.expect("the item is Under Review", ItemStatus.UNDER_REVIEW, tab[0].items[0].status)
    check.expect(
        "the document is under review",
        DocumentStatus.UNDER_REVIEW,
        service.get_document(document.document_id, account_id=account).status,
    )

    world.next_business_day()
    screen.step(world.now, "The carrier work finishes before compliance has decided.")
    order = service.fire(order_id, item_id, Trigger.SUBMIT_TO_CARRIER, actor=world.staff)
    order = service.fire(order_id, item_id, Trigger.START_CONFIGURATION, actor=world.staff)
    order = _install(world, order_id, [item_id])
    screen.active_numbers("Active Numbers: umbrella", service.active_numbers(account))
    check.expect("the item is Completed", ItemStatus.COMPLETED, order.items[0].status)
    check.expect(
        "the number stays Not Active until compliance approves",
        {number: ActivationTag.NOT_ACTIVE},
        _tags(world, account),
    )
    _refused(
        screen,
        check,
        "number testing is refused while the number is locked",
        ActionRestricted,
        lambda: service.check_number_action(account, number, NumberAction.TEST_NUMBER),
    )
    check.expect_true(
        "forwarding rules can be set up ahead of time",
        service.check_number_action(account, number, NumberAction.EDIT_FORWARDING_RULES)
        is not None,
    )

    world.wait(timedelta(hours=6))
    screen.step(
        world.now, "Compliance approves the document: it joins the Approved Document Library."
    )
    service.approve_document(document.document_id, actor=world.staff)
    library = service.list_documents(account, status=DocumentStatus.APPROVED)
    screen.active_numbers("Active Numbers: umbrella", service.active_numbers(account))
    check.expect(
        "the library holds the approved document",
        [document.document_id],
        [d.document_id for d in library],
    )
    check.expect(
        "the number is Fully Active", {number: ActivationTag.FULLY_ACTIVE}, _tags(world, account)
    )

    world.wait(timedelta(hours=1))
    screen.step(world.now, f"A second TrueLocal order in US-GA ({second_number}) reuses it.")
    second = service.place_order(
        account,
        [
            NewItem(
                OrderKind.NEW_NUMBER,
                number=second_number,
                number_type=NumberType.TRUELOCAL,
                region="US-GA",
            )
        ],
        actor=customer,
    )
    screen.orders("Orders tab: umbrella", service.orders_tab(account))
    requirement = second.items[0].requirements[0]
    check.expect(
        "it goes straight to Under Review", ItemStatus.UNDER_REVIEW, second.items[0].status
    )
    check.expect(
        "the approved document was reused, not uploaded",
        (document.document_id, DocumentSource.REUSE),
        (requirement.document_id, requirement.source),
    )
    check.expect("the account still has only one document", 1, len(service.list_documents(account)))


# -- 5. Cancelling: only the account manager can ------------------------------------------


def cancellation(world: World, screen: Screen, check: Checklist) -> None:
    service, account = world.service, "hooli"
    customer = world.customer(account)

    world.next_business_day()
    screen.step(world.now, "Hooli orders one new number in North Carolina.")
    order = service.place_order(
        account, [NewItem(OrderKind.NEW_NUMBER, region="US-NC")], actor=customer
    )
    order_id = order.order_id

    world.wait(timedelta(minutes=5))
    screen.step(world.now, "Hooli tries to cancel in the portal.")
    refusal = _refused(
        screen,
        check,
        "the customer cannot cancel",
        PermissionDenied,
        lambda: service.cancel_order(order_id, actor=customer),
    )
    check.expect_true(
        "the customer is told to contact their account manager",
        refusal is not None and "account manager" in str(refusal),
    )
    check.expect(
        "the order is unchanged",
        [ItemStatus.ORDER_SUBMITTED],
        _statuses(service.get_order(order_id)),
    )

    world.wait(timedelta(hours=1))
    screen.step(world.now, "The account manager cancels it.")
    order = service.cancel_order(
        order_id, actor=world.manager, note="Cancelled by your account manager at your request."
    )
    screen.orders("Orders tab: hooli", service.orders_tab(account))
    grace = service.view_policy.single_item_grace
    check.expect("the order is Cancelled", OrderStatus.CANCELLED, order.status)
    check.expect(
        f"a finished single-item order stays on the Orders tab for {grace.days} days",
        [order_id],
        _on_tab(world, account),
    )

    finalized = order.finalized_at or world.now
    world.clock.set(finalized + grace)
    world.next_business_day()
    screen.step(world.now, f"{grace.days} days later the order has left the Orders tab.")
    screen.orders("Orders tab: hooli", service.orders_tab(account))
    screen.orders("Order History: hooli", service.order_history(account))
    check.expect("the Orders tab is empty", [], _on_tab(world, account))
    check.expect("the order is in Order History", [order_id], _in_history(world, account))


# -- 6. Select and Disconnect, and a carrier that cannot ------------------------------------


def select_and_disconnect(world: World, screen: Screen, check: Checklist) -> None:
    service, account = world.service, "wayne"

    world.next_business_day()
    screen.step(world.now, "Wayne gets two Raleigh numbers (Lookup and Order, realtime carrier).")
    request = service.lookup_and_order(
        REALTIME,
        LookupCriteria(quantity=2, city="Raleigh", state="NC"),
        destination=Destination.to_account(account, "headquarters"),
        actor=world.staff,
    )
    order = service.get_order(_order_id(request))
    _install(world, order.order_id, [item.item_id for item in order.items])
    screen.active_numbers("Active Numbers: wayne", service.active_numbers(account))
    kept, dropped = (n.number for n in request.numbers)
    check.expect(
        "both numbers are Fully Active",
        {kept: ActivationTag.FULLY_ACTIVE, dropped: ActivationTag.FULLY_ACTIVE},
        _tags(world, account),
    )

    world.wait(timedelta(hours=2))
    screen.step(world.now, f"Staff disconnect {dropped} (Select and Disconnect DIDs).")
    disconnect = service.disconnect_numbers(REALTIME, [dropped], actor=world.staff)
    screen.orders("Orders tab: wayne", service.orders_tab(account))
    screen.active_numbers("Active Numbers: wayne", service.active_numbers(account))
    disconnect_order = service.get_order(_order_id(disconnect))
    check.expect("the disconnect request completed", RequestStatus.COMPLETED, disconnect.status)
    check.expect(
        "the customer's disconnect order is Completed",
        OrderStatus.COMPLETED,
        disconnect_order.status,
    )
    check.expect(
        "the number is disconnected in inventory",
        InventoryStatus.DISCONNECTED,
        world.inventory_status(REALTIME, dropped),
    )
    check.expect(
        "only the kept number is still live",
        {kept: ActivationTag.FULLY_ACTIVE},
        _tags(world, account),
    )

    world.wait(timedelta(hours=1))
    basic = world.carriers[WITHOUT_DISCONNECT]
    stocked = service.lookup_and_order(
        WITHOUT_DISCONNECT,
        LookupCriteria(quantity=1, area_code="212"),
        destination=Destination.to_inventory(),
        actor=world.staff,
    )
    number = stocked.numbers[0].number
    submitted = basic.calls.count("submit")
    screen.step(
        world.now,
        f"Staff try to disconnect {number} on {WITHOUT_DISCONNECT}, which takes no disconnects.",
    )
    _refused(
        screen,
        check,
        "the carrier without disconnects is refused up front",
        CapabilityNotSupported,
        lambda: service.disconnect_numbers(WITHOUT_DISCONNECT, [number], actor=world.staff),
    )
    check.expect("nothing was sent to that carrier", submitted, basic.calls.count("submit"))
    check.expect(
        "the number is still Available in inventory",
        InventoryStatus.AVAILABLE,
        world.inventory_status(WITHOUT_DISCONNECT, number),
    )


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "Lookup and Select on a realtime carrier",
        "Acme picks three of five held numbers; the rest go back, and the order waits on the "
        "Orders tab until its blocked item is resolved.",
        lookup_and_select,
    ),
    Scenario(
        "Lookup and Order on a request-and-wait carrier",
        "Two numbers are ordered into inventory, the request waits, completes, and one number is "
        "assigned to Globex.",
        lookup_and_order,
    ),
    Scenario(
        "Porting a number in",
        "Initech's port is rejected with a reason, its details corrected and resubmitted as a "
        "supplement, approved, dated and completed: Newly Ported.",
        port_in,
    ),
    Scenario(
        "A TrueLocal number and its documents",
        "Umbrella uploads proof of local address; the number stays Not Active until compliance "
        "approves, and the next order reuses the document.",
        truelocal,
    ),
    Scenario(
        "Cancelling an order",
        "Hooli cannot cancel in the portal and is sent to the account manager, who cancels; the "
        "order leaves the Orders tab after the grace period.",
        cancellation,
    ),
    Scenario(
        "Select and Disconnect",
        "Wayne's number is disconnected on a carrier that supports it; a carrier that does not is "
        "refused before anything is sent.",
        select_and_disconnect,
    ),
)
