"""The line-item state machine: transition tables as data, one Machine, one compiled lookup.

Pure domain rules.  Nothing here reads the clock or touches storage.

``TRANSITIONS`` and ``TRIGGER_ROLES`` are the single source of truth.  At import
they are built once into a ``transitions.Machine`` with no model attached (so
the library's own validation of states, triggers and conditions runs), and
that machine is compiled into ``LOOKUP``, a frozen ``(status, trigger) ->
candidates`` mapping used on the hot path.  No ``Machine`` is ever attached to
a domain object: that costs 16-130 KB and 100-350 us per object and does not
work with slotted attrs classes.  The docs tables and the Mermaid diagram are
generated from the same data (``tnorder.docgen``), and a test fires every
``(status, trigger, guard outcome)`` through both the Machine and ``LOOKUP``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

import attrs
from transitions import Machine

from .statuses import ItemStatus, OrderKind, Role

__all__ = [
    "GUARDS",
    "LOOKUP",
    "MACHINE",
    "TRANSITIONS",
    "TRIGGER_ROLES",
    "Candidate",
    "Transition",
    "Trigger",
    "allowed_triggers",
    "build_machine",
    "machine_transitions",
    "resolve",
]


class Trigger(StrEnum):
    """Events a line item can be sent.  ``PLACE`` only ever starts a history."""

    PLACE = "place"
    REVIEW = "review"
    BEGIN_VERIFICATION = "begin_verification"
    SUBMIT_TO_CARRIER = "submit_to_carrier"
    APPROVE_PORT = "approve_port"
    RECEIVE_PORT_DATE = "receive_port_date"
    START_CONFIGURATION = "start_configuration"
    VALIDATE_INSTALLATION = "validate_installation"
    COMPLETE = "complete"
    REQUEST_INFORMATION = "request_information"
    PROVIDE_INFORMATION = "provide_information"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"


class _Guarded(Protocol):
    @property
    def kind(self) -> OrderKind: ...


# Module constants: reading ``Enum.MEMBER`` is a slow lookup in Python 3.11.
_PORT_IN = OrderKind.PORT_IN
_DISCONNECT = OrderKind.DISCONNECT

# Guards are pure predicates over the item; the machine refers to them by name.
GUARDS: Mapping[str, Callable[[_Guarded], bool]] = MappingProxyType(
    {
        "is_port_in": lambda item: item.kind is _PORT_IN,
        "is_disconnect": lambda item: item.kind is _DISCONNECT,
    }
)


@attrs.frozen
class Transition:
    """One row of the table: ``trigger`` moves an item from any of ``sources`` to ``dest``.

    ``conditions`` must all hold and ``unless`` must all fail (names in ``GUARDS``).
    """

    trigger: Trigger
    sources: tuple[ItemStatus, ...]
    dest: ItemStatus
    conditions: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


_S = ItemStatus
_T = Trigger
_WORKING = tuple(s for s in ItemStatus if not s.is_final)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(_T.REVIEW, (_S.ORDER_SUBMITTED,), _S.UNDER_REVIEW),
    Transition(
        _T.BEGIN_VERIFICATION, (_S.ORDER_SUBMITTED, _S.UNDER_REVIEW), _S.VERIFICATION_PENDING
    ),
    Transition(
        _T.SUBMIT_TO_CARRIER,
        (_S.ORDER_SUBMITTED, _S.UNDER_REVIEW, _S.VERIFICATION_PENDING),
        _S.SUBMITTED_TO_CARRIER,
    ),
    Transition(
        _T.APPROVE_PORT, (_S.SUBMITTED_TO_CARRIER,), _S.PORT_APPROVED, conditions=("is_port_in",)
    ),
    # A carrier may re-issue the FOC date, so the status accepts it again.
    Transition(
        _T.RECEIVE_PORT_DATE,
        (_S.SUBMITTED_TO_CARRIER, _S.PORT_APPROVED, _S.PORT_DATE_RECEIVED),
        _S.PORT_DATE_RECEIVED,
        conditions=("is_port_in",),
    ),
    # A port-in has no work to configure until its port date is set; a
    # disconnect has nothing to configure at all (it completes instead).
    Transition(
        _T.START_CONFIGURATION,
        (_S.SUBMITTED_TO_CARRIER,),
        _S.IN_PROGRESS,
        unless=("is_port_in", "is_disconnect"),
    ),
    Transition(_T.START_CONFIGURATION, (_S.PORT_DATE_RECEIVED,), _S.IN_PROGRESS),
    Transition(_T.VALIDATE_INSTALLATION, (_S.IN_PROGRESS,), _S.VALIDATING_INSTALLATION),
    Transition(_T.COMPLETE, (_S.VALIDATING_INSTALLATION,), _S.COMPLETED),
    # A disconnect has nothing to install: the carrier's confirmation finishes it.
    Transition(
        _T.COMPLETE, (_S.SUBMITTED_TO_CARRIER,), _S.COMPLETED, conditions=("is_disconnect",)
    ),
    Transition(
        _T.REQUEST_INFORMATION,
        tuple(s for s in _WORKING if s is not _S.INFORMATION_REQUIRED),
        _S.INFORMATION_REQUIRED,
    ),
    Transition(
        _T.PROVIDE_INFORMATION, (_S.INFORMATION_REQUIRED, _S.PORT_REJECTED), _S.UNDER_REVIEW
    ),
    Transition(
        _T.REJECT,
        (
            _S.ORDER_SUBMITTED,
            _S.UNDER_REVIEW,
            _S.VERIFICATION_PENDING,
            _S.SUBMITTED_TO_CARRIER,
            _S.PORT_APPROVED,
            _S.PORT_DATE_RECEIVED,
        ),
        _S.PORT_REJECTED,
        conditions=("is_port_in",),
    ),
    Transition(
        _T.REJECT,
        (_S.ORDER_SUBMITTED, _S.UNDER_REVIEW, _S.VERIFICATION_PENDING, _S.SUBMITTED_TO_CARRIER),
        _S.INFORMATION_REQUIRED,
        unless=("is_port_in",),
    ),
    # A carrier that cannot provide a new number (or carry out a disconnect)
    # ends the item with its reason: the customer could do nothing about it,
    # so it must not wait in Information Required.  Port-ins are rejected instead.
    Transition(
        _T.WITHDRAW,
        (_S.ORDER_SUBMITTED, _S.UNDER_REVIEW, _S.VERIFICATION_PENDING, _S.SUBMITTED_TO_CARRIER),
        _S.CANCELLED,
        unless=("is_port_in",),
    ),
    Transition(_T.CANCEL, _WORKING, _S.CANCELLED),
)

_EVERYONE_BUT_CUSTOMER = frozenset({Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM, Role.CARRIER})
_INTERNAL = frozenset({Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM})

# Who may fire what.  The portal cannot cancel: only an account manager can.
TRIGGER_ROLES: Mapping[Trigger, frozenset[Role]] = MappingProxyType(
    {
        _T.PLACE: frozenset({Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM}),
        _T.REVIEW: _INTERNAL,
        _T.BEGIN_VERIFICATION: _INTERNAL,
        _T.SUBMIT_TO_CARRIER: _INTERNAL,
        _T.APPROVE_PORT: _EVERYONE_BUT_CUSTOMER,
        _T.RECEIVE_PORT_DATE: _EVERYONE_BUT_CUSTOMER,
        _T.START_CONFIGURATION: _EVERYONE_BUT_CUSTOMER,
        _T.VALIDATE_INSTALLATION: _EVERYONE_BUT_CUSTOMER,
        _T.COMPLETE: _EVERYONE_BUT_CUSTOMER,
        _T.REQUEST_INFORMATION: _EVERYONE_BUT_CUSTOMER,
        _T.PROVIDE_INFORMATION: frozenset(
            {Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM}
        ),
        _T.REJECT: _EVERYONE_BUT_CUSTOMER,
        _T.WITHDRAW: _EVERYONE_BUT_CUSTOMER,
        _T.CANCEL: frozenset({Role.ACCOUNT_MANAGER}),
    }
)


def machine_transitions() -> list[dict[str, Any]]:
    """``TRANSITIONS`` in the dict form ``transitions.Machine(transitions=...)`` takes."""
    return [
        {
            "trigger": t.trigger.value,
            "source": [s.value for s in t.sources],
            "dest": t.dest.value,
            "conditions": list(t.conditions),
            "unless": list(t.unless),
        }
        for t in TRANSITIONS
    ]


def build_machine(machine_cls: type[Machine] = Machine, **kwargs: Any) -> Machine:
    """Build a ``transitions`` machine from ``TRANSITIONS`` (no model unless given).

    Args:
        machine_cls: ``Machine`` or an extension such as ``GraphMachine``.
        **kwargs: passed to the machine (e.g. ``model=``, ``graph_engine=``,
            ``transitions=`` to reuse a prebuilt :func:`machine_transitions`).
    """
    kwargs.setdefault("model", None)
    kwargs.setdefault("initial", ItemStatus.ORDER_SUBMITTED.value)
    if "transitions" not in kwargs:
        kwargs["transitions"] = machine_transitions()
    return machine_cls(
        states=[s.value for s in ItemStatus],
        auto_transitions=False,
        **kwargs,
    )


MACHINE: Machine = build_machine()


@attrs.frozen
class Candidate:
    """A compiled transition: ``dest`` if every ``(guard, expected)`` in ``checks`` holds."""

    dest: ItemStatus
    checks: tuple[tuple[Callable[[_Guarded], bool], bool], ...]


def _compile(machine: Machine) -> Mapping[tuple[ItemStatus, Trigger], tuple[Candidate, ...]]:
    table: dict[tuple[ItemStatus, Trigger], tuple[Candidate, ...]] = {}
    for name, event in machine.events.items():
        trigger = Trigger(name)
        for source, transitions in event.transitions.items():
            table[(ItemStatus(source), trigger)] = tuple(
                Candidate(
                    dest=ItemStatus(str(t.dest)),
                    checks=tuple((GUARDS[str(c.func)], bool(c.target)) for c in t.conditions),
                )
                for t in transitions
            )
    return MappingProxyType(table)


LOOKUP: Mapping[tuple[ItemStatus, Trigger], tuple[Candidate, ...]] = _compile(MACHINE)


def resolve(item: _Guarded, status: ItemStatus, trigger: Trigger) -> ItemStatus | None:
    """The destination of ``trigger`` for ``item`` in ``status``, or None when not allowed."""
    for cand in LOOKUP.get((status, trigger), ()):
        for guard, expected in cand.checks:
            if guard(item) is not expected:
                break
        else:
            return cand.dest
    return None


def allowed_triggers(item: _Guarded, status: ItemStatus) -> tuple[Trigger, ...]:
    """Triggers that ``item`` accepts in ``status``, in table order (roles not considered)."""
    return tuple(t for t in Trigger if resolve(item, status, t) is not None)


# 0.1 exposed the table's shorthands as module attributes; they were never meant
# to be API and single letters say nothing at a call site.  (The domain may not
# import ``tnorder._deprecation``; the wording is the same.)
_SHORTHANDS: Mapping[str, tuple[type[StrEnum], str]] = MappingProxyType(
    {"S": (ItemStatus, "tnorder.ItemStatus"), "T": (Trigger, "tnorder.Trigger")}
)


def __getattr__(name: str) -> object:
    if name not in _SHORTHANDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value, instead = _SHORTHANDS[name]
    warnings.warn(
        f"{__name__}.{name} is deprecated since tnorder 0.2 and will be removed in 0.4; "
        f"use {instead} instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return value
