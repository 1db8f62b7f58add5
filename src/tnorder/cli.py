"""The ``tnorder`` command: ``demo``, ``statuses``, ``diagram``, ``--version``.

Errors print one clear line on stderr (exit 2 for usage, 1 for tnorder
errors), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from ._version import __version__
from .errors import TnorderError

__all__ = ["main"]


def _statuses(args: argparse.Namespace) -> int:
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
    Console(no_color=args.plain, width=None if not args.plain else 160).print(table)
    return 0


def _diagram(args: argparse.Namespace) -> int:
    from .docgen import mermaid_diagram

    print(mermaid_diagram())
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    code: int = run_demo(db_path=args.db, plain=args.plain)
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
    demo.set_defaults(func=_demo)

    statuses = sub.add_parser("statuses", help="print the status table")
    statuses.add_argument("--plain", action="store_true", help="no colour")
    statuses.set_defaults(func=_statuses)

    diagram = sub.add_parser("diagram", help="print the line-item lifecycle as Mermaid")
    diagram.set_defaults(func=_diagram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
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
