"""Row 2's "what a user would pick instead": the same round trip with the SQLAlchemy ORM.

A team that does not use tnorder maps the order, its items, its history
entries and its outbox rows to SQLAlchemy classes, with ``version_id_col`` on
the order for optimistic locking, and writes the use case against a
``Session``.  The round trip does the same work as ``OrderService.fire`` and
the hand-written version: load the order and its items, look the move up,
change the item's status, append a history row and an outbox row, bump the
order's version, commit, on the same SQLite file and durability.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from tnorder import Order

from ._data import NOW

__all__ = ["orm_round_trip"]


class _Base(DeclarativeBase):
    pass


class OrmOrder(_Base):
    __tablename__ = "orm_orders"

    order_id: Mapped[str] = mapped_column(primary_key=True)
    account_id: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_seq: Mapped[int]
    version: Mapped[int] = mapped_column(nullable=False)
    items: Mapped[list[OrmItem]] = relationship(
        order_by="OrmItem.position", lazy="selectin", back_populates="order"
    )

    # Optimistic locking: every UPDATE of the order checks and bumps this column.
    __mapper_args__ = {"version_id_col": version}


class OrmItem(_Base):
    __tablename__ = "orm_items"

    order_id: Mapped[str] = mapped_column(ForeignKey("orm_orders.order_id"), primary_key=True)
    item_id: Mapped[str] = mapped_column(primary_key=True)
    position: Mapped[int]
    kind: Mapped[str]
    status: Mapped[str]
    number: Mapped[str | None]
    history_len: Mapped[int]
    order: Mapped[OrmOrder] = relationship(back_populates="items")


class OrmHistory(_Base):
    __tablename__ = "orm_history"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(index=True)
    item_id: Mapped[str]
    pos: Mapped[int]
    from_status: Mapped[str]
    to_status: Mapped[str]
    trigger: Mapped[str]
    actor_role: Mapped[str]
    actor_id: Mapped[str]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None]


class OrmOutbox(_Base):
    __tablename__ = "orm_outbox"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    stream: Mapped[str]
    event_id: Mapped[str]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


#: The one rule the round trip exercises, as a user's transition table holds it.
_ALLOWED = {("order_submitted", "request_information"): "information_required"}


def orm_round_trip(
    path: Path, synchronous: str
) -> tuple[Callable[[str, str], None], Callable[[list[Order]], None], Callable[[], None]]:
    """``(run_one, seed, close)`` for the ORM round trip on the SQLite file ``path``.

    ``seed`` writes the given orders' headers and items as ORM rows (not
    timed); ``run_one(order_id, item_id)`` is one use case in one transaction.
    """
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(conn: Any, _record: Any) -> None:
        # The same durability as the adapter and the hand-written version.
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")

    _Base.metadata.create_all(engine)

    def seed(orders: list[Order]) -> None:
        with Session(engine) as session, session.begin():
            for order in orders:
                session.add(
                    OrmOrder(
                        order_id=order.order_id,
                        account_id=order.account_id,
                        created_at=NOW,
                        event_seq=0,
                        items=[
                            OrmItem(
                                item_id=item.item_id,
                                position=n,
                                kind=item.kind.value,
                                status=item.status.value,
                                number=None,
                                history_len=len(item.history),
                            )
                            for n, item in enumerate(order.items)
                        ],
                    )
                )

    def run_one(order_id: str, item_id: str) -> None:
        with Session(engine) as session, session.begin():
            order = session.get(OrmOrder, order_id)
            if order is None:
                raise LookupError(order_id)
            item = next(i for i in order.items if i.item_id == item_id)
            dest = _ALLOWED.get((item.status, "request_information"))
            if dest is None:
                raise ValueError(f"refused from {item.status}")
            entry = OrmHistory(
                order_id=order_id,
                item_id=item_id,
                pos=item.history_len,
                from_status=item.status,
                to_status=dest,
                trigger="request_information",
                actor_role="account_manager",
                actor_id="am-1",
                at=NOW,
                note=None,
            )
            item.status = dest
            item.history_len += 1
            order.event_seq += 1
            session.add(entry)
            session.add(
                OrmOutbox(
                    stream=order_id,
                    event_id=f"{order_id}#{order.event_seq}",
                    payload={
                        "type": "ItemStatusChanged",
                        "item_id": item_id,
                        "from_status": entry.from_status,
                        "to_status": dest,
                        "at": NOW.isoformat(),
                    },
                )
            )

    return run_one, seed, engine.dispose
