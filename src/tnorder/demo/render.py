"""What the demo prints: the customer's screens as ``rich`` tables, narration and checks.

Every table is built from the view objects ``OrderService`` returns
(``OrderSummary``, ``ActiveNumber``...), the same data a host's portal renders;
nothing here knows a business rule.  ``plain=True`` prints without colour or
styling, for logs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime

from rich import box
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..domain.carrier import NumberDetails, RequestStatus
from ..domain.carrier_request import CarrierRequest
from ..domain.inventory import InventoryNumber
from ..domain.order import LineItem
from ..domain.statuses import Intent, NumberType
from ..domain.visibility import ActiveNumber, OrderSummary
from ..errors import TnorderError
from .checks import Check

__all__ = ["Screen"]

WIDTH = 132
"""Columns used when the output is not a terminal (logs, pipes, tests)."""

_INTENT_STYLES = {
    Intent.NO_ACTION_REQUIRED: "cyan",
    Intent.ACTION_REQUIRED: "bold yellow",
    Intent.FINAL: "green",
}
# The stage colours the view names, as rich colours.
_COLOURS = {"orange": "dark_orange", "green": "bold green"}


_NUMBER_TYPES = {
    NumberType.NATIONAL: "National",
    NumberType.MOBILE: "Mobile",
    NumberType.TOLL_FREE: "Toll-Free",
    NumberType.TRUELOCAL: "TrueLocal",
}


def _when(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d %H:%M")


def _order_style(summary: OrderSummary) -> str:
    if summary.action_required:
        return _INTENT_STYLES[Intent.ACTION_REQUIRED]
    if summary.status.is_final:
        return _INTENT_STYLES[Intent.FINAL]
    return _INTENT_STYLES[Intent.NO_ACTION_REQUIRED]


def _columns_from_env() -> bool:
    return os.environ.get("COLUMNS", "").strip().isdigit()


class Screen:
    """Prints the demo.

    Args:
        plain: no colour and no styling (ASCII table borders), for logs.
    """

    def __init__(self, *, plain: bool = False) -> None:
        self.plain = plain
        self.console = Console(color_system=None if plain else "auto", highlight=False, emoji=False)
        # A pipe or log file gets a fixed width, unless COLUMNS asks for another
        # (rich reads COLUMNS itself).
        if not self.console.is_terminal and not _columns_from_env():
            self.console.width = WIDTH
        self._box = box.ASCII if plain else box.ROUNDED

    def _table(self, title: str) -> Table:
        return Table(title=title, title_justify="left", box=self._box, show_lines=False)

    # -- narration --------------------------------------------------------------

    def banner(self, text: str) -> None:
        self.console.print(Rule(text, style="bold"))

    def scenario(self, number: int, title: str, story: str) -> None:
        """A scenario's heading and its one-line story."""
        self.console.print()
        self.console.print(Rule(f"{number}. {title}", style="bold magenta", align="left"))
        self.console.print(Text(story, style="italic"))

    def step(self, now: datetime, text: str) -> None:
        """One thing that happens, with the demo clock's time."""
        self.console.print()
        self.console.print(Text.assemble((f"[{_when(now)}] ", "dim"), (text, "bold")))

    def refusal(self, error: TnorderError) -> None:
        """What the user is told when tnorder refuses (exactly the error's message)."""
        self.console.print(
            Text.assemble(("  refused: ", "bold red"), (f"{type(error).__name__}: {error}", "red"))
        )

    def note(self, text: str) -> None:
        self.console.print(Text(f"  {text}", style="dim"))

    def check(self, check: Check) -> None:
        if check.passed:
            self.console.print(Text.assemble(("  ok      ", "green"), check.what))
        else:
            self.console.print(
                Text.assemble(("  FAILED  ", "bold red"), check.what, (f": {check.detail}", "red"))
            )

    # -- the customer's screens ---------------------------------------------------

    def orders(self, title: str, summaries: Sequence[OrderSummary]) -> None:
        """The Orders tab or Order History: each order's summary row, then its line items."""
        table = self._table(title)
        for column in ("Order / item", "Number", "Item", "Status", "Delivery"):
            table.add_column(column, no_wrap=True)
        table.add_column("Note", min_width=24, overflow="fold")
        if not summaries:
            table.add_row("(no orders)", *[""] * 5)
        for summary in summaries:
            count = f"{summary.item_count} item" + ("s" if summary.is_multi_item else "")
            table.add_row(
                Text(summary.order_id, style="bold"),
                "",
                count,
                Text(summary.label, style=f"bold {_order_style(summary)}"),
                "",
                "",
            )
            for index, item in enumerate(summary.items, start=1):
                kind = item.kind.label
                if item.number_type is not NumberType.LOCAL:
                    kind += f", {_NUMBER_TYPES[item.number_type]}"
                table.add_row(
                    f"  {index}",
                    item.number or "(to assign)",
                    kind,
                    Text(item.label, style=_INTENT_STYLES[item.intent]),
                    item.delivery.text,
                    item.latest_note or "",
                    end_section=index == summary.item_count,
                )
        self.console.print(table)

    def active_numbers(self, title: str, numbers: Sequence[ActiveNumber]) -> None:
        """The Active Numbers dashboard: greyed-out orange "Not Active" vs green live lines."""
        table = self._table(title)
        for column in ("Number", "Tag", "Look", "Restricted now"):
            table.add_column(column, no_wrap=True)
        table.add_column("Why not live", min_width=18, overflow="fold")
        if not numbers:
            table.add_row("(no numbers)", *[""] * 4)
        for entry in numbers:
            colour = _COLOURS.get(entry.colour, entry.colour)
            look = f"{'greyed out, ' if entry.greyed_out else ''}{entry.colour} {entry.icon}"
            restricted = sorted(a.label.lower() for a in entry.restricted_actions)
            table.add_row(
                Text(entry.number, style="dim" if entry.greyed_out else ""),
                Text(entry.tag.label, style=colour),
                Text(look, style=colour),
                ", ".join(restricted) or "nothing",
                entry.locked_reason or "",
            )
        self.console.print(table)

    def timeline(self, title: str, item: LineItem) -> None:
        """A line item's history, oldest first, as the order's detail page shows it."""
        table = self._table(title)
        for column in ("When", "Status", "Trigger", "By"):
            table.add_column(column, no_wrap=True)
        table.add_column("Note", min_width=24, overflow="fold")
        for entry in item.history:
            table.add_row(
                _when(entry.at),
                Text(entry.to_status.label, style=_INTENT_STYLES[entry.to_status.intent]),
                entry.trigger.value,
                f"{entry.actor.role.value}:{entry.actor.id}",
                entry.note or "",
            )
        self.console.print(table)

    # -- the back office's screens ------------------------------------------------

    def lookup(self, title: str, request: CarrierRequest) -> None:
        """The numbers a lookup returned and what became of each."""
        table = self._table(title)
        for column in ("Number", "City", "State", "Rate center", "At the carrier"):
            table.add_column(column, no_wrap=True)
        for entry in request.numbers:
            details = entry.details or NumberDetails()
            table.add_row(
                entry.number,
                details.city or "",
                details.state or "",
                details.rate_center or "",
                entry.state.value + (f" ({entry.reason})" if entry.reason else ""),
            )
        if request.expires_at is not None and request.status is RequestStatus.RESERVED:
            table.caption = f"held until {_when(request.expires_at)}"
        self.console.print(table)

    def carrier_requests(self, title: str, requests: Sequence[CarrierRequest]) -> None:
        """Carrier requests, as the "requests in progress / completed" list shows them."""
        table = self._table(title)
        for column in ("Request", "Method", "Status", "Carrier says", "Carrier ref"):
            table.add_column(column, no_wrap=True)
        table.add_column("Numbers", overflow="fold")
        if not requests:
            table.add_row("(none)", *[""] * 5)
        for request in requests:
            table.add_row(
                request.request_id,
                request.method.label if request.method else request.kind.label,
                request.status.value,
                request.carrier_status or "",
                request.carrier_ref or "",
                ", ".join(n.number for n in request.numbers),
            )
        self.console.print(table)

    def inventory(self, title: str, numbers: Sequence[InventoryNumber]) -> None:
        table = self._table(title)
        for column in ("Number", "Status", "Account", "Service line", "Carrier ref"):
            table.add_column(column, no_wrap=True)
        for stocked in numbers:
            table.add_row(
                stocked.number,
                stocked.status.value,
                stocked.account_id or "",
                stocked.service_line or "",
                stocked.carrier_ref or "",
            )
        self.console.print(table)

    # -- the end ----------------------------------------------------------------------

    def summary(self, rows: Sequence[tuple[int, str, int, int]], *, kept: str | None) -> None:
        """The results table and the final line.

        Args:
            rows: ``(number, title, checks passed, checks made)`` per scenario.
            kept: where the database was kept, or None when it was deleted.
        """
        self.console.print()
        table = self._table("Summary")
        table.add_column("#", no_wrap=True)
        table.add_column("Scenario")
        table.add_column("Checks", no_wrap=True)
        table.add_column("Result")
        for number, title, passed, made in rows:
            ok = made > 0 and passed == made
            table.add_row(
                str(number),
                title,
                f"{passed}/{made}",
                Text(
                    "reached its expected end" if ok else "FAILED",
                    style="bold green" if ok else "bold red",
                ),
            )
        self.console.print(table)
        if kept is not None:
            self.console.print(
                f"The SQLite database is kept at {kept} (try: sqlite3 {kept} .tables)."
            )
        failed = [str(n) for n, _, passed, made in rows if made == 0 or passed != made]
        checks = sum(made for *_, made in rows)
        if failed:
            self.console.print(
                Text(
                    f"Demo FAILED: scenario {', '.join(failed)} of {len(rows)} did not reach "
                    "its expected end.",
                    style="bold red",
                )
            )
        else:
            self.console.print(
                Text(
                    f"Demo OK: all {len(rows)} scenarios reached their expected end "
                    f"({checks} checks passed).",
                    style="bold green",
                )
            )
