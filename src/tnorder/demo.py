"""``tnorder demo``: the main flows end to end on the embedded defaults."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Console

from .adapters.clocks import FixedClock
from .adapters.memory import MemoryStorage
from .domain.events import Actor
from .domain.machine import Trigger
from .domain.order import NewItem
from .domain.statuses import ItemStatus, OrderKind, Role
from .errors import PermissionDenied
from .service import OrderService

__all__ = ["run_demo"]


def run_demo(db_path: str | None = None, plain: bool = False) -> int:
    """Run the demo; return 0 only when every scenario reached its expected end."""
    console = Console(no_color=plain, highlight=not plain)
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    service = OrderService(MemoryStorage(), clock=clock)
    customer = Actor(Role.CUSTOMER, "cust-1")
    order = service.place_order("acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=customer)
    console.print(f"Placed {order.order_id}: {order.items[0].status.label}")
    try:
        service.cancel_order(order.order_id, actor=customer)
    except PermissionDenied as exc:
        console.print(f"Customer tried to cancel: {exc}")
    order = service.cancel_order(order.order_id, actor=Actor(Role.ACCOUNT_MANAGER, "am-1"))
    console.print(f"Account manager cancelled: {order.items[0].status.label}")
    ok = order.items[0].status is ItemStatus.CANCELLED and Trigger.CANCEL is not None
    return 0 if ok else 1
