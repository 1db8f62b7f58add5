"""Page cursors are input too: a forged, garbled or foreign cursor is a typed error.

A cursor comes back from a browser or an API client, so it is as hostile as any
other field.  On every storage: a cursor of another account or another view, a
garbled one and a hand-forged one with values the databases cannot hold (a 70-bit
integer, a lone surrogate, NUL) each raise ``ValidationError`` naming ``cursor``,
write nothing, and never show another account's rows.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.support.actors import CUSTOMER
from tests.support.clock import T0
from tests.support.storage import AnyStorage
from tnorder import NewItem, OrderKind, OrderService, ValidationError
from tnorder.adapters.clocks import FixedClock
from tnorder.service.cursors import encode_cursor
from tnorder.world import build_service


def forge(*parts: Any) -> str:
    """A cursor in the documented format (docs/decisions.md, "Cursor format"), by hand."""
    text = json.dumps(list(parts))
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


def two_accounts(storage: AnyStorage) -> OrderService:
    svc = build_service(storage, clock=FixedClock(T0))
    for account in ("acct-1", "acct-2"):
        for _ in range(3):
            svc.place_order(account, [NewItem(OrderKind.NEW_NUMBER)], actor=CUSTOMER)
    return svc


PAGES = ["orders_tab_page", "order_history_page"]


@pytest.mark.parametrize("page", PAGES)
def test_a_cursor_of_another_account_is_refused(storage: AnyStorage, page: str) -> None:
    """acct-2's next_cursor, given to a page of acct-1, is a ValidationError; acct-1's
    own cursor walks only acct-1's orders."""
    svc = two_accounts(storage)
    read = getattr(svc, page)
    # Fresh orders are on the Orders tab; Order History's cursor is made the same way.
    foreign = svc.orders_tab_page("acct-2", limit=1).next_cursor
    assert foreign is not None
    if page == "order_history_page":
        foreign = encode_cursor("order_history", (T0, 1), scope="acct-2")
    with pytest.raises(ValidationError, match="another account") as caught:
        read("acct-1", cursor=foreign)
    assert "cursor" == caught.value.field

    seen, cursor = [], None
    while True:
        got = read("acct-1", limit=1, cursor=cursor)
        seen += [row.account_id for row in got.items]
        if got.next_cursor is None:
            break
        cursor = got.next_cursor
    assert (["acct-1"] * 3 if page == "orders_tab_page" else []) == seen


def test_an_active_numbers_cursor_of_another_account_is_refused(storage: AnyStorage) -> None:
    """The same for Active Numbers (its cursor holds a number, not a time)."""
    svc = two_accounts(storage)
    foreign = encode_cursor("active_numbers", ("+14045550100",), scope="acct-2")
    with pytest.raises(ValidationError, match="another account"):
        svc.active_numbers_page("acct-1", cursor=foreign)
    own = encode_cursor("active_numbers", ("+14045550100",), scope="acct-1")
    assert () == svc.active_numbers_page("acct-1", cursor=own).items


def _order_cursor(at: object, seq: object, scope: str = "acct-1") -> str:
    return forge(1, "orders_tab", [at, seq], encode_scope(scope))


def encode_scope(account: str) -> str:
    """The account digest of a real cursor of ``account`` (the fourth element)."""
    real = encode_cursor("orders_tab", (T0, 1), scope=account)
    decoded = json.loads(base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)))
    tag: str = decoded[3]
    return tag


HOSTILE_ORDER_CURSORS = {
    "garbled": "not a cursor!",
    "empty": "",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "old format, no account": forge(1, "orders_tab", ["2026-03-02T09:00:00+00:00", 1]),
    "other view": forge(1, "order_history", ["2026-03-02T09:00:00+00:00", 1], "x"),
    "integer beyond 64 bits": _order_cursor("2026-03-02T09:00:00+00:00", 2**70),
    "integer below 64 bits": _order_cursor("2026-03-02T09:00:00+00:00", -(2**63) - 1),
    "naive time": _order_cursor("2026-03-02T09:00:00", 1),
    "text for a number": _order_cursor("2026-03-02T09:00:00+00:00", "1"),
    "bool for a number": _order_cursor("2026-03-02T09:00:00+00:00", True),
    "forged account digest": _order_cursor("2026-03-02T09:00:00+00:00", 1, "acct-2"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_ORDER_CURSORS))
def test_garbled_and_forged_order_cursors_are_validation_errors(
    storage: AnyStorage, name: str
) -> None:
    """Each hostile cursor is a ValidationError naming the cursor, on every storage."""
    svc = two_accounts(storage)
    with pytest.raises(ValidationError) as caught:
        svc.orders_tab_page("acct-1", cursor=HOSTILE_ORDER_CURSORS[name])
    assert "cursor" == caught.value.field


@pytest.mark.parametrize("key", ["\ud800", "\x00+1404", "+1404\n"])
def test_forged_number_keys_the_database_cannot_take_are_refused(
    storage: AnyStorage, key: str
) -> None:
    """A forged Active Numbers cursor with text a database cannot take (a lone
    surrogate; NUL, which PostgreSQL refuses with a StorageError) is a ValidationError
    naming the cursor, the same on every storage."""
    svc = two_accounts(storage)
    cursor = forge(1, "active_numbers", [key], encode_scope("acct-1"))
    with pytest.raises(ValidationError) as caught:
        svc.active_numbers_page("acct-1", cursor=cursor)
    assert "cursor" == caught.value.field


def test_a_forged_long_number_key_is_only_a_position(storage: AnyStorage) -> None:
    """A long but storable key is a position past every number: an empty last page."""
    svc = two_accounts(storage)
    cursor = forge(1, "active_numbers", ["+1" + "9" * 5000], encode_scope("acct-1"))
    page = svc.active_numbers_page("acct-1", cursor=cursor)
    assert ((), None) == (page.items, page.next_cursor)
