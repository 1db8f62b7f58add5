"""Dashboard pages answered by the read model (row 4), and the retired classification.

Row 4 pages the three dashboards of one big account (100,000 numbers in
10,000 orders) stored among the row-3 data set (1,000,000 orders), on SQLite
and PostgreSQL: first and later pages, filtered pages, each warm (asked
before) and never asked before.  The in-memory classification of 100,000
orders that row 4 used to time is kept as information only: the dashboards
no longer classify in Python.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

from tnorder import Order, OrderService
from tnorder.adapters._views_sql import ACTIVE, VIEW_ORDERS, _from_db
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.domain.statuses import ItemStatus
from tnorder.domain.visibility import activation_stages, active_numbers_view, split_orders
from tnorder.service.cursors import encode_cursor

from . import _postgres
from ._data import NOW, in_memory_orders, make_order
from ._harness import Row, Sample, fmt_sample, fmt_time, ratio

T = TypeVar("T")


_FINAL = frozenset(s for s in ItemStatus if s.is_final)


def _floor(orders: list[Order]) -> tuple[list[Order], list[Order], dict[str, ItemStatus]]:
    """The least any classification does: read every item's status and number once."""
    tab: list[Order] = []
    history: list[Order] = []
    numbers: dict[str, ItemStatus] = {}
    final = _FINAL
    for order in orders:
        open_ = False
        for item in order.items:
            status = item.status
            if status not in final:
                open_ = True
            if item.number is not None:
                numbers[item.number] = status
        (tab if open_ else history).append(order)
    return tab, history, numbers


def _time(fn: Callable[[list[Order]], T], orders: list[Order], repeats: int) -> tuple[Sample, T]:
    values = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn(orders)
        values.append(time.perf_counter() - start)
    return Sample(values), result


def bench_classify(quick: bool) -> list[Row]:
    count = 10_000 if quick else 100_000
    repeats = 3
    orders = in_memory_orders(count)
    items = sum(len(o.items) for o in orders)
    split, (tab, history) = _time(lambda o: split_orders(o, NOW), orders, repeats)
    active, numbers = _time(lambda o: activation_stages(o, NOW), orders, repeats)
    views, _ = _time(lambda o: active_numbers_view(o, NOW), orders, repeats)
    # Both views classify every order; the total of each repeat is what a caller pays.
    ours = Sample([a + b for a, b in zip(split.values, active.values, strict=True)])
    floor, _ = _time(_floor, orders, repeats)
    # The target is for 100,000 orders; a quick run scales its figure up to compare.
    scaled = ours.median * 100_000 / count
    return [
        Row(
            f"4z classify {count:,} orders ({items:,} items): tab/history + stages",
            fmt_sample(ours),
            fmt_sample(floor),
            f"{ratio(ours, floor):.1f}x floor",
            f"(info, retired: was <= 0.3 s per 100,000; {scaled:.2f} s scaled)",
            None,
        ),
        Row(
            "4za split_orders (Orders tab / Order History)",
            fmt_sample(split),
            f"{len(tab):,} tab / {len(history):,} history",
            "-",
            "(info)",
            None,
        ),
        Row(
            "4zb activation_stages (Active Numbers stages)",
            fmt_sample(active),
            f"{len(numbers):,} numbers",
            "-",
            "(info)",
            None,
        ),
        Row(
            "4zc active_numbers_view (full dashboard rows)",
            fmt_sample(views),
            f"{len(numbers):,} rows",
            "-",
            "(info)",
            None,
        ),
    ]


# -- row 4: pages of one big account among the row-3 data set ----------------------

BIG = "acct-big"
PAGE = 50
TARGET = 10e-3


