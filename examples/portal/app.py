"""The portal's web layer: each route awaits one ``OrderService`` use case and renders a template.

Read it as the part to copy.  Every text a page shows (status labels, tags,
delivery column, notes, refusals) comes from tnorder's view objects and
error messages; the handlers hold no rule of their own.  When tnorder refuses,
the page is shown again with the error's message and an HTTP status from
:func:`tnorder.web.http_status_of` (the error classes' own ``http_status``).
Pages are plain HTML forms: nothing needs JavaScript.

Handlers are ``async``, so every call that reads or writes storage or talks to
a carrier is awaited through :class:`tnorder.aio.AsyncOrderService`, which
runs it in a thread pool: called directly, the synchronous ``OrderService``
would stall the event loop, and every other request with it, for each call.
Only pure helpers over what was already loaded (``summarize_order``, the
service's calendar and view policy, the simulator's settings) run on the loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.datastructures import URL, FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from tnorder import (
    Actor,
    NewItem,
    NotFound,
    Order,
    OrderKind,
    OrderNotFound,
    Page,
    TnorderError,
    ValidationError,
)
from tnorder.aio import AsyncOrderService
from tnorder.demo.world import World
from tnorder.domain.carrier import PortDetails, RequestStatus
from tnorder.domain.documents import DocumentStatus, RequirementKind
from tnorder.domain.statuses import ItemStatus, NumberType
from tnorder.domain.visibility import AWAITING_APPROVAL, NumberAction, summarize_order
from tnorder.web import http_status_of

from . import pending_actions
from .world import ACCOUNTS

__all__ = ["create_app"]

HERE = Path(__file__).parent

# The number types' customer labels, in tnorder's order (from its text catalogue).
NUMBER_TYPES = {number_type: number_type.label for number_type in NumberType}

Handler = Callable[..., Awaitable[Response]]
E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def on_site(url: URL) -> str:
    """``url`` without scheme and host, so links stay right behind a proxy."""
    return url.path + (f"?{url.query}" if url.query else "")


def kind_label(kind: str) -> str:
    """A requirement kind's label (a host's own kinds show as stored)."""
    try:
        return RequirementKind(kind).label
    except ValueError:
        return kind


def create_app(world: World) -> Starlette:
    """The portal over ``world.service``; ``world`` also gives the simulator and the clock.

    The app's lifespan stops the async facade's threads at shutdown (not the
    world's storage, which its builder closes).
    """
    service = world.service
    # SQLite has one writer at a time: more threads would only queue for it.
    aservice = AsyncOrderService(service, max_concurrency=4)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        accounts=ACCOUNTS,
        number_types=NUMBER_TYPES,
        kind_label=kind_label,
        NumberAction=NumberAction,
        OrderKind=OrderKind,
        ItemStatus=ItemStatus,
    )

    def render(
        request: Request,
        name: str,
        refusal: TnorderError | None = None,
        notice: str | None = None,
        status: int = 200,
        **context: Any,
    ) -> Response:
        context.update(
            request=request,
            now=world.now,
            refusal=str(refusal) if refusal else None,
            notice=notice,
        )
        code = http_status_of(refusal) if refusal else status
        return templates.TemplateResponse(request, name, context, status_code=code)

    def customer(request: Request) -> tuple[str, Actor]:
        # A real host takes the account from the logged-in session, never from the URL.
        account = request.path_params["account"]
        if account not in ACCOUNTS:
            raise NotFound(account, f"no customer account {account!r}")
        return account, world.customer(account)

    async def own_order(account: str, order_id: str) -> Order:
        order = await aservice.get_order(order_id)
        if order.account_id != account:
            raise OrderNotFound(order_id)
        return order

    # -- customer pages ----------------------------------------------------------

    async def page_of(
        view: Callable[..., Awaitable[Page[T]]], account: str, request: Request
    ) -> tuple[Page[T], dict[str, str], TnorderError | None]:
        """The page a link asked for (``?cursor=`` from the previous page's ``next_cursor``,
        ``?limit=``), from tnorder's paged view, with the links to the first and next page.
        A cursor or limit tnorder refuses shows an empty page with its reason."""
        cursor = request.query_params.get("cursor")
        args: dict[str, Any] = {} if cursor is None else {"cursor": cursor}
        limit = request.query_params.get("limit")
        if limit is not None:
            # Digits become an int; anything else goes to tnorder, which says what is wrong.
            args["limit"] = int(limit) if limit.isascii() and limit.isdigit() else limit
        links: dict[str, str] = {}
        if cursor is not None:
            links["first"] = on_site(request.url.remove_query_params("cursor"))
        try:
            page = await view(account, **args)
        except ValidationError as exc:
            return Page(()), links, exc
        if page.next_cursor is not None:
            links["next"] = on_site(request.url.include_query_params(cursor=page.next_cursor))
        return page, links, None

    async def orders_tab(request: Request, refusal: TnorderError | None = None) -> Response:
        account, _ = customer(request)
        page, links, refused = await page_of(aservice.orders_tab_page, account, request)
        return render(
            request,
            "orders.html",
            refusal or refused,
            account=account,
            tab="orders",
            summaries=page.items,
            links=links,
        )

    async def order_history(request: Request) -> Response:
        account, _ = customer(request)
        page, links, refused = await page_of(aservice.order_history_page, account, request)
        return render(
            request,
            "orders.html",
            refused,
            account=account,
            tab="history",
            summaries=page.items,
            links=links,
        )

    async def active_numbers(
        request: Request, refusal: TnorderError | None = None, notice: str | None = None
    ) -> Response:
        account, _ = customer(request)
        page, links, refused = await page_of(aservice.active_numbers_page, account, request)
        return render(
            request,
            "numbers.html",
            refusal or refused,
            notice,
            account=account,
            tab="numbers",
            numbers=page.items,
            links=links,
        )

    async def order_detail(request: Request, refusal: TnorderError | None = None) -> Response:
        account, _ = customer(request)
        order = await own_order(account, request.path_params["order_id"])
        summary = summarize_order(
            order, world.now, service.view_policy, service.calendar, service.delivery_estimates
        )
        views = {view.item_id: view for view in summary.items}
        # Each requirement's document, for its review status (tnorder's DocumentStatus label).
        documents = {d.document_id: d for d in await aservice.list_documents(account)}
        return render(
            request,
            "order.html",
            refusal,
            account=account,
            tab=None,
            order=order,
            summary=summary,
            views=views,
            documents=documents,
        )

    def acting(page: Handler, action: Callable[[Request, FormData], Awaitable[str]]) -> Handler:
        """A POST route: run ``action``; on success go to the URL it returns (POST, redirect,
        GET), on a tnorder refusal show ``page`` again with the library's message."""

        async def endpoint(request: Request) -> Response:
            form = await request.form()
            try:
                target = await action(request, form)
            except TnorderError as exc:
                return await page(request, refusal=exc)
            return RedirectResponse(target, status_code=303)

        return endpoint

    def text(form: FormData, name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    def choice(kind: type[E], form: FormData, name: str, default: E) -> E:
        value = text(form, name) or default
        try:
            return kind(value)
        except ValueError:
            raise ValidationError(f"unknown {name} {value!r}", field=name) from None

    async def place_order(request: Request, form: FormData) -> str:
        account, actor = customer(request)
        item = NewItem(
            choice(OrderKind, form, "kind", OrderKind.NEW_NUMBER),
            number=text(form, "number"),
            number_type=choice(NumberType, form, "number_type", NumberType.LOCAL),
            region=text(form, "region"),
        )
        order = await aservice.place_order(account, [item], actor=actor)
        return f"/customers/{account}/orders/{order.order_id}"

    async def cancel(request: Request, form: FormData) -> str:
        account, actor = customer(request)
        order_id = (await own_order(account, request.path_params["order_id"])).order_id
        await aservice.cancel_order(order_id, actor=actor, note=text(form, "note"))
        return str(request.url)

    async def upload(request: Request, form: FormData) -> str:
        account, actor = customer(request)
        order_id = (await own_order(account, request.path_params["order_id"])).order_id
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise ValidationError("choose a file to upload", field="file")
        await aservice.upload_document(
            order_id,
            request.path_params["item_id"],
            text(form, "kind") or "",
            await file.read(),
            file_name=file.filename or "",
            content_type=file.content_type,
            actor=actor,
        )
        return f"/customers/{account}/orders/{order_id}"

    async def number_action(request: Request) -> Response:
        account, _ = customer(request)
        form = await request.form()
        number, wanted = request.path_params["number"], text(form, "action") or ""
        try:
            entry = await aservice.check_number_action(account, number, wanted)
        except TnorderError as exc:
            return await active_numbers(request, refusal=exc)
        action = NumberAction(wanted)
        # The host would start the action here; the portal only shows that it may.
        return await active_numbers(
            request, notice=f"{action.label} is available for {entry.number}."
        )

    # -- staff pages ----------------------------------------------------------

    async def staff(request: Request, refusal: TnorderError | None = None) -> Response:
        under_review = [
            document
            for account in ACCOUNTS
            for document in await aservice.list_documents(
                account, status=DocumentStatus.UNDER_REVIEW
            )
        ]
        open_orders = [
            (account, await aservice.get_order(summary.order_id))
            for account in ACCOUNTS
            for summary in await aservice.orders_tab(account)
            if not summary.status.is_final
        ]
        # The TrueLocal lock, as the Active Numbers view reports it.
        awaiting = [
            (account, entry)
            for account in ACCOUNTS
            for entry in await aservice.active_numbers(account)
            if entry.locked_reason == AWAITING_APPROVAL
        ]
        return render(
            request,
            "staff.html",
            refusal,
            staff=True,
            documents=under_review,
            open_orders=open_orders,
            awaiting=awaiting,
            carriers=sorted(world.carriers),
        )

    async def approve_document(request: Request, form: FormData) -> str:
        await aservice.approve_document(request.path_params["document_id"], actor=world.staff)
        return "/staff"

    async def reject_document(request: Request, form: FormData) -> str:
        await aservice.reject_document(
            request.path_params["document_id"], actor=world.staff, note=text(form, "note") or ""
        )
        return "/staff"

    async def fire(request: Request, form: FormData) -> str:
        await aservice.fire(
            request.path_params["order_id"],
            request.path_params["item_id"],
            text(form, "trigger") or "",
            actor=world.staff,
            note=text(form, "note"),
        )
        return "/staff"

    async def submit_port(request: Request, form: FormData) -> str:
        await aservice.submit_port_in(
            request.path_params["order_id"],
            carrier_id=text(form, "carrier") or "",
            actor=world.staff,
            port=PortDetails(
                text(form, "authorizing_person") or "",
                losing_account_number=text(form, "losing_account_number"),
                pin=text(form, "pin"),
            ),
        )
        return "/staff"

    async def manager_cancel(request: Request, form: FormData) -> str:
        await aservice.cancel_order(
            request.path_params["order_id"], actor=world.manager, note=text(form, "note")
        )
        return "/staff"

    async def simulate_rejection(request: Request, form: FormData) -> str:
        # Fault injection on the simulated carrier, as the demo's port-in story does.
        carrier = world.carriers.get(text(form, "carrier") or "")
        if carrier is None:
            raise ValidationError("choose one of the simulated carriers", field="carrier")
        carrier.reject_ports(text(form, "reason"))
        return "/staff"

    async def carrier_progress(request: Request, form: FormData) -> str:
        """Let the next business day come, then poll every request the carriers still work on."""
        world.next_business_day()
        for carrier_id in world.carriers:
            pending = await aservice.list_carrier_requests(carrier_id, status=RequestStatus.PENDING)
            for carrier_request in pending:
                if carrier_request.ref is not None:
                    await aservice.poll_carrier_request(carrier_request.request_id)
        return "/staff"

    async def index(request: Request) -> Response:
        return render(request, "index.html")

    async def not_found(request: Request, exc: Exception) -> Response:
        return render(request, "index.html", refusal=exc if isinstance(exc, NotFound) else None)

    customer_base = "/customers/{account}"
    order_base = customer_base + "/orders/{order_id}"
    routes = [
        Route("/", index),
        Route(customer_base + "/orders", orders_tab),
        Route(customer_base + "/orders", acting(orders_tab, place_order), methods=["POST"]),
        Route(customer_base + "/history", order_history),
        Route(customer_base + "/numbers", active_numbers),
        Route(customer_base + "/numbers/{number}/actions", number_action, methods=["POST"]),
        Route(order_base, order_detail),
        Route(order_base + "/cancel", acting(order_detail, cancel), methods=["POST"]),
        Route(
            order_base + "/items/{item_id}/documents",
            acting(order_detail, upload),
            methods=["POST"],
        ),
        Route("/staff", staff),
        Route(
            "/staff/documents/{document_id}/approve",
            acting(staff, approve_document),
            methods=["POST"],
        ),
        Route(
            "/staff/documents/{document_id}/reject",
            acting(staff, reject_document),
            methods=["POST"],
        ),
        Route(
            "/staff/orders/{order_id}/items/{item_id}/fire", acting(staff, fire), methods=["POST"]
        ),
        Route("/staff/orders/{order_id}/port", acting(staff, submit_port), methods=["POST"]),
        Route("/staff/orders/{order_id}/cancel", acting(staff, manager_cancel), methods=["POST"]),
        Route("/staff/simulator/reject-ports", acting(staff, simulate_rejection), methods=["POST"]),
        Route("/staff/simulator/progress", acting(staff, carrier_progress), methods=["POST"]),
        *pending_actions.routes(
            world, aservice, acting, customer_page=order_detail, staff_page=staff
        ),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await aservice.aclose()

    return Starlette(routes=routes, exception_handlers={NotFound: not_found}, lifespan=lifespan)
