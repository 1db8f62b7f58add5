"""The SQL schema of the SQLite and PostgreSQL storages, for hosts that own their schema.

Hosts that run their own migrations (Alembic, Flyway, Django) create the
tables themselves and open the storage with ``migrate=False``.  This module
gives them the DDL, taken from the same definitions the adapters' ``migrate``
runs, so the two cannot drift: ``tnorder schema --dialect sqlite|postgres``
prints it.
"""

from __future__ import annotations

from typing import Literal

from ..errors import ValidationError
from . import _sql
from .sqlite import _DIALECT as _SQLITE_DIALECT

__all__ = ["DIALECTS", "Dialect", "schema_script", "schema_steps"]

Dialect = Literal["sqlite", "postgres"]

DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgres")

_BY_NAME = {"sqlite": _SQLITE_DIALECT, "postgres": _sql.POSTGRES_DIALECT}


def schema_steps(dialect: Dialect) -> list[tuple[str, list[str]]]:
    """The schema as ``(step title, statements)`` pairs, in the order to run them.

    The first step creates ``tnorder_schema_migrations``; each numbered
    migration ends with the row recording it, so a storage opened later with
    ``migrate=True`` finds the database up to date.

    Raises:
        ValidationError: ``dialect`` is not ``"sqlite"`` or ``"postgres"``.
    """
    try:
        chosen = _BY_NAME[dialect]
    except (KeyError, TypeError):
        raise ValidationError(
            f"unknown SQL dialect {dialect!r}; expected one of {', '.join(DIALECTS)}",
            field="dialect",
        ) from None
    return _sql.schema_steps(chosen)


def schema_script(dialect: Dialect) -> str:
    """The schema as one SQL script: a comment per step, one statement per line."""
    lines = [
        f"-- tnorder schema version {_sql.LATEST_SCHEMA} ({dialect}).",
        "-- Run once on an empty database, then open the storage with migrate=False.",
    ]
    for title, statements in schema_steps(dialect):
        lines.append("")
        lines.append(f"-- {title}")
        lines.extend(f"{statement};" for statement in statements)
    return "\n".join(lines) + "\n"
