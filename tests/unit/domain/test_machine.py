"""The compiled lookup agrees with the transitions.Machine built from the same table."""

from __future__ import annotations

import itertools

import pytest
from transitions import MachineError

from tnorder import ItemStatus, OrderKind, Trigger
from tnorder.domain.machine import (
    LOOKUP,
    MACHINE,
    TRANSITIONS,
    allowed_triggers,
    build_machine,
    resolve,
)


class _Model:
    """A stand-in item for the reference Machine: state plus the guard attributes."""

    def __init__(self, status: ItemStatus, kind: OrderKind) -> None:
        self.state = status.value
        self.kind = kind
        self.is_port_in = kind is OrderKind.PORT_IN
        self.is_disconnect = kind is OrderKind.DISCONNECT


FIREABLE = [t for t in Trigger if t is not Trigger.PLACE]


def _through_machine(status: ItemStatus, trigger: Trigger, kind: OrderKind) -> ItemStatus | None:
    model = _Model(status, kind)
    machine = build_machine(model=model)
    # Adding a model puts it in the initial state; put it where the case starts.
    machine.set_state(status.value, model=model)
    try:
        moved = getattr(model, trigger.value)()
    except MachineError:
        return None
    return ItemStatus(model.state) if moved else None


@pytest.mark.parametrize(
    ("status", "trigger", "kind"), list(itertools.product(ItemStatus, FIREABLE, OrderKind))
)
def test_lookup_matches_machine(status: ItemStatus, trigger: Trigger, kind: OrderKind) -> None:
    """Every (status, trigger, guard outcome) resolves the same through both paths."""
    model = _Model(status, kind)
    assert _through_machine(status, trigger, kind) == resolve(model, status, trigger)


def test_the_import_time_machine_has_no_model() -> None:
    """The shared Machine is never attached to domain objects."""
    assert [] == MACHINE.models


def test_lookup_is_frozen() -> None:
    """The compiled lookup cannot be changed at run time."""
    with pytest.raises(TypeError, match=r"'mappingproxy' object does not support item assignment"):
        LOOKUP[(ItemStatus.COMPLETED, Trigger.CANCEL)] = ()  # type: ignore[index]


@pytest.mark.parametrize("kind", list(OrderKind))
def test_final_statuses_absorb_nothing(kind: OrderKind) -> None:
    """Completed and Cancelled accept no trigger at all."""
    model = _Model(ItemStatus.COMPLETED, kind)
    assert () == allowed_triggers(model, ItemStatus.COMPLETED)
    assert () == allowed_triggers(model, ItemStatus.CANCELLED)


@pytest.mark.parametrize("kind", [OrderKind.NEW_NUMBER, OrderKind.DISCONNECT])
def test_porting_only_statuses_unreachable_without_port_in(kind: OrderKind) -> None:
    """No status reaches a porting-only status unless the item is a port-in."""
    model = _Model(ItemStatus.ORDER_SUBMITTED, kind)
    for status, trigger in itertools.product(ItemStatus, FIREABLE):
        dest = resolve(model, status, trigger)
        assert dest is None or not dest.porting_only


def test_information_required_reachable_from_every_working_status() -> None:
    """request_information works from every non-final status except itself."""
    for kind in OrderKind:
        model = _Model(ItemStatus.ORDER_SUBMITTED, kind)
        for status in ItemStatus:
            dest = resolve(model, status, Trigger.REQUEST_INFORMATION)
            if status.is_final or status is ItemStatus.INFORMATION_REQUIRED:
                assert dest is None
            else:
                assert ItemStatus.INFORMATION_REQUIRED == dest


def test_cancel_allowed_from_every_non_final_status() -> None:
    """cancel moves any open item to Cancelled."""
    model = _Model(ItemStatus.ORDER_SUBMITTED, OrderKind.NEW_NUMBER)
    for status in ItemStatus:
        expected = None if status.is_final else ItemStatus.CANCELLED
        assert expected == resolve(model, status, Trigger.CANCEL)


def test_reject_depends_on_the_item_kind() -> None:
    """A rejection sends a port-in to Port Rejected and anything else to Information Required."""
    port = _Model(ItemStatus.SUBMITTED_TO_CARRIER, OrderKind.PORT_IN)
    new = _Model(ItemStatus.SUBMITTED_TO_CARRIER, OrderKind.NEW_NUMBER)
    status = ItemStatus.SUBMITTED_TO_CARRIER
    assert ItemStatus.PORT_REJECTED == resolve(port, status, Trigger.REJECT)
    assert ItemStatus.INFORMATION_REQUIRED == resolve(new, status, Trigger.REJECT)


def test_every_status_is_reachable() -> None:
    """Each status is the destination of some row, or the initial one."""
    reached = {t.dest for t in TRANSITIONS} | {ItemStatus.ORDER_SUBMITTED}
    assert set(ItemStatus) == reached
