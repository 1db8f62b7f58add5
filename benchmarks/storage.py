"""Storage benchmarks: a load-apply-save round trip (row 2) and the Orders tab query (row 3).

Both go through ``OrderService`` on the real adapters, and each is compared
in the same run with its floor: the same SQL statements on the same driver
and database, with the stored JSON passed through untouched (no decoding, no
domain rules, no encoding).
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tnorder import NewItem, Order, OrderKind, OrderService, Trigger, serialization
from tnorder.adapters import _sql, _views_sql
from tnorder.adapters.clocks import FixedClock
from tnorder.adapters.memory import MemoryStorage
from tnorder.adapters.sqlite import SqliteStorage
from tnorder.serialization import SCHEMA_VERSION

from . import _postgres
from ._data import MANAGER, NOW, account_of, stored_orders
from ._harness import Row, Sample, fmt_sample, fmt_time, ratio
from ._pg_copy import cached_copy

DATA_DIR = Path(__file__).resolve().parent / ".data"
#: Bump when the generated data changes shape, so cached databases are rebuilt.
DATA_VERSION = 3
ORDERS_PER_ACCOUNT = 100
BATCH = 10_000

RI = Trigger.REQUEST_INFORMATION
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# -- row 2: load, apply one event, save ------------------------------------------


def _fresh_orders(prefix: str, count: int) -> list[Order]:
    orders = []
    for n in range(count):
        order = Order.place(
            f"{prefix}-{n}", "acct-rt", [NewItem(OrderKind.NEW_NUMBER)] * 10, actor=MANAGER, at=NOW
        )
        order.pull_events()
        orders.append(order)
    return orders


def _seed(storage: Any, orders: list[Order]) -> None:
    bulk = getattr(storage, "bulk_insert_orders", None)
    if bulk is not None:
        bulk(orders)
        return
    with storage.unit_of_work() as uow:
        for order in orders:
            uow.orders.add(order)
        uow.commit()


def _service_runner(storage: Any) -> Callable[[str, str], None]:
    """One round trip through the library: ``OrderService.fire`` (load, apply, save + event)."""
    fire = OrderService(storage, clock=FixedClock(NOW)).fire

    def run_one(order_id: str, item_id: str) -> None:
        fire(order_id, item_id, RI, actor=MANAGER)

    return run_one


#: Which library writes and reads tnorder's JSON text in this environment.
JSON_BACKEND = "json" if importlib.util.find_spec("orjson") is None else "orjson"


def _stdlib_json_runner(storage: Any) -> Callable[[str, str], None]:
    """``_service_runner`` with the JSON text written and read by the standard library,
    as it is when the optional ``orjson`` (``tnorder[fast]``) is not installed."""
    run = _service_runner(storage)
    stdlib = serialization._stdlib_to_json, serialization._stdlib_from_json

    def run_one(order_id: str, item_id: str) -> None:
        installed = serialization._TO_JSON, serialization._FROM_JSON
        serialization._TO_JSON, serialization._FROM_JSON = stdlib
        try:
            run(order_id, item_id)
        finally:
            serialization._TO_JSON, serialization._FROM_JSON = installed

    return run_one


def _orm_unavailable() -> str | None:
    """Why the SQLAlchemy comparison cannot run here, or None when it can."""
    if importlib.util.find_spec("sqlalchemy") is None:
        return "SQLAlchemy is not installed (the dev dependency group has it)"
    return None


def _round_trips(
    storage: Any,
    runners: dict[str, Callable[[str, str], None]],
    per_repeat: int,
    repeats: int,
    seeders: dict[str, Callable[[list[Order]], None]] | None = None,
) -> dict[str, Sample]:
    """Seconds per round trip for each runner, the runners taking turns in every repeat.

    Each turn seeds fresh 10-item orders (not timed), then makes one round trip
    per item of each order, visiting the orders in turn: an order holds 20 to
    30 history entries while it is measured.  A runner gets ``(order_id,
    item_id)``.  A runner named in ``seeders`` keeps its own tables: its
    seeder writes the fresh orders there too (not timed).
    """
    values: dict[str, list[float]] = {name: [] for name in runners}
    for repeat in range(repeats):
        for name, run_one in runners.items():
            orders = _fresh_orders(f"{name}{repeat}", per_repeat)
            _seed(storage, orders)
            if seeders and name in seeders:
                seeders[name](orders)
            calls = [(o.order_id, f"{o.order_id}-{k}") for k in range(1, 11) for o in orders]
            gc.collect()
            start = time.perf_counter()
            for order_id, item_id in calls:
                run_one(order_id, item_id)
            values[name].append((time.perf_counter() - start) / len(calls))
    return {name: Sample(v) for name, v in values.items()}


# The same-shaped transaction on the row model, as raw SQL: read the header and
# the one item row the event touches (in one query, as ``OrderService.fire``
# does), then in one transaction update the header (version-checked, with its
# item summary), rewrite that item row, append one history row and one outbox row.
_SELECT_ROWS = (
    "SELECT o.version, o.account_id, o.created_at, o.finalized_at, o.body,"
    " i.item_id, i.history_len, i.body, i.last_entry, i.written_version, i.position, o.seq"
    f" FROM {_sql.ORDERS} o JOIN {_sql.ITEMS} i ON i.order_id = o.order_id"
    " AND i.item_id IN (?) WHERE o.order_id = ?"
)
_UPDATE_ROW = (
    f"UPDATE {_sql.ORDERS} SET version = ?, account_id = ?, created_at = ?, finalized_at = ?, "
    "body = ? WHERE order_id = ? AND version = ?"
)
_UPDATE_ITEM = (
    f"UPDATE {_sql.ITEMS} SET status = ?, history_len = ?, body = ?, last_entry = ?,"
    " written_version = ? WHERE order_id = ? AND item_id = ?"
)
_UPDATE_VIEW_ITEM = (
    f"UPDATE {_views_sql.VIEW_ITEMS} SET status = ?, delivery_kind = ?, delivery_text = ?,"
    " latest_note = ? WHERE account_id = ? AND created_at = ? AND seq = ? AND position = ?"
)
_UPDATE_VIEW_ORDER = f"UPDATE {_views_sql.VIEW_ORDERS} SET status = ? WHERE order_id = ?"
_INSERT_ENTRY = f"INSERT INTO {_sql.HISTORY} (order_id, item_id, pos, body) VALUES (?, ?, ?, ?)"
_INSERT_EVENT = f"INSERT INTO {_sql.OUTBOX} (stream, event_id, payload) VALUES (?, ?, ?)"
_EVENT_PAYLOAD = json.dumps({"type": "ItemStatusChanged", "data": {"pad": "x" * 300}})
_ENTRY = json.dumps({"type": "HistoryEntry", "data": {"pad": "x" * 150}})


def _one_row(cursor: Any) -> None:
    """The read-model row was found by its key: the comparison does the work it claims."""
    if cursor.rowcount != 1:
        raise AssertionError(f"the view item update matched {cursor.rowcount} rows")


def _raw_transaction(
    execute: Callable[..., Any], begin: str, *, views: bool = True
) -> Callable[[str, str], None]:
    """The floor: the same statements with the stored text passed through untouched.

    With ``views`` it also updates the event's two read-model rows (the item's
    dashboard row and the order's), as ``OrderService`` does in the same
    transaction; without, it is the floor of the row model alone.
    """

    def run_one(order_id: str, item_id: str) -> None:
        rows = execute(_SELECT_ROWS, (item_id, order_id)).fetchall()
        version, account, created, finalized, header = rows[0][:5]
        row = rows[0]
        count = row[6]
        execute(begin)
        execute(_UPDATE_ROW, (version + 1, account, created, finalized, header, order_id, version))
        execute(_UPDATE_ITEM, ("x", count + 1, row[7], _ENTRY, version + 1, order_id, item_id))
        execute(_INSERT_ENTRY, (order_id, item_id, count, _ENTRY))
        execute(_INSERT_EVENT, (order_id, f"{order_id}#{version + 1}", _EVENT_PAYLOAD))
        if views:
            _one_row(
                execute(
                    _UPDATE_VIEW_ITEM,
                    ("x", "unavailable", "Unavailable", None, account, created, row[11], row[10]),
                )
            )
            execute(_UPDATE_VIEW_ORDER, ("action_required", order_id))
        execute("COMMIT")

    return run_one


def _hand_written(
    execute: Callable[..., Any], begin: str, *, views: bool = True
) -> Callable[[str, str], None]:
    """What a careful team writes by hand: plain dicts, orjson, the same SQL and
    durability; the rule is one table lookup, the entry and event are dicts.

    With ``views`` it keeps the same two read-model rows current as ``OrderService``
    does (the item's status and delivery text, the order's intent from its item
    counts); without, it writes the order rows alone.
    """
    import orjson

    allowed = {("order_submitted", "request_information"): "information_required"}
    # The order's intent from its items' statuses (the statuses this bench reaches).
    action = {"information_required"}
    loads, dumps = orjson.loads, orjson.dumps

    def run_one(order_id: str, item_id: str) -> None:
        rows = execute(_SELECT_ROWS, (item_id, order_id)).fetchall()
        version, account, created, finalized, header_text = rows[0][:5]
        header = loads(header_text)
        if rows[0][9] > version:
            raise ValueError("conflict")
        count, item = rows[0][6], loads(rows[0][7])
        data = item["data"]
        dest = allowed.get((data["status"], "request_information"))
        if dest is None:
            raise ValueError("refused")
        at = "2026-03-02T09:00:00+00:00"
        actor = {"role": "account_manager", "id": "am-1"}
        entry = {"from_status": data["status"], "to_status": dest, "trigger": "request_information"}
        entry.update(actor=actor, at=at, note=None)
        statuses = header["data"]["statuses"]
        statuses[data["status"]] -= 1
        statuses[dest] = statuses.get(dest, 0) + 1
        data["status"] = dest
        seq = header["data"]["event_seq"] = header["data"]["event_seq"] + 1
        event = {"type": "ItemStatusChanged", "event_id": f"{order_id}#{seq}", "data": entry}
        entry_text = dumps({"schema_version": 1, "type": "HistoryEntry", "data": entry}).decode()
        execute(begin)
        execute(
            _UPDATE_ROW,
            (version + 1, account, created, finalized, dumps(header).decode(), order_id, version),
        )
        execute(
            _UPDATE_ITEM,
            (dest, count + 1, dumps(item).decode(), entry_text, version + 1, order_id, item_id),
        )
        execute(_INSERT_ENTRY, (order_id, item_id, count, entry_text))
        execute(_INSERT_EVENT, (order_id, f"{order_id}#{seq}", dumps(event).decode()))
        if views:
            intent = "action_required" if any(statuses.get(s) for s in action) else "no_action"
            note = entry["note"]
            _one_row(
                execute(
                    _UPDATE_VIEW_ITEM,
                    (
                        dest,
                        "unavailable",
                        "Unavailable",
                        note,
                        account,
                        created,
                        rows[0][11],
                        rows[0][10],
                    ),
                )
            )
            execute(_UPDATE_VIEW_ORDER, (intent, order_id))
        execute("COMMIT")

    return run_one


def _sqlite_conn(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    return conn


def _sqlite_floor(
    path: Path, synchronous: str, *, views: bool = True
) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    conn = _sqlite_conn(path, synchronous)
    return _raw_transaction(conn.execute, "BEGIN IMMEDIATE", views=views), conn.close


def _sqlite_hand_written(
    path: Path, synchronous: str, *, views: bool = True
) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    conn = _sqlite_conn(path, synchronous)
    return _hand_written(conn.execute, "BEGIN IMMEDIATE", views=views), conn.close


def _pg_execute(conn: Any) -> Callable[..., Any]:
    def execute(sql: str, params: Any = None) -> Any:
        return conn.execute(sql.replace("?", "%s"), params)

    return execute


def _postgres_floor(conninfo: str) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    import psycopg

    conn = psycopg.connect(conninfo, autocommit=True)
    return _raw_transaction(_pg_execute(conn), "BEGIN"), conn.close


def _postgres_hand_written(
    conninfo: str,
) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    import psycopg

    conn = psycopg.connect(conninfo, autocommit=True)
    return _hand_written(_pg_execute(conn), "BEGIN"), conn.close


def _rate(sample: Sample) -> str:
    return f"{1 / sample.median:,.0f}/s ({fmt_sample(sample)})"


def _rt_row(case: str, ours: Sample, floor: Sample | None, target: str, met: bool | None) -> Row:
    return Row(
        case,
        _rate(ours),
        _rate(floor) if floor is not None else "-",
        f"{ratio(ours, floor):.1f}x floor" if floor is not None else "-",
        target,
        met,
    )


@contextmanager
def _temp_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tnorder-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_round_trip(quick: bool) -> list[Row]:
    per_repeat, repeats = (30, 3) if quick else (150, 5)
    rows = []
    with _temp_dir() as tmp:
        for synchronous, target in (("NORMAL", True), ("FULL", False)):
            path = tmp / f"rt-{synchronous.lower()}.sqlite3"
            storage = SqliteStorage(path, synchronous=synchronous)  # type: ignore[arg-type]
            run_one, close = _sqlite_floor(path, synchronous)
            by_hand, close_hand = _sqlite_hand_written(path, synchronous)
            bare, close_bare = _sqlite_floor(path, synchronous, views=False)
            bare_hand, close_bare_hand = _sqlite_hand_written(path, synchronous, views=False)
            seeders: dict[str, Callable[[list[Order]], None]] = {}
            close_orm: Callable[[], None] = lambda: None  # noqa: E731
            try:
                runners = {"ours": _service_runner(storage), "floor": run_one, "hand": by_hand}
                if target:
                    runners["floor, rows only"] = bare
                    runners["hand, rows only"] = bare_hand
                    runners["stdlib json"] = _stdlib_json_runner(storage)
                    orm_reason = _orm_unavailable()
                    if orm_reason is None:
                        from .orm import orm_round_trip

                        runners["orm"], seeders["orm"], close_orm = orm_round_trip(
                            path, synchronous
                        )
                samples = _round_trips(storage, runners, per_repeat, repeats, seeders)
            finally:
                close()
                close_hand()
                close_bare()
                close_bare_hand()
                close_orm()
                storage.close()
            ours, floor, hand = samples["ours"], samples["floor"], samples["hand"]
            rows.append(
                _rt_row(
                    f"2{'a' if target else 'b'} load+apply+save, SQLite WAL sync={synchronous}"
                    f" ({JSON_BACKEND}) vs raw same-shaped transaction (read model rows too)",
                    ours,
                    floor,
                    ">= 8,000/s" if target else "(info)",
                    1 / ours.median >= 8_000 if target else None,
                )
            )
            rows.append(
                Row(
                    f"2{'a' if target else 'b'}h the same vs hand-written"
                    " (dicts, orjson, raw SQL, read model rows too)",
                    _rate(ours),
                    _rate(hand),
                    f"{ratio(hand, ours):.2f}x of hand-written speed",
                    ">= 1.0x" if target else "(info)",
                    ratio(hand, ours) >= 1.0 if target else None,
                )
            )
            if target:
                rows.extend(
                    Row(
                        f"2{tag}  {what}, without the read model's two row updates",
                        _rate(ours),
                        _rate(samples[name]),
                        f"{ratio(samples[name], ours):.2f}x of its speed",
                        "(info)",
                        None,
                    )
                    for tag, what, name in (
                        ("a", "the raw same-shaped transaction", "floor, rows only"),
                        ("ah", "the hand-written version", "hand, rows only"),
                    )
                )
                if "orm" in samples:
                    orm = samples["orm"]
                    rows.append(
                        Row(
                            "2ao the same vs SQLAlchemy ORM (version_id_col, same durability)",
                            _rate(ours),
                            _rate(orm),
                            f"{ratio(orm, ours):.2f}x of the ORM's speed",
                            "(info)",
                            None,
                        )
                    )
                else:
                    rows.append(
                        Row(
                            "2ao the same vs SQLAlchemy ORM",
                            f"not measured: {orm_reason}",
                            "-",
                            "-",
                            "(info)",
                            None,
                        )
                    )
                stdlib = samples["stdlib json"]
                rows.append(
                    Row(
                        "2e  2a with the stdlib json (without tnorder[fast]) vs 2a",
                        _rate(stdlib),
                        _rate(ours),
                        f"{ratio(stdlib, ours):.2f}x slower",
                        "(info)",
                        None,
                    )
                )
    storage = MemoryStorage()
    memory = _round_trips(storage, {"ours": _service_runner(storage)}, per_repeat, repeats)["ours"]
    rows.append(_rt_row("2c load+apply+save, MemoryStorage", memory, None, "(info)", None))
    rows.extend(_postgres_round_trip(per_repeat, repeats))
    return rows


def _postgres_round_trip(per_repeat: int, repeats: int) -> list[Row]:
    case = "2d load+apply+save, PostgreSQL"
    reason = _postgres.unavailable()
    if reason is not None:
        return [Row(case, f"not measured: {reason}", "-", "-", "(info)", None)]
    from tnorder.adapters.postgres import PostgresStorage

    with _postgres.throwaway_database(f"tnorder_bench_rt_{os.getpid()}") as conninfo:
        storage = PostgresStorage(conninfo)
        run_one, close = _postgres_floor(conninfo)
        by_hand, close_hand = _postgres_hand_written(conninfo)
        try:
            runners = {"ours": _service_runner(storage), "floor": run_one, "hand": by_hand}
            samples = _round_trips(storage, runners, per_repeat, repeats)
        finally:
            close()
            close_hand()
            storage.close()
    ours, floor, hand = samples["ours"], samples["floor"], samples["hand"]
    share = ratio(floor, ours)
    return [
        Row(
            f"{case} vs raw same-shaped transaction",
            _rate(ours),
            _rate(floor),
            f"{share:.0%} of raw",
            ">= 60% of raw",
            share >= 0.6,
        ),
        Row(
            f"{case} vs hand-written (dicts, orjson, raw SQL)",
            _rate(ours),
            _rate(hand),
            f"{ratio(hand, ours):.2f}x of hand-written speed",
            "(info)",
            None,
        ),
    ]


# -- row 3: the Orders tab among a million stored orders ---------------------------


def _tag(count: int) -> str:
    return f"v{DATA_VERSION}-s{SCHEMA_VERSION}-m{_sql.LATEST_SCHEMA}-{count}"


def _chunks(count: int) -> list[tuple[int, int]]:
    return [(start, min(start + BATCH, count)) for start in range(0, count, BATCH)]


def _accounts(count: int) -> int:
    return max(1, count // ORDERS_PER_ACCOUNT)


def _insert_chunks(
    make_storage: Callable[[], Any], count: int, chunks: list[tuple[int, int]]
) -> int:
    """Worker: bulk-insert the given chunks of the stored data set."""
    storage = make_storage()
    try:
        done = 0
        for start, stop in chunks:
            # Built before the write: the other worker writes meanwhile.
            orders = list(stored_orders(start, stop, accounts=_accounts(count)))
            done += storage.bulk_insert_orders(orders, batch_size=BATCH)
        return done
    finally:
        storage.close()


def _generate(make_storage: Callable[[], Any], count: int) -> float:
    """Fill a migrated, empty database with the data set on two processes; return seconds.

    Orders are built through the public API and written with the adapter's
    ``bulk_insert_orders`` (one transaction per 10,000).  Building and encoding
    them is most of the work, so two worker processes share the chunks.
    """
    chunks = _chunks(count)
    workers = min(2, os.cpu_count() or 1, len(chunks))
    started = time.perf_counter()
    if workers == 1:
        _insert_chunks(make_storage, count, chunks)
    else:
        with ProcessPoolExecutor(workers) as pool:
            futures = [
                pool.submit(_insert_chunks, make_storage, count, chunks[i::workers])
                for i in range(workers)
            ]
            total = sum(f.result() for f in futures)
        if total != count:
            raise RuntimeError(f"generated {total} orders, expected {count}")
    return time.perf_counter() - started


class _SqliteMaker:
    """Picklable: opens the generation database (no fsync: it is a cache, rebuilt if torn)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> SqliteStorage:
        # The workers take turns writing (SQLite has one writer at a time). A
        # batch of 10,000 orders can hold the lock longer than the adapter's
        # default 10 s wait on a busy machine, and a worker that gave up lost
        # its half of the data set: wait as long as a batch can take.
        return SqliteStorage(self.path, synchronous="OFF", migrate=False, timeout=3600)


