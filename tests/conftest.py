"""Shared test configuration: Hypothesis profiles.

Profiles: ``dev`` (default, quick), ``ci`` (more examples, no deadline: shared
2-core machines are noisy), ``thorough`` (for a long local run), ``mutation``
(few derandomized examples, for ``make mutation``).  Pick one with
``HYPOTHESIS_PROFILE``; ``CI`` set in the environment selects ``ci``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
# `make mutation`: thousands of short runs on a shared machine; derandomized so a
# mutant is killed (or not) the same way on every run.
settings.register_profile(
    "mutation",
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


# -- PostgreSQL server for the integration tests ---------------------------------
#
# ``postgres_dsn`` is a throwaway database on a real server, created for the
# session and dropped after it.  TNORDER_TEST_POSTGRES=<conninfo> points at a
# server of your own (its role must be allowed to CREATE DATABASE).  Otherwise
# the local cluster is used through its unix socket, started first if it is
# down (``pg_ctlcluster``, as root), with a login role for the current OS user
# created if missing (``runuser -u postgres -- psql``).  If no server can be
# reached the tests fail when CI is set, and are skipped (saying why) otherwise.

import getpass  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

PG_SOCKET_DIR = "/var/run/postgresql"


def _pg_error(conninfo: str) -> str | None:
    import psycopg

    try:
        psycopg.connect(conninfo, connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip()
    return None


def _run(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    return f"{' '.join(args)} -> {done.returncode} {done.stderr.strip()}".strip()


def _prepare_local_postgres() -> list[str]:
    """Start every stopped local cluster and make a login role for this OS user."""
    notes: list[str] = []
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return ["not root or no pg_ctlcluster: cannot start PostgreSQL here"]
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False
    ).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3] != "online":
            notes.append(_run(["pg_ctlcluster", fields[0], fields[1], "start"]))
    user = getpass.getuser().replace('"', "")
    role = (
        f"DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') "
        f'THEN CREATE ROLE "{user}" LOGIN CREATEDB; END IF; END$$;'
    )
    for _ in range(30):  # the server may take a moment to accept connections
        result = _run(["runuser", "-u", "postgres", "--", "psql", "-qAtc", role])
        if "-> 0" in result:
            break
        time.sleep(0.5)
    notes.append(result)
    return notes


def _unreachable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unreachable (set TNORDER_TEST_POSTGRES): {reason}")


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A conninfo string for a fresh, empty PostgreSQL database (dropped afterwards)."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        _unreachable("psycopg is not installed (pip install -e '.[postgres]')")
        raise
    admin = os.environ.get("TNORDER_TEST_POSTGRES")
    notes: list[str] = []
    if admin is None:
        admin = f"host={PG_SOCKET_DIR} dbname=postgres"
        error = _pg_error(admin)
        if error is not None:
            notes = _prepare_local_postgres()
            error = _pg_error(admin)
    else:
        error = _pg_error(admin)
    if error is not None:
        _unreachable(f"{admin!r}: {error}; {'; '.join(notes)}")
    name = f"tnorder_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield psycopg.conninfo.make_conninfo(admin, dbname=name)
    finally:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        # FORCE cannot end a backend of another role (an autovacuum worker that
        # happens to be on the database): wait for it to finish, then drop.
        for attempt in range(40):
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(drop)
                break
            except psycopg.errors.InsufficientPrivilege:
                if attempt == 39:
                    raise
                time.sleep(0.25)


# -- no secrets in tnorder's logs ----------------------------------------------
#
# While the carrier, relay, document and fuzz suites run, every tnorder log
# record (DEBUG included) goes through a SecretScanner; a test whose run logged
# a credential, a PIN or document bytes fails at teardown naming the record.

_SCANNED = (
    "tests/contract/",
    "tests/integration/bandwidth/",
    "tests/integration/telnyx/",
    "tests/integration/test_bulk_carrier_updates.py",
    "tests/integration/test_outbox_parking.py",
    "tests/examples/test_demo_telnyx.py",
    "tests/unit/adapters/",
    "tests/unit/service/test_carriers.py",
    "tests/unit/service/test_documents.py",
    "tests/unit/test_logging.py",
    "tests/property/",
    "tests/fuzz/",
)
# The fake Bandwidth server's credentials and the fake Telnyx API key (PINs in
# port-ins are caught by the scanner's ``pin=`` pattern and PortDetails check).
_KNOWN_SECRETS = (
    "api-password-1",
    "YXBpLXVzZXI6YXBpLXBhc3N3b3JkLTE=",
    "KEY-fake-telnyx-0000",
)


@pytest.fixture(autouse=True)
def _no_secrets_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    path = str(request.node.path).replace(os.sep, "/")
    if not any(part in path for part in _SCANNED):
        yield
        return
    from tnorder.testing import SecretScanner

    scanner = SecretScanner(secrets=_KNOWN_SECRETS)
    with scanner.attached():
        yield
    scanner.check()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``heavy`` first, each group in its own order.

    xdist hands tests to its workers in collection order, so a test of a minute
    collected near the end can keep one worker busy after the other has run out
    of tests.
    """
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)
