"""The ``tnorder`` command: ``demo``, ``statuses``, ``diagram``, ``schema``, ``--version``.

Errors print one clear line on stderr (exit 2 for usage, 1 for tnorder
errors), never a traceback.  Tables follow ``COLUMNS`` when it is set, and a
reader that goes away (``tnorder demo | head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from ._version import __version__
from .errors import MissingDependency, TnorderError

__all__ = ["main"]


def _status_rows() -> list[dict[str, str | bool | list[str]]]:
    from .domain.machine import TRANSITIONS
    from .domain.statuses import ItemStatus

    rows: list[dict[str, str | bool | list[str]]] = []
    for status in ItemStatus:
        rows.append(
            {
                "value": status.value,
                "label": status.label,
                "intent": status.intent.value,
                "intent_label": status.intent.label,
                "porting_only": status.porting_only,
                "triggers": sorted({t.trigger.value for t in TRANSITIONS if status in t.sources}),
                "description": status.description,
            }
        )
    return rows


def _statuses_data(args: argparse.Namespace) -> int:
    rows = _status_rows()
    if args.format == "json":
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    writer = csv.writer(sys.stdout, lineterminator="\n")
    columns = list(rows[0])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row[c]) for c in columns])
    return 0


def _csv_cell(value: str | bool | list[str]) -> str:
    # Spreadsheets read "true"/"false"; a list becomes space-separated words.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return value


def _width(plain: bool) -> int | None:
    """``COLUMNS`` when set, else 160 for plain output (logs), else the terminal's."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return 160 if plain else None


def _require_rich(command: str) -> None:
    """Raise ``MissingDependency`` naming the extra unless rich is installed."""
    try:
        import rich  # noqa: F401
    except ImportError as exc:
        raise MissingDependency(
            package="rich", extra="cli", feature=f"'tnorder {command}'"
        ) from exc


def _statuses(args: argparse.Namespace) -> int:
    if args.format != "table":
        return _statuses_data(args)
    _require_rich("statuses")
    from rich.console import Console
    from rich.table import Table

    from .domain.machine import TRANSITIONS
    from .domain.statuses import Intent, ItemStatus

    colours = {
        Intent.NO_ACTION_REQUIRED: "cyan",
        Intent.ACTION_REQUIRED: "yellow",
        Intent.FINAL: "green",
    }
    table = Table(title="Line-item statuses")
    for column in ("status", "intent", "porting only", "triggers", "description"):
        table.add_column(column, overflow="fold")
    for status in ItemStatus:
        triggers = sorted({t.trigger.value for t in TRANSITIONS if status in t.sources})
        table.add_row(
            f"{status.label}\n[dim]{status.value}[/dim]",
            f"[{colours[status.intent]}]{status.intent.label}[/]",
            "yes" if status.porting_only else "",
            ", ".join(triggers) or "(final)",
            status.description,
        )
    Console(no_color=args.plain, width=_width(args.plain)).print(table)
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from .docgen import mermaid_diagram

    print(mermaid_diagram(boilerplate=args.boilerplate))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from .adapters.schema import schema_script

    print(schema_script(args.dialect), end="")
    return 0


def _demo(args: argparse.Namespace) -> int:
    _require_rich("demo")
    from .demo import run_demo

    code: int = run_demo(db_path=args.db, plain=args.plain, carrier=args.carrier)
    return code


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, _printable(f"{self.prog}: error: {message} (see '{self.prog} --help')\n"))


def _printable(text: str) -> str:
    # Arguments the OS could not decode arrive as lone surrogates; a stream that
    # encodes strictly would fail on them, so they are shown escaped.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tnorder", description="Telephone-number orders: demo and reference tables."
    )
    parser.add_argument("--version", action="version", version=f"tnorder {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run every flow end to end on the embedded defaults")
    demo.add_argument("--db", metavar="PATH", help="keep the SQLite database at PATH (a new file)")
    demo.add_argument("--plain", action="store_true", help="no colour (for logs)")
    demo.add_argument(
        "--carrier",
        choices=("simulated", "telnyx-fake"),
        default="simulated",
        help="simulated carriers (every story), or the Telnyx adapter against a loopback "
        "fake Telnyx (one story; needs tnorder[telnyx])",
    )
    demo.set_defaults(func=_demo)

    statuses = sub.add_parser("statuses", help="print the status table")
    statuses.add_argument("--plain", action="store_true", help="no colour")
    statuses.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="a table for people (default), or JSON / CSV for programs",
    )
    statuses.set_defaults(func=_statuses)

    diagram = sub.add_parser("diagram", help="print the line-item lifecycle as Mermaid")
    diagram.add_argument(
        "--boilerplate",
        action="store_true",
        help="keep the styling lines the diagram renderer adds (classDef, Class)",
    )
    diagram.set_defaults(func=_diagram)

    schema = sub.add_parser(
        "schema", help="print the SQL schema and each migration step (for hosts' own migrations)"
    )
    schema.add_argument("--dialect", choices=("sqlite", "postgres"), required=True)
    schema.set_defaults(func=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
        # Flush here, inside the handler: a reader that left shows up now,
        # not as a "BrokenPipeError ... ignored" message at interpreter exit.
        sys.stdout.flush()
    except TnorderError as exc:
        print(_printable(f"tnorder: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tnorder: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``tnorder demo | head``): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code
