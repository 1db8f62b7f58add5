"""Carrier status vocabularies as data, and what each carrier step does to a line item.

Pure data and pure rules.  Nothing here reads the clock or talks to a carrier.

Read top to bottom:

1. Carrier vocabularies (status word -> :class:`CarrierStep` and
   :class:`RequestStatus`) are data owned by each carrier's adapter
   (``tnorder.adapters.bandwidth.BANDWIDTH``); the domain names no vendor.
2. ``CARRIER_PATHS`` is the stretch of the line-item machine a carrier drives,
   per kind of item, and ``FORWARD_TARGETS`` / ``SIDE_TRIGGERS`` say where each
   step takes an item.  The transition table in ``tnorder.domain.machine`` is
   not changed: every planned trigger is one it already allows.
3. :func:`plan_item` turns a number's step into triggers for its line item.

What an update does to the carrier request and its numbers (splitting it
into a step per number, each number's new state) is the request's own rule
(``tnorder.domain.carrier_request``, which uses this module; this module never
uses it, so there is no import cycle).  ``number_steps`` and ``plan_number``
moved there.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import attrs

from .carrier import CarrierStep
from .machine import Trigger
from .statuses import ItemStatus, OrderKind

__all__ = [
    "BEFORE_CARRIER",
    "CARRIER_PATHS",
    "FORWARD_TARGETS",
    "SIDE_TRIGGERS",
    "WAITING_FOR_CUSTOMER",
    "PlannedTrigger",
    "plan_item",
]

Step = CarrierStep

# -- 1. carrier vocabularies ---------------------------------------------------

# Vendor vocabularies belong to their adapters (the domain names no vendor):
# Bandwidth's tables are in ``tnorder.adapters.bandwidth`` since 0.2.  The
# old names still resolve here, with a DeprecationWarning, until 0.3.
_MOVED = frozenset(
    {"BANDWIDTH", "BANDWIDTH_DISCONNECT", "BANDWIDTH_NUMBER_ORDER", "BANDWIDTH_PORT_IN"}
)


def __getattr__(name: str) -> object:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"tnorder.domain.carrier_status.{name} moved to tnorder.adapters.bandwidth.{name}",
        DeprecationWarning,
        stacklevel=2,
    )
    # Deferred so that the domain never imports an adapter unless this
    # deprecated name is asked for (see tests/unit/test_architecture.py).
    from ..adapters.bandwidth import _vocabulary

    value: object = getattr(_vocabulary, name)
    return value


# -- 2. the stretch of the item machine a carrier drives ----------------------

Item = ItemStatus
T = Trigger

CARRIER_PATHS: Mapping[OrderKind, tuple[tuple[Trigger, ItemStatus], ...]] = MappingProxyType(
    {
        # A new number is the carrier's job until it is ours; configuring and
        # validating the installation are our own work, fired by the host.
        OrderKind.NEW_NUMBER: (
            (T.SUBMIT_TO_CARRIER, Item.SUBMITTED_TO_CARRIER),
            (T.START_CONFIGURATION, Item.IN_PROGRESS),
        ),
        OrderKind.DISCONNECT: (
            (T.SUBMIT_TO_CARRIER, Item.SUBMITTED_TO_CARRIER),
            (T.COMPLETE, Item.COMPLETED),
        ),
        OrderKind.PORT_IN: (
            (T.SUBMIT_TO_CARRIER, Item.SUBMITTED_TO_CARRIER),
            (T.APPROVE_PORT, Item.PORT_APPROVED),
            (T.RECEIVE_PORT_DATE, Item.PORT_DATE_RECEIVED),
            (T.START_CONFIGURATION, Item.IN_PROGRESS),
        ),
    }
)

BEFORE_CARRIER: frozenset[ItemStatus] = frozenset(
    {Item.ORDER_SUBMITTED, Item.UNDER_REVIEW, Item.VERIFICATION_PENDING}
)
"""Statuses from which ``submit_to_carrier`` starts the carrier's stretch."""

WAITING_FOR_CUSTOMER: frozenset[ItemStatus] = frozenset(
    {Item.INFORMATION_REQUIRED, Item.PORT_REJECTED}
)
"""Statuses only the customer (or our staff) can leave; carrier updates wait."""


