"""The portal's two compliance actions: corrected port details and regulatory approval.

``OrderService.correct_port_details(order_id, item_id, details, *, actor, note=None)``
(the customer's corrected port details for a rejected port-in) and
``OrderService.record_regulatory_approval(order_id, item_id, *, actor, note=None)``
(compliance unlocks a TrueLocal number), awaited through the portal's
``AsyncOrderService`` like every other use case.  The forms that post here are on
the order and staff pages.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.routing import Route

from tnorder import OrderNotFound
from tnorder.aio import AsyncOrderService
from tnorder.demo.world import World
from tnorder.domain.carrier import PortDetails

__all__ = ["routes"]

Action = Callable[[Request, FormData], Awaitable[str]]
Page = Callable[..., Awaitable[Any]]


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value.strip() or None if isinstance(value, str) else None


def routes(
    world: World,
    aservice: AsyncOrderService,
    acting: Callable[[Page, Action], Page],
    *,
    customer_page: Page,
    staff_page: Page,
) -> list[Route]:
    """The two routes, each refusing through ``acting`` like every other portal action."""

    async def correct_port_details(request: Request, form: FormData) -> str:
        account = request.path_params["account"]
        order_id, item_id = request.path_params["order_id"], request.path_params["item_id"]
        if (await aservice.get_order(order_id)).account_id != account:
            raise OrderNotFound(order_id)
        details = PortDetails(
            _text(form, "authorizing_person") or "",
            losing_account_number=_text(form, "losing_account_number"),
            pin=_text(form, "pin"),
        )
        await aservice.correct_port_details(
            order_id, item_id, details, actor=world.customer(account), note=_text(form, "note")
        )
        return f"/customers/{account}/orders/{order_id}"

    async def record_regulatory_approval(request: Request, form: FormData) -> str:
        await aservice.record_regulatory_approval(
            request.path_params["order_id"],
            request.path_params["item_id"],
            actor=world.staff,
            note=_text(form, "note"),
        )
        return "/staff"

    return [
        Route(
            "/customers/{account}/orders/{order_id}/items/{item_id}/port-details",
            acting(customer_page, correct_port_details),
            methods=["POST"],
        ),
        Route(
            "/staff/orders/{order_id}/items/{item_id}/regulatory-approval",
            acting(staff_page, record_regulatory_approval),
            methods=["POST"],
        ),
    ]
