"""Many host processes and relay workers on one PostgreSQL: nothing lost, order kept.

Two host processes (started with ``spawn``) each place 10 orders and walk
them to Completed (50 use cases each) while two relay worker
processes drain the outbox with ``FOR UPDATE SKIP LOCKED``.  A database
trigger records every event the hosts committed; the relays' notifier
records every event delivered.  ``benchmarks/hosts.py`` runs the same with
1, 2 and 4 hosts and reports the throughput.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from benchmarks.hosts import run_hosts

from tnorder.adapters.postgres import PostgresStorage


@pytest.fixture
def schema(postgres_dsn: str) -> Iterator[str]:
    """A conninfo on a new schema with tnorder's tables (dropped afterwards)."""
    name = f"s_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    conninfo = psycopg.conninfo.make_conninfo(postgres_dsn, options=f"-csearch_path={name}")
    PostgresStorage(conninfo).close()
    yield conninfo
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def test_two_hosts_and_two_relays_lose_nothing_and_keep_order(schema: str) -> None:
    """Every event two pooled hosts commit is delivered exactly once by the two relays,
    each stream in order, and the outbox ends empty."""
    run = run_hosts(schema, processes=2, orders=10, relays=2, pooled=True)

    assert [] == run.problems
    assert 2 * 10 * 5 == run.use_cases  # place + 4 fires per order
    assert run.written == run.delivered
    assert run.written >= run.use_cases  # at least one event per use case
    with psycopg.connect(schema) as conn:
        orders = conn.execute("SELECT count(*) FROM tnorder_orders").fetchone()
        streams = conn.execute("SELECT count(DISTINCT stream) FROM hosts_delivered").fetchone()
        relays = conn.execute("SELECT count(DISTINCT relay) FROM hosts_delivered").fetchone()
    assert (20,) == orders
    assert (run.streams,) == streams
    assert run.streams >= 20  # an order's stream, and its claims' and documents' if any
    assert relays is not None
    assert relays[0] >= 1
