"""Many hosts on one PostgreSQL (issue 17, point 3): throughput per number of processes,
with relay workers draining the outbox side by side, and the delivery checked.

Each host process runs use cases through its own ``OrderService`` on its own
``PostgresStorage`` (a connection pool of its own when ``pooled``): it places
one-number orders and walks each item to Completed with ``fire``.  Relay
worker processes run ``relay_outbox`` in a loop meanwhile; their notifier
writes every event it receives to a table.  A trigger on the outbox records
every event the hosts' transactions committed, so the check needs no help
from the code under test: every committed event was delivered, exactly once,
and each stream's events arrived in the order of their ``seq``.

``run_hosts`` is shared by the benchmark row and by
``tests/integration/test_many_hosts.py`` (small sizes, in ``make test``).
Processes are started with the ``spawn`` method, as on macOS and Windows:
nothing is inherited but the arguments.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from dataclasses import dataclass, field
from typing import Any

from ._harness import Row

_SETUP = [
    "CREATE TABLE IF NOT EXISTS hosts_written (stream text NOT NULL, position bigint NOT NULL)",
    "CREATE TABLE IF NOT EXISTS hosts_delivered ("
    " id bigserial PRIMARY KEY, relay int NOT NULL, stream text NOT NULL, seq bigint NOT NULL)",
    "CREATE OR REPLACE FUNCTION hosts_note_written() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN INSERT INTO hosts_written VALUES (NEW.stream, NEW.position); RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS hosts_written_trigger ON tnorder_outbox",
    "CREATE TRIGGER hosts_written_trigger AFTER INSERT ON tnorder_outbox"
    " FOR EACH ROW EXECUTE FUNCTION hosts_note_written()",
    "TRUNCATE hosts_written, hosts_delivered",
]


@dataclass
class HostsRun:
    """What one run did and what the check found."""

    processes: int
    relays: int
    use_cases: int
    seconds: float
    drained_after: float
    written: int
    delivered: int
    streams: int
    problems: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.use_cases / self.seconds if self.seconds else 0.0


def _number(host: int, n: int) -> str:
    exchange, line = divmod(host * 5_000 + n, 10_000)
    return f"+1646{555 + exchange:03d}{line:04d}"


def host_main(conninfo: str, host: int, orders: int, pooled: bool, start: Any, out: Any) -> None:
    """One host: place ``orders`` one-number orders and walk each to Completed."""
    from tnorder import NewItem, OrderKind, OrderService
    from tnorder.adapters.clocks import SystemClock
    from tnorder.adapters.postgres import PostgresStorage
    from tnorder.domain.statuses import ItemStatus

    from ._data import MANAGER, walk

    pool = None
    if pooled:
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(conninfo, min_size=1, max_size=2, open=True)
        storage = PostgresStorage.from_pool(pool, migrate=False)
    else:
        storage = PostgresStorage(conninfo, migrate=False)
    counter = iter(range(1_000_000))
    service = OrderService(
        storage, clock=SystemClock(), order_ids=lambda: f"H{host}-{next(counter)}"
    )
    path = walk(OrderKind.NEW_NUMBER, ItemStatus.COMPLETED) or ()
    start.wait()
    done = 0
    try:
        for n in range(orders):
            order = service.place_order(
                f"acct-{n % 7}",
                [NewItem(OrderKind.NEW_NUMBER, number=_number(host, n))],
                actor=MANAGER,
            )
            done += 1
            item_id = order.items[0].item_id
            for trigger in path:
                service.fire(order.order_id, item_id, trigger, actor=MANAGER)
                done += 1
    finally:
        storage.close()
        if pool is not None:
            pool.close()
    out.put(("host", host, done))


class _TableNotifier:
    """Writes each event it is given to ``hosts_delivered`` (its own connection)."""

    def __init__(self, conninfo: str, relay: int) -> None:
        import psycopg

        self.relay = relay
        self.conn = psycopg.connect(conninfo, autocommit=True)

    def publish(self, event: Any) -> None:
        self.conn.execute(
            "INSERT INTO hosts_delivered (relay, stream, seq) VALUES (%s, %s, %s)",
            (self.relay, event.stream, event.seq),
        )


def relay_main(conninfo: str, relay: int, stop: Any, out: Any) -> None:
    """One relay worker: drain the outbox until told to stop and nothing is left."""
    from tnorder.adapters.postgres import PostgresStorage
    from tnorder.relay import relay_outbox

    storage = PostgresStorage(conninfo, migrate=False)
    notifier = _TableNotifier(conninfo, relay)
    delivered = 0
    try:
        while True:
            n = relay_outbox(storage, notifier, limit=100)
            delivered += n
            if n == 0:
                if stop.is_set() and storage.pending_event_count() == 0:
                    break
                time.sleep(0.01)
    finally:
        storage.close()
        notifier.conn.close()
    out.put(("relay", relay, delivered))


def _check(conninfo: str) -> tuple[int, int, int, list[str]]:
    """``(written, delivered, streams, problems)`` from the two tables."""
    import psycopg

    problems: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        written: dict[str, int] = dict(
            conn.execute("SELECT stream, count(*) FROM hosts_written GROUP BY stream").fetchall()
        )
        delivered: dict[str, list[int]] = {}
        for stream, seq in conn.execute(
            "SELECT stream, seq FROM hosts_delivered ORDER BY id"
        ).fetchall():
            delivered.setdefault(stream, []).append(seq)
        left = conn.execute("SELECT count(*) FROM tnorder_outbox").fetchone()
    if left and left[0]:
        problems.append(f"{left[0]} event(s) still in the outbox")
    for stream, count in sorted(written.items()):
        got = delivered.get(stream, [])
        if len(got) != count:
            problems.append(f"stream {stream}: {count} written, {len(got)} delivered")
        if got != sorted(set(got)):
            problems.append(f"stream {stream}: delivered out of order or twice: {got}")
    for stream in sorted(set(delivered) - set(written)):
        problems.append(f"stream {stream}: delivered but never written")
    total_written = sum(written.values())
    total_delivered = sum(len(v) for v in delivered.values())
    return total_written, total_delivered, len(written), problems


def _collect(out: Any, procs: list[Any], count: int, deadline: float) -> list[Any]:
    """Up to ``count`` results; stop early when a process died or the deadline passed."""
    results: list[Any] = []
    while len(results) < count:
        try:
            results.append(out.get(timeout=0.5))
        except queue.Empty:
            if time.perf_counter() > deadline or any(p.exitcode for p in procs):
                break
    return results


def run_hosts(
    conninfo: str,
    *,
    processes: int,
    orders: int,
    relays: int = 2,
    pooled: bool = False,
    timeout: float = 600.0,
) -> HostsRun:
    """Run ``processes`` hosts of ``orders`` orders each and ``relays`` relay workers.

    The database at ``conninfo`` must be migrated; its outbox must be empty.
    A process that dies, or a run longer than ``timeout`` seconds, ends the
    run early and is listed in ``problems``.
    """
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        for sql in _SETUP:
            conn.execute(sql)
    ctx = multiprocessing.get_context("spawn")
    start, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    hosts = [
        ctx.Process(target=host_main, args=(conninfo, h, orders, pooled, start, out))
        for h in range(processes)
    ]
    workers = [ctx.Process(target=relay_main, args=(conninfo, r, stop, out)) for r in range(relays)]
    for proc in (*hosts, *workers):
        proc.start()
    time.sleep(0.5)  # let every process import tnorder before the clock starts
    began = time.perf_counter()
    start.set()
    try:
        results = _collect(out, [*hosts, *workers], len(hosts), began + timeout)
        seconds = time.perf_counter() - began
        stop.set()
        results += _collect(out, [*hosts, *workers], len(workers), began + timeout)
        drained = time.perf_counter() - began
        for proc in (*hosts, *workers):
            proc.join(timeout=30)
    finally:
        for proc in (*hosts, *workers):
            if proc.is_alive():  # a hung run: end our own children, by their handle
                proc.terminate()
                proc.join(timeout=10)
    problems = [
        f"process {p.pid} exited with {p.exitcode}" for p in (*hosts, *workers) if p.exitcode
    ]
    if len(results) != len(hosts) + len(workers):
        problems.append(
            f"{len(hosts) + len(workers) - len(results)} process(es) never reported (see above)"
        )
    use_cases = sum(r[2] for r in results if r[0] == "host")
    written, delivered, streams, found = _check(conninfo)
    return HostsRun(
        processes,
        relays,
        use_cases,
        seconds,
        drained,
        written,
        delivered,
        streams,
        problems + found,
    )


def bench_hosts(quick: bool) -> list[Row]:
    from . import _postgres

    why = _postgres.unavailable()
    if why is not None:
        return [Row("17.3 many hosts on PostgreSQL", "-", why, "-", "(info)", None)]
    orders = 5 if quick else 60
    rows: list[Row] = []
    base: float | None = None
    for processes in (1, 2) if quick else (1, 2, 4):
        dbname = f"tnorder_bench_hosts_{os.getpid()}_{processes}"
        from tnorder.adapters.postgres import PostgresStorage

        from .bulk import drop_database

        conninfo = _postgres.create_database(dbname)
        try:
            PostgresStorage(conninfo).close()
            run = run_hosts(conninfo, processes=processes, orders=orders, relays=2)
        finally:
            drop_database(dbname)
        base = base or run.per_second
        ok = not run.problems
        rows.append(
            Row(
                f"17.3 {processes} host process(es) x {orders} orders (place + "
                f"{run.use_cases // (processes * orders) - 1} fire), 2 relay workers",
                f"{run.per_second:.0f} use cases/s",
                f"{run.use_cases:,} use cases in {run.seconds:.1f} s; outbox drained at "
                f"{run.drained_after:.1f} s; {run.written:,} events written, "
                f"{run.delivered:,} delivered, order per stream "
                + ("held" if ok else "BROKEN: " + "; ".join(run.problems[:3])),
                f"{run.per_second / base:.1f}x 1 process",
                "nothing lost, order per stream",
                ok,
            )
        )
    return rows


def _sqlite_writes(path: Any, orders: int) -> tuple[int, float]:
    """``(use cases, seconds)``: one process placing ``orders`` orders and walking each
    to Completed through ``OrderService`` on the SQLite file at ``path``."""
    from tnorder import NewItem, OrderKind, OrderService
    from tnorder.adapters.clocks import SystemClock
    from tnorder.adapters.sqlite import SqliteStorage
    from tnorder.domain.statuses import ItemStatus

    from ._data import MANAGER, walk

    path_ = walk(OrderKind.NEW_NUMBER, ItemStatus.COMPLETED) or ()
    with SqliteStorage(path) as storage:
        service = OrderService(storage, clock=SystemClock())
        done = 0
        began = time.perf_counter()
        for n in range(orders):
            order = service.place_order(
                f"acct-{n % 7}",
                [NewItem(OrderKind.NEW_NUMBER, number=_number(0, n))],
                actor=MANAGER,
            )
            done += 1
            for trigger in path_:
                service.fire(order.order_id, order.items[0].item_id, trigger, actor=MANAGER)
                done += 1
        return done, time.perf_counter() - began


def _sqlite_bytes_per_order(path: Any, orders: int) -> tuple[float, int]:
    """``(bytes per order, items)`` of a file holding ``orders`` realistic orders
    (``_data.stored_orders``: 1-4 items, walked to their statuses), vacuumed."""
    import sqlite3

    from tnorder.adapters.sqlite import SqliteStorage

    from ._data import stored_orders

    batch = list(stored_orders(0, orders, accounts=max(1, orders // 10)))
    items = sum(len(o.items) for o in batch)
    with SqliteStorage(path) as storage:
        storage.bulk_insert_orders(batch)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    finally:
        conn.close()
    return os.path.getsize(path) / orders, items


def bench_sqlite_capacity(quick: bool) -> list[Row]:
    """What one SQLite file takes: use cases per second from one process, bytes per order."""
    import tempfile
    from pathlib import Path

    orders, stored = (50, 2_000) if quick else (300, 20_000)
    with tempfile.TemporaryDirectory(prefix="tnorder-capacity-") as directory:
        done, seconds = _sqlite_writes(Path(directory) / "writes.db", orders)
        per_order, items = _sqlite_bytes_per_order(Path(directory) / "size.db", stored)
    return [
        Row(
            f"17.4 SQLite, 1 process: {orders} orders placed and walked to Completed",
            f"{done / seconds:.0f} use cases/s",
            f"{done:,} use cases in {seconds:.1f} s (each one commit)",
            "-",
            "(info)",
            None,
        ),
        Row(
            f"17.4 SQLite file size, {stored:,} realistic orders ({items:,} items)",
            f"{per_order / 1024:.1f} KiB per order",
            f"{per_order * 1_000_000 / 2**30:.1f} GiB per 1,000,000 orders",
            "-",
            "(info)",
            None,
        ),
    ]
