"""The dashboards' read model in process memory.  Private.

The same rows as ``_views_sql`` (see ``tnorder.domain.read_model``), kept in
dictionaries indexed by account and by number, updated by the memory
storage's commit under its lock.  A page query sorts the account's rows:
the memory storage serves tests and examples, where accounts are small, so a
sorted container (another dependency) would buy nothing measurable.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import attrs

from ..domain.inventory import InventoryNumber
from ..domain.read_model import (
    ActiveRow,
    NumberSource,
    OrderRow,
    decide_active,
    grace_classes,
    tag_of,
)
from ..domain.statuses import OrderStatus
from ..domain.visibility import ActivationStage, ActivationTag, VisibilityPolicy
from ._views_sql import ViewStager

__all__ = ["MemoryViewIndex", "MemoryViewQueries"]

_TOP = "\U0010ffff"


@attrs.define
class _Source:
    source: NumberSource
    account_id: str
    created_at: datetime
    seq: int


@attrs.define
class MemoryViewIndex:
    """The read model of one :class:`~tnorder.adapters.memory.MemoryStorage`."""

    orders: dict[str, tuple[OrderRow, int]] = attrs.Factory(dict)
    by_account: dict[str, set[str]] = attrs.Factory(dict)
    sources: dict[tuple[str, str], _Source] = attrs.Factory(dict)
    by_order: dict[str, set[str]] = attrs.Factory(dict)
    by_number: dict[tuple[str, str], set[tuple[str, str]]] = attrs.Factory(dict)
    active: dict[str, dict[str, ActiveRow]] = attrs.Factory(dict)
    accounts_of_number: dict[str, set[str]] = attrs.Factory(dict)

    def flush(
        self,
        staged: ViewStager,
        seq_of: Callable[[str], int],
        inventory_of: Callable[[str], InventoryNumber | None],
    ) -> None:
        """Apply ``staged`` (called by the commit, under the storage's lock)."""
        touched: set[tuple[str, str]] = set()
        for order_id, (row, sources) in staged.orders.items():
            seq = seq_of(order_id)
            self.orders[order_id] = (row, seq)
            self.by_account.setdefault(row.account_id, set()).add(order_id)
            for item_id, source in sources.items():
                old = self.sources.pop((order_id, item_id), None)
                if old is not None:
                    key = (old.account_id, old.source.number)
                    self.by_number[key].discard((order_id, item_id))
                    touched.add(key)
                    self.by_order[order_id].discard(old.source.number)
                if source is None:
                    continue
                key = (row.account_id, source.number)
                self.sources[(order_id, item_id)] = _Source(
                    source, row.account_id, row.created_at, seq
                )
                self.by_number.setdefault(key, set()).add((order_id, item_id))
                self.by_order.setdefault(order_id, set()).add(source.number)
                touched.add(key)
        for number, record in staged.inventory.items():
            for account in self.accounts_of_number.get(number, ()):
                touched.add((account, number))
            for owner in (record.account_id, record.returned_from):
                if owner is not None:
                    touched.add((owner, number))
        for account, number in touched:
            deciding: _Source | None = None
            for ref in self.by_number.get((account, number), ()):
                candidate = self.sources[ref]
                if candidate.source.effect == "none":
                    continue
                if deciding is None or _rank(candidate) > _rank(deciding):
                    deciding = candidate
            active = decide_active(
                account,
                number,
                None if deciding is None else deciding.source,
                inventory_of(number),
            )
            shown = self.active.setdefault(account, {})
            if active is None:
                shown.pop(number, None)
                self.accounts_of_number.get(number, set()).discard(account)
            else:
                shown[number] = active
                self.accounts_of_number.setdefault(number, set()).add(account)
        staged.clear()


def _rank(s: _Source) -> tuple[datetime, int, int]:
    return (s.created_at, s.seq, s.source.position)


def on_tab(row: OrderRow, now: datetime, policy: VisibilityPolicy) -> bool:
    """Whether a stored order row is on the Orders tab at ``now`` (the SQL condition)."""
    finalized = row.finalized_at
    if finalized is None:
        return True
    for multi, cancelled_too, grace in grace_classes(policy):
        if (row.item_count > 1) is not multi:
            continue
        if not cancelled_too and row.status is OrderStatus.CANCELLED:
            continue
        if finalized > now - grace:
            return True
    return False


class MemoryViewQueries:
    """Page queries over a :class:`MemoryViewIndex` (the caller holds the storage's lock)."""

    def __init__(self, index: MemoryViewIndex, lock: AbstractContextManager[Any]) -> None:
        self._index = index
        self._lock = lock

    def order_page(
        self,
        account_id: str,
        *,
        history: bool,
        now: datetime,
        policy: VisibilityPolicy,
        after: tuple[datetime, int] | None,
        limit: int,
        status: OrderStatus | None = None,
        search: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> list[tuple[str, datetime, int]]:
        """``(order_id, created_at, seq)`` of up to ``limit`` orders after ``after``,
        oldest first, on the Orders tab (or in Order History with ``history``)."""
        index = self._index
        with self._lock:
            rows = [index.orders[k] for k in index.by_account.get(account_id, ())]
            numbers = {r.order_id: set(index.by_order.get(r.order_id, ())) for r, _ in rows}
        out: list[tuple[str, datetime, int]] = []
        for row, seq in rows:
            key = (row.created_at, seq)
            if after is not None and key <= after:
                continue
            if status is not None and row.status is not status:
                continue
            if created_from is not None and row.created_at < created_from:
                continue
            if created_to is not None and row.created_at >= created_to:
                continue
            if search and not (
                row.order_id.startswith(search)
                or any(n.startswith(search) for n in numbers[row.order_id])
            ):
                continue
            if on_tab(row, now, policy) is history:
                continue
            out.append((row.order_id, row.created_at, seq))
        out.sort(key=lambda r: (r[1], r[2]))
        return out[:limit]

    def active_page(
        self,
        account_id: str,
        *,
        now: datetime,
        policy: VisibilityPolicy,
        after: str | None,
        limit: int,
        stage: ActivationStage | None = None,
        tag: ActivationTag | None = None,
        number_prefix: str | None = None,
    ) -> list[ActiveRow]:
        """See ``SqlViewQueries.active_page``."""
        with self._lock:
            rows = list(self._index.active.get(account_id, {}).values())
        rows.sort(key=lambda r: r.number)
        out: list[ActiveRow] = []
        for row in rows:
            if after is not None and row.number <= after:
                continue
            if number_prefix and not row.number.startswith(number_prefix):
                continue
            if stage is not None and row.stage is not stage:
                continue
            if tag is not None and tag_of(row, now, policy) is not tag:
                continue
            out.append(row)
            if len(out) >= limit:
                break
        return out
