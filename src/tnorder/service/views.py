"""What customers see: the Orders tab, Order History and the Active Numbers dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from ..domain.calendar import BusinessCalendar
from ..domain.delivery import DeliveryEstimates
from ..domain.inventory import InventoryStatus
from ..domain.read_model import (
    DEFAULT_PAGE_SIZE,
    ActiveRow,
    Page,
    SummaryBuilder,
    active_number_from_row,
    check_limit,
)
from ..domain.statuses import OrderStatus
from ..domain.visibility import (
    ActivationStage,
    ActivationTag,
    ActiveNumber,
    NumberAction,
    OrderSummary,
    Placement,
    VisibilityPolicy,
    active_numbers_view,
    check_action,
    order_history_view,
    orders_tab_view,
    parse_number_action,
    summarize_order,
)
from ..errors import (
    NumberNotFound,
    ValidationError,
)
from .base import UseCaseBase
from .config import ServiceConfig, ServicePorts
from .cursors import decode_cursor, encode_cursor

__all__ = ["ViewUseCases"]

E = TypeVar("E", bound=Enum)

_TAB_VIEW = "orders_tab"
_HISTORY_VIEW = "order_history"
_ACTIVE_VIEW = "active_numbers"


def _member(enum: type[E], value: object, field: str) -> E | None:
    """``value`` as a member of ``enum`` (members pass, values are looked up); None passes."""
    if value is None or isinstance(value, enum):
        return value
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(str(m.value) for m in enum)
        raise ValidationError(f"unknown {field} {value!r}; known: {known}", field=field) from None


def _prefix(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise ValidationError(
            f"{field} must be a non-empty string without NUL, got {value!r}", field=field
        )
    return value


def _aware(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(f"{field} must be an aware datetime, got {value!r}", field=field)
    return value


class ViewUseCases(UseCaseBase):
    """Dashboard queries, each as of the service clock's ``now``.

    Reads, besides what :class:`UseCaseBase` keeps: ``view_policy``, ``calendar``
    and ``delivery_estimates``.
    """

    def __init__(self, config: ServiceConfig, ports: ServicePorts) -> None:
        super().__init__(config, ports)
        self.view_policy: VisibilityPolicy = config.view_policy
        self.calendar: BusinessCalendar = config.calendar
        self.delivery_estimates: DeliveryEstimates = config.delivery_estimates

    def _check_account_id(self, account_id: str) -> None:
        self._check_id(account_id, "account_id")

    @staticmethod
    @contextmanager
    def _dates_in_range(now: datetime) -> Iterator[None]:
        # A clock near year 1 or 9999 makes grace periods and delivery windows
        # overflow ``datetime``: say which input was out of range instead.
        try:
            yield
        except OverflowError as exc:
            raise ValidationError(
                f"the clock's time {now.isoformat()} is too close to the limits of the "
                f"calendar for dashboard dates ({exc})",
                field="now",
            ) from exc

    def orders_tab(self, account_id: str) -> list[OrderSummary]:
        """The account's Orders tab now: open orders and those still in their grace period.

        Orders come oldest first, each with its line items (status label,
        intent, delivery column and window, latest note).  Only orders that are
        open or were finalized within the policy's longest grace period are
        loaded.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        policy = self.view_policy
        with self._dates_in_range(now):
            since = now - max(policy.single_item_grace, policy.multi_item_grace)
        with self.read_unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=since)
        with self._dates_in_range(now):
            return orders_tab_view(orders, now, policy, self.calendar, self.delivery_estimates)

    def order_history(self, account_id: str) -> list[OrderSummary]:
        """The account's Order History now: finalized orders past their grace period.

        Orders come oldest first, summarized like :meth:`orders_tab`.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        with self.read_unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=None)
        with self._dates_in_range(now):
            return order_history_view(
                orders, now, self.view_policy, self.calendar, self.delivery_estimates
            )

    def active_numbers(self, account_id: str) -> list[ActiveNumber]:
        """The account's Active Numbers dashboard now, sorted by number.

        Reads every order of the account (a number completed years ago is still
        live) and the inventory numbers assigned to it.
        """
        self._check_account_id(account_id)
        now = self.clock.now()
        with self.read_unit_of_work() as uow:
            orders = uow.orders.for_account(account_id, finalized_since=None)
            assigned = uow.inventory.find(account_id=account_id, status=InventoryStatus.ASSIGNED)
            returned = uow.inventory.find(returned_from=account_id)
        with self._dates_in_range(now):
            return active_numbers_view(
                orders, now, self.view_policy, assigned, account_id=account_id, returned=returned
            )

    def check_number_action(
        self, account_id: str, number: str, action: NumberAction | str
    ) -> ActiveNumber:
        """Return the number's dashboard entry if ``action`` is allowed on it now.

        Raises:
            NumberNotFound: the number is not on the account's Active Numbers.
            ActionRestricted: the number's activation stage refuses the action
                (the message says why).
            ValidationError: unknown action or empty account id.
        """
        act = parse_number_action(action)
        self._check_id(number, "number")
        for entry in self.active_numbers(account_id):
            if entry.number == number:
                check_action(entry, act)
                return entry
        raise NumberNotFound(
            number, f"number {number!r} is not on the Active Numbers of account {account_id!r}"
        )

    # -- pages: answered by the read model the storage keeps at write time ----------

    def orders_tab_page(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        status: OrderStatus | str | None = None,
        search: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> Page[OrderSummary]:
        """One page of the account's Orders tab now, oldest first.

        Concatenating every page (each ``next_cursor`` passed back as ``cursor``)
        gives :meth:`orders_tab`, filtered.  See ``docs/views.md``, "Pagination".

        Args:
            cursor: ``next_cursor`` of the previous page; None for the first.
            limit: rows per page, 1 to 500.
            status: only orders with this derived status (``OrderStatus`` or its value).
            search: only orders whose id, or one of whose numbers, starts with this.
            created_from: only orders created at or after this (aware) time.
            created_to: only orders created before this (aware) time.

        Raises:
            ValidationError: a bad cursor, limit or filter; the field is named.
        """
        return self._order_page(
            _TAB_VIEW, account_id, cursor, limit, status, search, created_from, created_to
        )

    def order_history_page(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        status: OrderStatus | str | None = None,
        search: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> Page[OrderSummary]:
        """One page of the account's Order History now, oldest first.

        The same arguments and guarantees as :meth:`orders_tab_page`.
        """
        return self._order_page(
            _HISTORY_VIEW, account_id, cursor, limit, status, search, created_from, created_to
        )

    def _order_page(
        self,
        view: str,
        account_id: str,
        cursor: object,
        limit: object,
        status: object,
        search: object,
        created_from: object,
        created_to: object,
    ) -> Page[OrderSummary]:
        self._check_account_id(account_id)
        size = check_limit(limit)
        after: tuple[datetime, int] | None = None
        if cursor is not None:
            at, seq = decode_cursor(cursor, view, (datetime, int), scope=account_id)
            after = (at, seq)
        wanted = _member(OrderStatus, status, "status")
        text = _prefix(search, "search")
        start = _aware(created_from, "created_from")
        end = _aware(created_to, "created_to")
        now = self.clock.now()
        policy = self.view_policy
        history = view == _HISTORY_VIEW
        placement = Placement.ORDER_HISTORY if history else Placement.ORDERS_TAB
        with self.storage.unit_of_work() as uow:
            queries: Any = getattr(uow, "views", None)
            if queries is None:
                return self._order_page_unindexed(
                    history, account_id, after, size, wanted, text, start, end
                )
            with self._dates_in_range(now):
                built = getattr(queries, "summary_page", None)
                if built is not None:
                    # The page's summaries from the rows kept at write time (two
                    # statements, one builder for the page): no order is loaded.
                    builder = SummaryBuilder(placement, now, self.calendar, self.delivery_estimates)
                    found, more = built(
                        account_id,
                        builder,
                        history=history,
                        now=now,
                        policy=policy,
                        after=after,
                        limit=size,
                        status=wanted,
                        search=text,
                        created_from=start,
                        created_to=end,
                    )
                    return self._summary_page(view, found, more, account_id)
                keys = queries.order_page(
                    account_id,
                    history=history,
                    now=now,
                    policy=policy,
                    after=after,
                    limit=size + 1,
                    status=wanted,
                    search=text,
                    created_from=start,
                    created_to=end,
                )
            shown = keys[:size]
            orders = [uow.orders.get(order_id) for order_id, _, _ in shown]
        with self._dates_in_range(now):
            items = tuple(
                summarize_order(o, now, policy, self.calendar, self.delivery_estimates)
                for o in orders
            )
        following = None
        if len(keys) > size and shown:
            _, at, seq = shown[-1]
            following = encode_cursor(view, (at, seq), scope=account_id)
        return Page(items, following)

    @staticmethod
    def _summary_page(
        view: str, found: list[tuple[OrderSummary, int]], more: bool, account_id: str
    ) -> Page[OrderSummary]:
        following = None
        if more and found:
            last, seq = found[-1]
            following = encode_cursor(view, (last.created_at, seq), scope=account_id)
        return Page(tuple(summary for summary, _ in found), following)

    def _order_page_unindexed(
        self,
        history: bool,
        account_id: str,
        after: tuple[datetime, int] | None,
        size: int,
        status: OrderStatus | None,
        search: str | None,
        start: datetime | None,
        end: datetime | None,
    ) -> Page[OrderSummary]:
        """A page computed from the full view: for a host's storage without a read
        model (its cursor counts rows, so it is not stable under writes)."""
        rows = self.order_history(account_id) if history else self.orders_tab(account_id)
        view = _HISTORY_VIEW if history else _TAB_VIEW
        skip = 0 if after is None else after[1]
        picked = [
            r
            for r in rows
            if (status is None or r.status is status)
            and (start is None or r.created_at >= start)
            and (end is None or r.created_at < end)
            and (
                search is None
                or r.order_id.startswith(search)
                or any((i.number or "").startswith(search) for i in r.items)
            )
        ]
        page = picked[skip : skip + size]
        following = None
        if skip + size < len(picked):
            following = encode_cursor(view, (page[-1].created_at, skip + size), scope=account_id)
        return Page(tuple(page), following)

    def active_numbers_page(
        self,
        account_id: str,
        *,
        cursor: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        stage: ActivationStage | str | None = None,
        tag: ActivationTag | str | None = None,
        number_prefix: str | None = None,
    ) -> Page[ActiveNumber]:
        """One page of the account's Active Numbers now, by number.

        Concatenating every page gives :meth:`active_numbers`, filtered.

        Args:
            cursor: ``next_cursor`` of the previous page; None for the first.
            limit: rows per page, 1 to 500.
            stage: only numbers in this activation stage.
            tag: only numbers with this tag ("Newly Ported" is compared with now).
            number_prefix: only numbers starting with this (e.g. ``"+1404"``).

        Raises:
            ValidationError: a bad cursor, limit or filter; the field is named.
        """
        self._check_account_id(account_id)
        size = check_limit(limit)
        after: str | None = None
        if cursor is not None:
            (after,) = decode_cursor(cursor, _ACTIVE_VIEW, (str,), scope=account_id)
        wanted_stage = _member(ActivationStage, stage, "stage")
        wanted_tag = _member(ActivationTag, tag, "tag")
        prefix = _prefix(number_prefix, "number_prefix")
        now = self.clock.now()
        policy = self.view_policy
        with self.storage.unit_of_work() as uow:
            queries: Any = getattr(uow, "views", None)
            if queries is not None:
                with self._dates_in_range(now):
                    rows: list[ActiveRow] = queries.active_page(
                        account_id,
                        now=now,
                        policy=policy,
                        after=after,
                        limit=size + 1,
                        stage=wanted_stage,
                        tag=wanted_tag,
                        number_prefix=prefix,
                    )
                with self._dates_in_range(now):
                    found = [active_number_from_row(r, now, policy) for r in rows]
        if queries is None:
            found = [
                n
                for n in self.active_numbers(account_id)
                if (after is None or n.number > after)
                and (prefix is None or n.number.startswith(prefix))
                and (wanted_stage is None or n.stage is wanted_stage)
                and (wanted_tag is None or n.tag is wanted_tag)
            ][: size + 1]
        shown = found[:size]
        following = None
        if len(found) > size:
            following = encode_cursor(_ACTIVE_VIEW, (shown[-1].number,), scope=account_id)
        return Page(tuple(shown), following)
