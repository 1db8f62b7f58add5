"""Async hosts: ``AsyncOrderService`` runs use cases off the event loop.

tnorder's use cases are synchronous (storage drivers, carrier clients and the
conflict retry's pause all block).  Called from an ``async def`` handler they
would stall the event loop for every request.  :class:`AsyncOrderService`
wraps an :class:`~tnorder.service.OrderService` and runs each call in a
thread pool of its own:

- at most ``max_concurrency`` use cases run at once; further callers wait on
  the loop (costing no thread) until one finishes;
- the pause before a conflict retry is the host's async ``sleep`` (default
  :func:`asyncio.sleep`), awaited on the loop while the worker thread waits
  for it, so tests can inject a recording sleep and hosts their own timer;
- every use case of ``OrderService`` has an ``async`` twin of the same name
  and signature (``await aservice.place_order(...)``), and :meth:`call` runs
  any other callable the same way.

Why threads and not native async drivers: see ``docs/decisions.md``
("Async hosts").  Nothing here is imported by ``import tnorder``.

Example (Starlette or FastAPI)::

    aservice = AsyncOrderService(OrderService(SqliteStorage(path), clock=SystemClock()))

    async def orders_tab(request):
        views = await aservice.orders_tab(request.path_params["account"])
        return JSONResponse(to_json_ready(views))
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from .errors import ValidationError
from .service import OrderService
from .service.base import RETRY_SLEEP

__all__ = ["AsyncOrderService"]

P = ParamSpec("P")
T = TypeVar("T")

AsyncSleep = Callable[[float], Awaitable[None]]


def _async_of(
    method: Callable[Concatenate[OrderService, P], T],
) -> Callable[Concatenate[AsyncOrderService, P], Coroutine[Any, Any, T]]:
    name = method.__name__

    async def run(self: AsyncOrderService, /, *args: P.args, **kwargs: P.kwargs) -> T:
        bound: Callable[P, T] = getattr(self.service, name)
        return await self.call(bound, *args, **kwargs)

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"``await`` :meth:`tnorder.service.OrderService.{name}` off the event loop."
    # help(), the API reference and editors show the use case's own parameters.
    setattr(run, "__signature__", inspect.signature(method))  # noqa: B010
    return run


class AsyncOrderService:
    """An :class:`OrderService` for asyncio hosts.

    Args:
        service: the synchronous service (its storage must allow use from
            several threads, as every shipped storage does).
        max_concurrency: how many use cases may run at once (the pool's size).
        sleep: the async pause before a conflict retry (``asyncio.sleep``).

    Use it as an async context manager, or call :meth:`aclose` at shutdown, to
    stop its threads.  Closing does not close the service's storage.
    """

    def __init__(
        self,
        service: OrderService,
        *,
        max_concurrency: int = 8,
        sleep: AsyncSleep = asyncio.sleep,
    ) -> None:
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or (max_concurrency < 1)
        ):
            raise ValidationError(
                f"max_concurrency must be a positive integer, got {max_concurrency!r}",
                field="max_concurrency",
            )
        self.service = service
        self.max_concurrency = max_concurrency
        self._sleep = sleep
        self._executor = ThreadPoolExecutor(max_concurrency, thread_name_prefix="tnorder-aio")
        self._slots: asyncio.Semaphore | None = None

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` in the pool, within the concurrency bound.

        The caller's context variables are visible in the thread (as with
        :func:`asyncio.to_thread`).  Cancelling the awaiting task does not stop
        a use case already running: it completes (or fails) in its thread, and
        its result is dropped.
        """
        loop = asyncio.get_running_loop()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrency)
        sleep = self._sleep

        def wait_on_loop(seconds: float) -> None:
            # Runs in the worker thread: the pause itself happens on the loop.
            asyncio.run_coroutine_threadsafe(_awaited(sleep(seconds)), loop).result()

        context = contextvars.copy_context()
        context.run(RETRY_SLEEP.set, wait_on_loop)
        async with self._slots:
            return await loop.run_in_executor(
                self._executor, functools.partial(context.run, fn, *args, **kwargs)
            )

    async def aclose(self) -> None:
        """Stop the pool's threads after the running use cases finish."""
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __getattr__(self, name: str) -> Callable[..., Coroutine[Any, Any, Any]]:
        """An async twin of any other public ``OrderService`` method (newer use cases)."""
        if name.startswith("_"):
            raise AttributeError(name)
        method = getattr(self.service, name)
        if not callable(method):
            raise AttributeError(f"OrderService.{name} is not a use case")

        async def run(*args: Any, **kwargs: Any) -> Any:
            return await self.call(method, *args, **kwargs)

        return run

    # -- the use cases (every public one of OrderService; a test checks the list) ---

    run = _async_of(OrderService.run)

    place_order = _async_of(OrderService.place_order)
    get_order = _async_of(OrderService.get_order)
    fire = _async_of(OrderService.fire)
    cancel_order = _async_of(OrderService.cancel_order)
    record_regulatory_approval = _async_of(OrderService.record_regulatory_approval)

    relay_events = _async_of(OrderService.relay_events)
    parked_events = _async_of(OrderService.parked_events)
    retry_parked_events = _async_of(OrderService.retry_parked_events)
    drop_parked_events = _async_of(OrderService.drop_parked_events)

    orders_tab = _async_of(OrderService.orders_tab)
    order_history = _async_of(OrderService.order_history)
    active_numbers = _async_of(OrderService.active_numbers)
    check_number_action = _async_of(OrderService.check_number_action)
    orders_tab_page = _async_of(OrderService.orders_tab_page)
    order_history_page = _async_of(OrderService.order_history_page)
    active_numbers_page = _async_of(OrderService.active_numbers_page)

    upload_document = _async_of(OrderService.upload_document)
    get_document = _async_of(OrderService.get_document)
    list_documents = _async_of(OrderService.list_documents)
    document_content = _async_of(OrderService.document_content)
    approve_document = _async_of(OrderService.approve_document)
    reject_document = _async_of(OrderService.reject_document)
    reuse_approved_documents = _async_of(OrderService.reuse_approved_documents)
    expire_documents = _async_of(OrderService.expire_documents)
    sweep_document_storage = _async_of(OrderService.sweep_document_storage)
    document_expiry_report = _async_of(OrderService.document_expiry_report)

    carrier_capabilities = _async_of(OrderService.carrier_capabilities)
    get_carrier_request = _async_of(OrderService.get_carrier_request)
    list_carrier_requests = _async_of(OrderService.list_carrier_requests)
    lookup_numbers = _async_of(OrderService.lookup_numbers)
    select_numbers = _async_of(OrderService.select_numbers)
    abandon_lookup = _async_of(OrderService.abandon_lookup)
    release_expired_reservations = _async_of(OrderService.release_expired_reservations)
    lookup_and_order = _async_of(OrderService.lookup_and_order)
    disconnect_numbers = _async_of(OrderService.disconnect_numbers)
    submit_port_in = _async_of(OrderService.submit_port_in)
    poll_carrier_request = _async_of(OrderService.poll_carrier_request)
    apply_carrier_update = _async_of(OrderService.apply_carrier_update)
    apply_carrier_updates = _async_of(OrderService.apply_carrier_updates)
    correct_port_details = _async_of(OrderService.correct_port_details)
    assign_inventory_number = _async_of(OrderService.assign_inventory_number)

    inventory_numbers = _async_of(OrderService.inventory_numbers)
    get_inventory_number = _async_of(OrderService.get_inventory_number)
    return_to_inventory = _async_of(OrderService.return_to_inventory)


async def _awaited(awaitable: Awaitable[None]) -> None:
    await awaitable