def _big_orders(numbers: int) -> Iterator[Order]:
    """``numbers`` numbers in orders of 10, placed over two years; 80% of them final."""
    rng = random.Random(41)
    for n in range(numbers // 10):
        age = timedelta(days=rng.uniform(0, 730))
        final = rng.random() < 0.8
        order = make_order(
            rng,
            f"B-{n:06d}",
            BIG,
            items=10,
            placed=NOW - age - timedelta(days=6 if final else 0),
            final=final,
            drain=False,
        )
        for k, item in enumerate(order.items):
            # Unique within the account: one number per item.
            i = n * 10 + k
            item.number = f"+1678{200 + i // 10_000:03d}{i % 10_000:04d}"
        yield order


#: Overrides the number of orders of the row-3 data set row 4 builds on (the
#: big account's 100,000 numbers stay): building 1,000,000 orders takes most of
#: an hour on a busy two-core machine.
BASE_ENV = "TNORDER_BENCH_VIEWS_BASE"


def _sizes(quick: bool) -> tuple[int, int]:
    if quick:
        return 20_000, 2_000
    return int(os.environ.get(BASE_ENV) or 1_000_000), 100_000


def _sqlite_views_data(count: int, numbers: int) -> tuple[Any, float, bool]:
    """The row-3 SQLite data set plus the big account: (path, seconds, built now?)."""
    from .storage import DATA_DIR, _sqlite_data, _tag

    base, _, _ = _sqlite_data(count)
    path = DATA_DIR / f"views-{_tag(count)}-{numbers}.sqlite3"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, float(json.loads(meta.read_text())["seconds"]), False
    partial = path.with_name(f"partial-{path.name}")
    shutil.copy(base, partial)
    started = time.perf_counter()
    storage = SqliteStorage(partial, synchronous="OFF")
    try:
        storage.bulk_insert_orders(_big_orders(numbers), batch_size=1_000)
    finally:
        storage.close()
    seconds = time.perf_counter() - started
    conn = sqlite3.connect(partial)
    try:
        conn.execute("ANALYZE")
    finally:
        conn.close()
    for stale in DATA_DIR.glob(f"views-*-{numbers}.*"):
        stale.unlink()
    partial.replace(path)
    meta.write_text(json.dumps({"seconds": seconds}))
    return path, seconds, True


def _postgres_views_data(count: int, numbers: int) -> tuple[str, float, bool]:
    """The row-3 data set plus the big account in a PostgreSQL database of its own:
    (conninfo, seconds to build, built now?).

    Built here under this row's own database name, never by renaming or
    dropping row 3's (``tnorder_bench``): several checkouts may share a server.
    """
    from ._pg_copy import cached_copy
    from .storage import _tag

    # A quick run (2,000 numbers) keeps a database of its own: sharing the full
    # run's name made each run rebuild the other's when both use 20,000 orders.
    dbname = f"tnorder_views_{count}"
    if numbers != 100_000:
        dbname += f"_{numbers}"
    # The SQLite data set holds the same rows: copied, not generated again.
    return cached_copy(
        dbname,
        f"{_tag(count)}-{numbers}",
        "views_meta",
        lambda: _sqlite_views_data(count, numbers)[0],
    )


def _middle_cursors(
    query: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]], numbers: int
) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """(view, sort key) in the middle of each big dashboard (page N), read from the
    read model."""
    tab = query(
        f"SELECT created_at, seq FROM {VIEW_ORDERS} WHERE account_id = ? AND is_open = 1"
        " ORDER BY created_at, seq LIMIT 1 OFFSET ?",
        (BIG, _scaled(500, numbers)),
    )
    history = query(
        f"SELECT created_at, seq FROM {VIEW_ORDERS} WHERE account_id = ? AND is_open = 0"
        " ORDER BY created_at, seq LIMIT 1 OFFSET ?",
        (BIG, _scaled(4_000, numbers)),
    )
    numbers = query(
        f"SELECT number FROM {ACTIVE} WHERE account_id = ? ORDER BY number LIMIT 1 OFFSET ?",
        (BIG, _scaled(50_000, numbers)),
    )
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    if tab:
        out["tab"] = ("orders_tab", (_from_db(tab[0][0]), int(tab[0][1])))
    if history:
        out["history"] = ("order_history", (_from_db(history[0][0]), int(history[0][1])))
    if numbers:
        out["active"] = ("active_numbers", (str(numbers[0][0]),))
    return out