def _sqlite_data(count: int) -> tuple[Path, float, bool]:
    """The cached SQLite data set: (path, generation seconds, generated now?).

    Built under a temporary name and renamed when complete, so an interrupted
    or concurrent run never leaves a half-filled file under the cached name.
    """
    DATA_DIR.mkdir(exist_ok=True)
    tag = _tag(count)
    path = DATA_DIR / f"orders-{tag}.sqlite3"
    meta = DATA_DIR / f"orders-{tag}.json"
    if path.exists() and meta.exists():
        return path, float(json.loads(meta.read_text())["seconds"]), False
    partial = DATA_DIR / f"partial-{os.getpid()}-{tag}.sqlite3"
    SqliteStorage(partial, synchronous="OFF").close()  # migrate once, before the workers
    try:
        seconds = _generate(_SqliteMaker(partial), count)
        conn = sqlite3.connect(partial)
        try:
            conn.execute("ANALYZE")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            conn.close()
        for stale in DATA_DIR.glob(f"orders-*-{count}.*"):
            stale.unlink()
        partial.replace(path)
        meta.write_text(json.dumps({"seconds": seconds, "orders": count}))
    finally:
        for leftover in DATA_DIR.glob(partial.name + "*"):
            leftover.unlink()
    return path, seconds, True


