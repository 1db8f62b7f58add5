"""Unguarded transition tables as data, for the aggregates besides the line item.

Pure domain rules.  Nothing here reads the clock or touches storage.

Carrier requests, the numbers of a carrier request and inventory numbers each
have a small lifecycle with no guards: a status and a trigger give one
destination.  :class:`TransitionTable` holds such a table as data and does
what ``tnorder.domain.machine`` does for line items: at import it is built
once into a ``transitions.Machine`` with no model attached (so the library's
own validation of states and triggers runs), and that machine is compiled
into a frozen ``(status, trigger) -> destination`` lookup used on the hot
path.  The docs tables and Mermaid diagrams come from the same data
(``tnorder.docgen``), and table tests fire every ``(status, trigger)``
through both the machine and the lookup.

The line item keeps its own module: its table has guards and roles.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs
from transitions import Machine

__all__ = ["Move", "TransitionTable"]

S = TypeVar("S", bound=StrEnum)
G = TypeVar("G", bound=StrEnum)


@attrs.frozen
class Move(Generic[S, G]):
    """One row of a table: ``trigger`` moves from any of ``sources`` to ``dest``."""

    trigger: G
    sources: tuple[S, ...]
    dest: S


@attrs.frozen
class TransitionTable(Generic[S, G]):
    """A lifecycle as data, with its ``transitions.Machine`` and compiled lookup.

    Attributes:
        name: the title of the generated diagram (``"Carrier request"``).
        states: the status enum.
        triggers: the trigger enum.
        initial: where a new aggregate usually starts (the diagram's start arrow).
        moves: the rows, in the order the docs list them.
    """

    name: str
    states: type[S]
    triggers: type[G]
    initial: S
    moves: tuple[Move[S, G], ...]
    machine: Machine = attrs.field(init=False, eq=False, repr=False)
    lookup: Mapping[tuple[S, G], S] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        machine = self.build()
        object.__setattr__(self, "machine", machine)
        object.__setattr__(self, "lookup", self._compile(machine))

    def machine_transitions(self) -> list[dict[str, Any]]:
        """The rows in the dict form ``transitions.Machine(transitions=...)`` takes."""
        return [
            {
                "trigger": m.trigger.value,
                "source": [s.value for s in m.sources],
                "dest": m.dest.value,
            }
            for m in self.moves
        ]

    def build(self, machine_cls: type[Machine] = Machine, **kwargs: Any) -> Machine:
        """A fresh ``transitions`` machine from the rows (no model unless given).

        Args:
            machine_cls: ``Machine`` or an extension such as ``GraphMachine``.
            **kwargs: passed to the machine (e.g. ``model=``, ``graph_engine=``).
        """
        kwargs.setdefault("model", None)
        kwargs.setdefault("initial", self.initial.value)
        return machine_cls(
            states=[s.value for s in self.states],
            transitions=self.machine_transitions(),
            auto_transitions=False,
            **kwargs,
        )

    def _compile(self, machine: Machine) -> Mapping[tuple[S, G], S]:
        table: dict[tuple[S, G], S] = {}
        for name, event in machine.events.items():
            trigger = self.triggers(name)
            for source, transitions in event.transitions.items():
                # Unguarded: the first row for a (source, trigger) is the only one.
                table[(self.states(source), trigger)] = self.states(str(transitions[0].dest))
        return MappingProxyType(table)

    def resolve(self, status: S, trigger: G) -> S | None:
        """The destination of ``trigger`` from ``status``, or None when not allowed."""
        return self.lookup.get((status, trigger))

    def allowed(self, status: S) -> tuple[G, ...]:
        """The triggers ``status`` accepts, in enum order."""
        return tuple(t for t in self.triggers if (status, t) in self.lookup)