def _scaled(offset: int, numbers: int) -> int:
    """``offset`` (chosen for the full run's 100,000 numbers) in a big account of
    ``numbers``, so that a quick run pages from the middle too."""
    return max(1, offset * numbers // 100_000)


def _cursor(cursors: dict[str, tuple[str, tuple[Any, ...]]], which: str, account: str) -> Any:
    """The page-N cursor at the big account's middle position, made for ``account``
    (a cursor is refused for any account but its own)."""
    if which not in cursors:
        return None
    view, key = cursors[which]
    return encode_cursor(view, key, scope=account)


def _page_queries(
    service: OrderService,
    cursors: dict[str, tuple[str, tuple[Any, ...]]],
    accounts: list[str],
) -> list[tuple[str, str, Callable[[str], object]]]:
    """(letter, case, query(account)) for each row-4 case, for ``accounts``."""
    # Made before anything is timed: encoding a cursor is the caller's work, not the page's.
    made = {(which, a): _cursor(cursors, which, a) for which in cursors for a in accounts}
    return [
        ("a", "Orders tab, page 1", lambda a: service.orders_tab_page(a, limit=PAGE)),
        (
            "b",
            "Orders tab, page N",
            lambda a: service.orders_tab_page(a, limit=PAGE, cursor=made.get(("tab", a))),
        ),
        ("c", "Order History, page 1", lambda a: service.order_history_page(a, limit=PAGE)),
        (
            "d",
            "Order History, page N",
            lambda a: service.order_history_page(a, limit=PAGE, cursor=made.get(("history", a))),
        ),
        ("e", "Active Numbers, page 1", lambda a: service.active_numbers_page(a, limit=PAGE)),
        (
            "f",
            "Active Numbers, page N",
            lambda a: service.active_numbers_page(a, limit=PAGE, cursor=made.get(("active", a))),
        ),
        (
            "g",
            "Active Numbers, filtered (Not Active, +1678 prefix)",
            lambda a: service.active_numbers_page(
                a, limit=PAGE, tag="not_active", number_prefix="+1678"
            ),
        ),
        (
            "h",
            "Order History, filtered (Completed)",
            lambda a: service.order_history_page(a, limit=PAGE, status="completed"),
        ),
    ]


def _measure(
    make_service: Callable[[], tuple[OrderService, Callable[[], None]]],
    cursors: dict[str, tuple[str, tuple[Any, ...]]],
    fresh: list[str],
    repeats: int,
) -> tuple[dict[str, tuple[str, Sample, Sample, Sample]], Sample]:
    """Per case: (name, never asked before for the big account, never asked before
    for other accounts, warm for the big account); and the process's first call of
    each case, made for an account measured nowhere else."""
    service, close = make_service()
    warmup, *fresh = fresh
    try:
        cases = _page_queries(service, cursors, [BIG, warmup, *fresh])
        # The process's first call of each query: one account, not measured
        # below.  It pays once per process what no account causes (the first
        # span imports OpenTelemetry, the first run compiles the statement);
        # a host pays it on its first request, not on each new account's.
        process: list[float] = []
        for _, _, query in cases:
            start = time.perf_counter()
            query(warmup)
            process.append(time.perf_counter() - start)
        first: dict[str, list[float]] = {letter: [] for letter, _, _ in cases}
        # Never asked before: the first call of each query for an account
        # whose rows this storage (a new connection) has never read, the big
        # account first, then other accounts.
        for letter, _, query in cases:
            start = time.perf_counter()
            query(BIG)
            first[letter].append(time.perf_counter() - start)
        others: dict[str, list[float]] = {letter: [] for letter, _, _ in cases}
        for i, account in enumerate(fresh):
            letter, _, query = cases[i % len(cases)]
            start = time.perf_counter()
            query(account)
            others[letter].append(time.perf_counter() - start)
        warm: dict[str, list[float]] = {letter: [] for letter, _, _ in cases}
        for _ in range(repeats):
            for letter, _, query in cases:
                start = time.perf_counter()
                query(BIG)
                warm[letter].append(time.perf_counter() - start)
        return {
            letter: (
                name,
                Sample(first[letter]),
                Sample(others[letter] or [float("nan")]),
                Sample(warm[letter]),
            )
            for letter, name, _ in cases
        }, Sample(process)
    finally:
        close()


def _rows(
    db: str,
    numbers: int,
    count: int,
    measured: dict[str, tuple[str, Sample, Sample, Sample]],
    process: Sample,
) -> list[Row]:
    rows = [
        Row(
            f"4  {db}: the process's first call of each page query (one account, not"
            " counted above or below)",
            f"{fmt_time(max(process.values))} (slowest)",
            f"{fmt_time(process.median)} (median of {len(process.values)})",
            "-",
            "(info)",
            None,
        )
    ]
    for letter, (name, first, others, warm) in measured.items():
        # The big account's orders (ten numbers each) come on top of the data set's.
        total = count + numbers // 10
        case = f"4{letter} {name}, account of {numbers:,} numbers among {total:,} orders, {db}"
        rows.append(
            Row(
                f"{case}, warm",
                fmt_sample(warm),
                "-",
                "-",
                "<= 10 ms",
                warm.median <= TARGET,
            )
        )
        worst = max(first.median, others.median)
        rows.append(
            Row(
                f"{case}, never asked before",
                f"{fmt_time(first.median)} (big account)",
                f"{fmt_time(others.median)} (other accounts, median)",
                "-",
                "<= 10 ms",
                worst <= TARGET,
            )
        )
    return rows


def _data_row(case: str, seconds: float, fresh: bool, numbers: int) -> Row:
    how = "built now" if fresh else "cached; building took"
    return Row(case, f"{how} {fmt_time(seconds)}", f"{numbers:,} numbers", "-", "(info)", None)


def bench_pages(quick: bool) -> list[Row]:
    from .storage import _fresh_accounts, _sample_accounts

    count, numbers = _sizes(quick)
    repeats = 5 if quick else 21
    fresh = _fresh_accounts(count, 24 if quick else 96, _sample_accounts(count, 40))["ours"]
    rows: list[Row] = []

    path, seconds, built = _sqlite_views_data(count, numbers)
    conn = sqlite3.connect(path)
    try:
        cursors = _middle_cursors(lambda sql, p: conn.execute(sql, p).fetchall(), numbers)
    finally:
        conn.close()

    def sqlite_service() -> tuple[OrderService, Callable[[], None]]:
        storage = SqliteStorage(path)
        storage.schema_version()  # the connection is open before anything is timed
        return OrderService(storage, clock=FixedClock(NOW)), storage.close

    measured, process = _measure(sqlite_service, cursors, fresh, repeats)
    rows.extend(_rows("SQLite", numbers, count, measured, process))
    rows.append(
        _data_row("4i  SQLite: big account added to the row-3 data set", seconds, built, numbers)
    )
    rows.extend(_postgres_pages(count, numbers, fresh, repeats))
    return rows


def _postgres_pages(count: int, numbers: int, fresh: list[str], repeats: int) -> list[Row]:
    reason = _postgres.unavailable()
    if reason is not None:
        return [Row("4p pages on PostgreSQL", f"not measured: {reason}", "-", "-", "(info)", None)]
    import psycopg

    from tnorder.adapters.postgres import PostgresStorage

    conninfo, seconds, built = _postgres_views_data(count, numbers)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cursors = _middle_cursors(
            lambda sql, p: conn.execute(sql.replace("?", "%s"), p).fetchall(), numbers
        )

    def pg_service() -> tuple[OrderService, Callable[[], None]]:
        storage = PostgresStorage(conninfo, migrate=False)
        storage.schema_version()  # the connection is open before anything is timed
        return OrderService(storage, clock=FixedClock(NOW)), storage.close

    measured, process = _measure(pg_service, cursors, fresh, repeats)
    return [
        *_rows("PostgreSQL", numbers, count, measured, process),
        _data_row(
            "4j  PostgreSQL: row-3 data set with the big account, built", seconds, built, numbers
        ),
    ]


CASES = [bench_pages, bench_classify]