def _targets() -> Mapping[tuple[CarrierStep, OrderKind], ItemStatus]:
    table: dict[tuple[CarrierStep, OrderKind], ItemStatus] = {}
    for kind in OrderKind:
        last = CARRIER_PATHS[kind][-1][1]
        table[(Step.ACCEPTED, kind)] = Item.SUBMITTED_TO_CARRIER
        table[(Step.FULFILLED, kind)] = last
        # Port milestones mean nothing more than "accepted" for other kinds.
        port = kind is OrderKind.PORT_IN
        accepted = Item.SUBMITTED_TO_CARRIER
        table[(Step.PORT_APPROVED, kind)] = Item.PORT_APPROVED if port else accepted
        table[(Step.PORT_DATE_SET, kind)] = Item.PORT_DATE_RECEIVED if port else accepted
    return MappingProxyType(table)


FORWARD_TARGETS: Mapping[tuple[CarrierStep, OrderKind], ItemStatus] = _targets()
"""Where a forward step takes an item of each kind."""

SIDE_TRIGGERS: Mapping[CarrierStep, Trigger] = MappingProxyType(
    {
        Step.NEEDS_INFORMATION: T.REQUEST_INFORMATION,
        Step.REJECTED: T.REJECT,
        Step.WITHDRAWN: T.REJECT,
    }
)
"""Steps that take an item off the carrier path to the customer (with a note)."""

# -- 3. rules -----------------------------------------------------------------


@attrs.frozen
class PlannedTrigger:
    """One trigger to fire on an item, with its note and (port date) committed date."""

    trigger: Trigger
    note: str | None = None
    committed_date: date | None = None


def plan_item(
    kind: OrderKind,
    status: ItemStatus,
    committed_date: date | None,
    step: CarrierStep,
    *,
    foc_date: date | None,
    note: str | None,
    fallback_date: date,
) -> tuple[PlannedTrigger, ...] | None:
    """The triggers that take an item from ``status`` to where ``step`` says.

    Returns ``()`` when nothing should change and ``None`` when the item waits
    for the customer (Information Required, Port Rejected): the update is held
    back and applies when the carrier sends it again after the customer acted.

    - Final items, and items the host moved past the carrier's stretch
      (Validating Installation), are left alone.
    - Forward steps only move forward along ``CARRIER_PATHS[kind]``; a step at
      or behind the item changes nothing (never backwards), except a new port
      date for an item already at Port Date Received (a re-issued FOC).
    - A port passing through Port Date Received uses ``foc_date``, or
      ``fallback_date`` (the day the carrier reported) when it sent none.
    - Side steps (needs information, rejected, withdrawn) apply only while the
      carrier's stretch is unfinished, with ``note`` as the customer's note.
      A refusal of a new number or a disconnect ends the item (``withdraw``,
      Cancelled with the carrier's reason); only a port-in is rejected back
      to the customer (Port Rejected), who can correct its details.
    """
    if step is Step.PARTIAL:
        raise ValueError("split PARTIAL into per-number steps with number_steps() first")
    if status.is_final:
        return ()
    if status in WAITING_FOR_CUSTOMER:
        return None
    path = CARRIER_PATHS[kind]
    statuses = [s for _, s in path]
    if status in BEFORE_CARRIER:
        position = 0
    elif status in statuses:
        position = statuses.index(status) + 1
    else:
        return ()
    side = SIDE_TRIGGERS.get(step)
    if side is not None:
        if position >= len(path):
            return ()
        if side is T.REJECT and kind is not OrderKind.PORT_IN:
            # Nothing the customer could fix: the item ends with the carrier's reason.
            side = T.WITHDRAW
        return (PlannedTrigger(side, note),)
    target = statuses.index(FORWARD_TARGETS[(step, kind)]) + 1
    plan: list[PlannedTrigger] = []
    at_port_date = status is Item.PORT_DATE_RECEIVED
    if at_port_date and target >= position and foc_date not in (None, committed_date):
        plan.append(PlannedTrigger(T.RECEIVE_PORT_DATE, committed_date=foc_date))
    for trigger, _ in path[position:target]:
        if trigger is T.RECEIVE_PORT_DATE:
            plan.append(PlannedTrigger(trigger, committed_date=foc_date or fallback_date))
        else:
            plan.append(PlannedTrigger(trigger))
    return tuple(plan)