def _postgres_data(count: int) -> tuple[str, float, bool]:
    """The cached PostgreSQL data set: (conninfo, generation seconds, generated now?).

    The database (``tnorder_bench``, or ``tnorder_bench_<count>`` for other
    sizes) carries a ``bench_meta`` table naming its data version; a database
    with another version is rebuilt.  It is filled under a temporary name and
    renamed when complete.
    """
    dbname = "tnorder_bench" if count == 1_000_000 else f"tnorder_bench_{count}"
    # The SQLite data set holds the same rows: copying them is many times faster
    # than generating a million orders again (see benchmarks/_pg_copy.py).
    return cached_copy(dbname, _tag(count), "bench_meta", lambda: _sqlite_data(count)[0])


def _median_calls(
    queries: dict[str, Callable[[str], object]], accounts: list[str], repeats: int
) -> dict[str, Sample]:
    """Per repeat, the median seconds of one ``query(account)`` over ``accounts``.

    The queries take turns within each repeat (see ``interleaved``).
    """
    for query in queries.values():  # warm the page cache, the driver and the hooks
        for account in accounts:
            query(account)
    values: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(repeats):
        for name, query in queries.items():
            times = []
            for account in accounts:
                start = time.perf_counter()
                query(account)
                times.append(time.perf_counter() - start)
            times.sort()
            values[name].append(times[len(times) // 2])
    return {name: Sample(v) for name, v in values.items()}


def _first_calls(
    queries: dict[str, Callable[[str], object]], accounts: dict[str, list[str]]
) -> dict[str, Sample]:
    """Seconds of each query's first call for accounts nobody asked before.

    Every query gets its own accounts (``accounts[name]``), none asked before
    in this process, so neither the database's buffers nor the adapter hold
    them from an earlier call; the OS page cache is not dropped (that needs
    root), so a page another account shares may still be in memory.  The
    queries take turns account by account.
    """
    values: dict[str, list[float]] = {name: [] for name in queries}
    for turn in zip(*(accounts[name] for name in queries), strict=True):
        for (name, query), account in zip(queries.items(), turn, strict=True):
            start = time.perf_counter()
            query(account)
            values[name].append(time.perf_counter() - start)
    return {name: Sample(v) for name, v in values.items()}


def _tab_rows(
    case: str, warm: dict[str, Sample], cold: dict[str, Sample], target: str, limit: float | None
) -> list[Row]:
    rows = []
    for how, samples in (
        ("warm cache: accounts asked before", warm),
        ("accounts never asked before (first query each)", cold),
    ):
        ours, floor = samples["ours"], samples["floor"]
        rows.append(
            Row(
                f"{case}, {how}",
                fmt_sample(ours),
                fmt_sample(floor),
                f"{ratio(ours, floor):.1f}x floor",
                target,
                None if limit is None else ours.median <= limit,
            )
        )
    return rows


def _fresh_accounts(count: int, how_many: int, taken: list[str]) -> dict[str, list[str]]:
    """Two disjoint lists of accounts outside ``taken``, for ``ours`` and ``floor``."""
    rng = random.Random(17)
    seen = set(taken)
    fresh: list[str] = []
    while len(fresh) < 2 * how_many and len(seen) < _accounts(count):
        account = account_of(rng.randrange(_accounts(count)), _accounts(count))
        if account not in seen:
            seen.add(account)
            fresh.append(account)
    half = len(fresh) // 2
    return {"ours": fresh[:half], "floor": fresh[half : 2 * half]}


_TAB_SQL = (
    f"SELECT order_id, version, body FROM {_sql.ORDERS} WHERE account_id = ? "
    "AND finalized_at IS NULL UNION ALL "
    f"SELECT order_id, version, body FROM {_sql.ORDERS} WHERE account_id = ? "
    "AND finalized_at >= ?"
)


def _grace_start(service: OrderService) -> Any:
    policy = service.view_policy
    return NOW - max(policy.single_item_grace, policy.multi_item_grace)


def _sample_accounts(count: int, how_many: int) -> list[str]:
    rng = random.Random(9)
    return [account_of(rng.randrange(_accounts(count)), _accounts(count)) for _ in range(how_many)]


def _tab_count(service: OrderService, accounts: list[str]) -> float:
    return sum(len(service.orders_tab(a)) for a in accounts) / len(accounts)


def bench_orders_tab(quick: bool) -> list[Row]:
    count = 20_000 if quick else 1_000_000
    accounts = _sample_accounts(count, 40 if quick else 100)
    repeats = 3 if quick else 7
    rows = []

    fresh_accounts = _fresh_accounts(count, len(accounts), accounts)

    path, seconds, fresh = _sqlite_data(count)
    storage = SqliteStorage(path)
    try:
        service = OrderService(storage, clock=FixedClock(NOW))
        # The adapter stores times as integer microseconds since the epoch.
        since = (_grace_start(service) - _EPOCH) // timedelta(microseconds=1)
        conn = sqlite3.connect(path)
        try:
            queries: dict[str, Callable[[str], object]] = {
                "ours": service.orders_tab,
                "floor": lambda a: conn.execute(_TAB_SQL, (a, a, since)).fetchall(),
            }
            # First: accounts never asked before, then the warm runs.
            cold = _first_calls(queries, fresh_accounts)
            shown = _tab_count(service, accounts)
            warm = _median_calls(queries, accounts, repeats)
        finally:
            conn.close()
    finally:
        storage.close()
    rows.extend(
        _tab_rows(
            f"3a Orders tab, 1 account of {count:,} orders, SQLite", warm, cold, "<= 5 ms", 5e-3
        )
    )
    rows.append(_data_row("3b  SQLite data set", count, seconds, fresh, shown))
    rows.extend(_postgres_orders_tab(count, accounts, repeats, fresh_accounts))
    return rows


def _data_row(case: str, count: int, seconds: float, fresh: bool, shown: float) -> Row:
    how = "generated now" if fresh else "cached; generation took"
    return Row(
        case,
        f"{how} {fmt_time(seconds)}",
        f"{count / seconds:,.0f} orders/s",
        "-",
        f"(info: {shown:.1f} orders on a tab)",
        None,
    )


def _postgres_orders_tab(
    count: int, accounts: list[str], repeats: int, fresh_accounts: dict[str, list[str]]
) -> list[Row]:
    case = f"3c Orders tab, 1 account of {count:,} orders, PostgreSQL"
    reason = _postgres.unavailable()
    if reason is not None:
        return [Row(case, f"not measured: {reason}", "-", "-", "(info)", None)]
    import psycopg

    from tnorder.adapters.postgres import PostgresStorage

    conninfo, seconds, fresh = _postgres_data(count)
    storage = PostgresStorage(conninfo, migrate=False)
    try:
        service = OrderService(storage, clock=FixedClock(NOW))
        since = _grace_start(service)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            sql = _TAB_SQL.replace("?", "%s")
            queries: dict[str, Callable[[str], object]] = {
                "ours": service.orders_tab,
                "floor": lambda a: conn.execute(sql, (a, a, since)).fetchall(),
            }
            cold = _first_calls(queries, fresh_accounts)
            shown = _tab_count(service, accounts)
            warm = _median_calls(queries, accounts, repeats)
    finally:
        storage.close()
    return [
        *_tab_rows(case, warm, cold, "(info)", None),
        _data_row("3d  PostgreSQL data set", count, seconds, fresh, shown),
    ]


CASES = [bench_round_trip, bench_orders_tab]
