"""What customers see: the Orders tab, Order History and the Active Numbers dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from ..domain.calendar import BusinessCalendar
from ..domain.delivery import DeliveryEstimates
from ..domain.inventory import InventoryStatus
from ..domain.visibility import (
    ActiveNumber,
    NumberAction,
    OrderSummary,
    VisibilityPolicy,
    active_numbers_view,
    check_action,
    order_history_view,
    orders_tab_view,
    parse_number_action,
)
from ..errors import (
    NumberNotFound,
    ValidationError,
)
from .base import UseCaseBase
from .config import ServiceConfig, ServicePorts

__all__ = ["ViewUseCases"]


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
