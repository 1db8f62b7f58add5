"""``tnorder demo --carrier telnyx-fake``: one story through ``OrderService`` and Telnyx.

The service is wired exactly as a host would wire it for Telnyx
(``TelnyxCarrier`` over real HTTP), except that the base URL is a
:class:`~tnorder.adapters.telnyx.fake.FakeTelnyx` on loopback that shares the
demo's clock.  The story: look up and hold three numbers, order two (the third
goes back), Telnyx's signed webhook completes the order, a replay of that
webhook is refused, and one number is disconnected.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from ..adapters.clocks import FixedClock
from ..adapters.document_storage import MemoryDocumentStorage
from ..adapters.sqlite import SqliteStorage
from ..domain.carrier import (
    CarrierConfig,
    InventoryType,
    NumberState,
    ProvisioningConfig,
    RequestStatus,
)
from ..domain.carrier_request import Destination
from ..domain.inventory import InventoryStatus
from ..domain.lookup import LookupCriteria
from ..errors import CallbackNotVerified, ConfigurationError
from ..world import build_service
from .checks import Checklist
from .render import Screen
from .scenarios import Scenario
from .world import START, World, _counter

if TYPE_CHECKING:
    from ..adapters.telnyx import TelnyxCarrier
    from ..adapters.telnyx.fake import FakeTelnyx

__all__ = ["TELNYX", "TelnyxWorld", "build_telnyx_world", "telnyx_scenario"]

TELNYX = "telnyx"
"""The carrier id the demo gives Telnyx."""


@attrs.define
class TelnyxWorld(World):
    """The demo world with the Telnyx adapter and the fake it talks to."""

    fake: FakeTelnyx | None = None
    telnyx: TelnyxCarrier | None = None


def build_telnyx_world(db_path: Path, stack: ExitStack) -> TelnyxWorld:
    """The demo's service with one carrier: Telnyx, talking HTTP to a loopback fake.

    The fake and the adapter are closed by ``stack``.

    Raises:
        ConfigurationError: the ``tnorder[telnyx]`` extra is not installed.
    """
    try:
        from ..adapters.telnyx import TelnyxCarrier, TelnyxConfig
        from ..adapters.telnyx.fake import API_KEY, FakeTelnyx
    except ImportError as exc:  # the extra's libraries are missing
        raise ConfigurationError(
            f"the Telnyx demo needs the telnyx extra: pip install 'tnorder[telnyx]' ({exc})"
        ) from exc
    clock = FixedClock(START)
    fake = stack.enter_context(FakeTelnyx(clock=clock.now))
    config = TelnyxConfig(
        api_key=API_KEY, public_key=fake.public_key, base_url=fake.base_url, carrier_id=TELNYX
    )
    carrier = stack.enter_context(TelnyxCarrier(config))
    provisioning = ProvisioningConfig(
        enabled=True,
        carriers=[
            CarrierConfig(
                TELNYX,
                "Telnyx (loopback fake)",
                accounts=[carrier.account("Main account")],
                inventory_types=[InventoryType("telnyx-stock", TELNYX, "Telnyx numbers")],
            )
        ],
    )
    storage = SqliteStorage(db_path)
    stack.callback(storage.close)
    service = build_service(
        storage,
        clock=clock,
        carriers={TELNYX: carrier},
        provisioning=provisioning,
        document_storage=MemoryDocumentStorage(),
        order_ids=_counter("ORD", 2001),
        carrier_request_ids=_counter("CR", 901),
    )
    return TelnyxWorld(
        service=service, storage=storage, clock=clock, carriers={}, fake=fake, telnyx=carrier
    )


def _story(world: World, screen: Screen, check: Checklist) -> None:
    if not isinstance(world, TelnyxWorld) or world.fake is None or world.telnyx is None:
        raise ConfigurationError("the Telnyx story runs on build_telnyx_world()")
    service, fake, carrier = world.service, world.fake, world.telnyx

    screen.step(world.now, "Staff look up three 919 numbers on Telnyx; Telnyx holds them.")
    held = service.lookup_numbers(
        TELNYX,
        LookupCriteria(quantity=3, area_code="919"),
        destination=Destination.to_inventory(),
        actor=world.staff,
    )
    screen.lookup("Lookup results (Lookup and Select DIDs)", held)
    offered = [n.number for n in held.numbers]
    check.expect("Telnyx holds the three numbers", 3, len(fake.live_holds()))

    world.wait(timedelta(minutes=5))
    screen.step(world.now, "Staff select two; the third goes back and Telnyx takes the order.")
    request = service.select_numbers(held.request_id, offered[:2], actor=world.staff)
    screen.lookup("After the selection", request)
    check.expect(
        "the unselected number was released",
        offered[2:],
        [n.number for n in request.numbers if n.state is NumberState.RELEASED],
    )
    check.expect("the order waits at Telnyx", RequestStatus.PENDING, request.status)
    check.expect(
        "the request id is the order's customer_reference at Telnyx",
        [request.request_id],
        [o["customer_reference"] for o in fake.orders.values()],
    )

    world.wait(timedelta(minutes=2))
    screen.step(world.now, "Telnyx posts a signed number_order.complete webhook.")
    if request.carrier_ref is None:
        raise ConfigurationError("Telnyx accepted the order without a reference")
    headers, body = fake.order_event(request.carrier_ref)
    update = carrier.webhook_update(headers, body, now=world.now)
    if update is None:
        raise ConfigurationError("the number_order.complete webhook was not read")
    applied = service.apply_carrier_update(update)
    screen.carrier_requests("Completed requests", [applied.request])
    check.expect("the request completed", RequestStatus.COMPLETED, applied.request.status)
    check.expect(
        "both numbers are Available in the Telnyx inventory type",
        [(n, InventoryStatus.AVAILABLE) for n in sorted(offered[:2])],
        [(n.number, n.status) for n in world.inventory(TELNYX)],
    )

    screen.step(world.now, "Someone replays the captured webhook; it is refused.")
    try:
        carrier.webhook_update(headers, body, now=world.now + timedelta(seconds=30))
        refused = None
    except CallbackNotVerified as exc:
        screen.refusal(exc)
        refused = exc
    check.expect_true("the replayed delivery was refused", refused is not None)

    world.wait(timedelta(hours=1))
    screen.step(world.now, f"Staff disconnect {offered[0]}; Telnyx runs a delete job.")
    disconnect = service.disconnect_numbers(TELNYX, [offered[0]], actor=world.staff)
    check.expect("the disconnect waits at Telnyx", RequestStatus.PENDING, disconnect.status)
    world.wait(timedelta(minutes=5))
    done = service.poll_carrier_request(disconnect.request_id)
    screen.inventory("Inventory: telnyx", world.inventory(TELNYX))
    check.expect("the disconnect completed", RequestStatus.COMPLETED, done.request.status)
    check.expect(
        "the number is Disconnected in inventory",
        InventoryStatus.DISCONNECTED,
        world.inventory_status(TELNYX, offered[0]),
    )


telnyx_scenario = Scenario(
    "Lookup and Select on Telnyx (loopback fake)",
    "Three numbers are held at Telnyx, two ordered, a signed webhook completes the order, a "
    "replayed webhook is refused, and one number is disconnected.",
    _story,
)
