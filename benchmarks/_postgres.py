"""Finding a PostgreSQL server for the benchmarks, and throwaway databases on it.

``TNORDER_BENCH_POSTGRES=<conninfo>`` points at a server of your own (its role
must be allowed to create databases).  Otherwise the local cluster is used
through its unix socket, as the integration tests do.  When no server answers,
the PostgreSQL rows say why instead of failing the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ADMIN_ENV = "TNORDER_BENCH_POSTGRES"
LOCAL_ADMIN = "host=/var/run/postgresql dbname=postgres"


def admin_conninfo() -> str:
    return os.environ.get(ADMIN_ENV) or LOCAL_ADMIN


def unavailable() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        psycopg.connect(admin_conninfo(), connect_timeout=3).close()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"cannot connect to {admin_conninfo()!r}: {first}"
    return None


def conninfo_for(dbname: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(admin_conninfo(), dbname=dbname)


def admin(sql: Any) -> None:
    """Run one statement on the server's maintenance database."""
    import psycopg

    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        conn.execute(sql)


def create_database(dbname: str) -> str:
    """(Re)create an empty database ``dbname`` and return its conninfo."""
    from psycopg import sql

    drop_database(dbname)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    return conninfo_for(dbname)


def drop_database(dbname: str) -> None:
    from psycopg import sql

    admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def database_exists(dbname: str) -> bool:
    import psycopg

    with psycopg.connect(admin_conninfo(), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    return row is not None


@contextmanager
def throwaway_database(dbname: str) -> Iterator[str]:
    """A fresh database for the block, dropped afterwards."""
    conninfo = create_database(dbname)
    try:
        yield conninfo
    finally:
        drop_database(dbname)
