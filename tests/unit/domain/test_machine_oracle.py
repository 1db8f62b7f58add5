"""The line-item rules checked against a table written by hand from the guides.

``test_machine.py`` checks that the compiled lookup agrees with the
``transitions.Machine`` built from the same ``TRANSITIONS``; that cannot notice a
wrong row.  The tables below are written out again, independently, from the
portal guide (``Order Status & Timeline Guide``, ``Need to Cancel an Order?``,
``Real-Time Feedback``) and ``docs/decisions.md`` (``Transitions the guide leaves
implicit``, ``Who may fire what``).  Nothing here reads ``TRANSITIONS`` or
``TRIGGER_ROLES`` to build the expectation: a change to either that is not also
made here fails.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from tnorder import (
    Actor,
    InvalidTransition,
    ItemStatus,
    NewItem,
    Order,
    OrderKind,
    PermissionDenied,
    Role,
    Trigger,
)
from tnorder.domain.machine import (
    TRIGGER_ROLES,
    _compile,
    allowed_triggers,
    build_machine,
    resolve,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Short names so the table below reads like the guide.
OS = ItemStatus.ORDER_SUBMITTED
UR = ItemStatus.UNDER_REVIEW
VP = ItemStatus.VERIFICATION_PENDING
STC = ItemStatus.SUBMITTED_TO_CARRIER
PA = ItemStatus.PORT_APPROVED
PDR = ItemStatus.PORT_DATE_RECEIVED
VI = ItemStatus.VALIDATING_INSTALLATION
IP = ItemStatus.IN_PROGRESS
IR = ItemStatus.INFORMATION_REQUIRED
PR = ItemStatus.PORT_REJECTED
DONE = ItemStatus.COMPLETED
GONE = ItemStatus.CANCELLED

NEW = OrderKind.NEW_NUMBER
PORT = OrderKind.PORT_IN
DISC = OrderKind.DISCONNECT
ALL_KINDS = (NEW, PORT, DISC)

# The stored and published trigger names (they appear in events and the API).
EXPECTED_TRIGGER_VALUES = {
    "place",
    "review",
    "begin_verification",
    "submit_to_carrier",
    "approve_port",
    "receive_port_date",
    "start_configuration",
    "validate_installation",
    "complete",
    "request_information",
    "provide_information",
    "reject",
    "withdraw",
    "cancel",
}

# Every status that is not Completed or Cancelled (the guide's "Final Milestone").
OPEN = (OS, UR, VP, STC, PA, PDR, VI, IP, IR, PR)

# (trigger, from-status, kinds) -> to-status.  Every row not listed is refused.
_ROWS: list[tuple[str, tuple[ItemStatus, ...], tuple[OrderKind, ...], ItemStatus]] = [
    # The guide's "No Action Required" path: received, reviewed, verified, sent on.
    ("review", (OS,), ALL_KINDS, UR),
    ("begin_verification", (OS, UR), ALL_KINDS, VP),
    ("submit_to_carrier", (OS, UR, VP), ALL_KINDS, STC),
    # "Port Approved" / "Port Date Received": porting orders only; a FOC date may be re-issued.
    ("approve_port", (STC,), (PORT,), PA),
    ("receive_port_date", (STC, PA, PDR), (PORT,), PDR),
    # A new number is configured once the carrier has it; a port only after its
    # date is known; a disconnect never ("In Progress: AVOXI is actively
    # configuring your new environment": a disconnect has no new environment,
    # decisions: "Transitions ... implicit").
    ("start_configuration", (STC,), (NEW,), IP),
    ("start_configuration", (PDR,), (PORT,), IP),
    ("validate_installation", (IP,), ALL_KINDS, VI),
    ("complete", (VI,), ALL_KINDS, DONE),
    # A disconnect finishes when the carrier confirms it.
    ("complete", (STC,), (DISC,), DONE),
    # We may ask for information from any open status but that one itself.
    ("request_information", tuple(s for s in OPEN if s is not IR), ALL_KINDS, IR),
    # "The moment all documents have been uploaded ... Under Review"; corrected
    # port details leave Port Rejected the same way.
    ("provide_information", (IR,), ALL_KINDS, UR),
    ("provide_information", (PR,), (PORT,), UR),
    # "Information Required (or Port Rejected for porting cases)": a rejection
    # can come until the carrier has done its part.
    ("reject", (OS, UR, VP, STC, PA, PDR), (PORT,), PR),
    ("reject", (OS, UR, VP, STC), (NEW, DISC), IR),
    # A number the carrier cannot provide (or a disconnect it cannot carry out)
    # ends with the carrier's reason: the customer could not act on it
    # (docs/decisions.md, "A number the carrier could not provide").
    ("withdraw", (OS, UR, VP, STC), (NEW, DISC), GONE),
    ("cancel", OPEN, ALL_KINDS, GONE),
]


def _expected_table() -> dict[tuple[ItemStatus, str, OrderKind], ItemStatus]:
    table: dict[tuple[ItemStatus, str, OrderKind], ItemStatus] = {}
    for trigger, sources, kinds, dest in _ROWS:
        for source, kind in itertools.product(sources, kinds):
            assert (source, trigger, kind) not in table, "the hand table repeats a row"
            table[(source, trigger, kind)] = dest
    return table


EXPECTED = _expected_table()

# Who may fire what ("Who may fire what"; "cancellations cannot be processed
# automatically within the online portal ... reach out to our Account Manager").
C, AM, ST, SY, CA = Role.CUSTOMER, Role.ACCOUNT_MANAGER, Role.STAFF, Role.SYSTEM, Role.CARRIER
EXPECTED_ROLES: dict[str, frozenset[Role]] = {
    "place": frozenset({C, AM, ST, SY}),
    "review": frozenset({AM, ST, SY}),
    "begin_verification": frozenset({AM, ST, SY}),
    "submit_to_carrier": frozenset({AM, ST, SY}),
    "approve_port": frozenset({AM, ST, SY, CA}),
    "receive_port_date": frozenset({AM, ST, SY, CA}),
    "start_configuration": frozenset({AM, ST, SY, CA}),
    "validate_installation": frozenset({AM, ST, SY, CA}),
    "complete": frozenset({AM, ST, SY, CA}),
    "request_information": frozenset({AM, ST, SY, CA}),
    "provide_information": frozenset({C, AM, ST, SY}),
    "reject": frozenset({AM, ST, SY, CA}),
    "withdraw": frozenset({AM, ST, SY, CA}),
    "cancel": frozenset({AM}),
}


class _Item:
    def __init__(self, kind: OrderKind) -> None:
        self.kind = kind


def _reachable(status: ItemStatus, kind: OrderKind) -> bool:
    # Only a port-in can ever be in a porting-only status (the guide's "[Porting
    # Orders Only]"); other combinations never occur, so they are not judged.
    return kind is PORT or status not in (PA, PDR, PR)


CASES = [
    (status, trigger, kind)
    for status, trigger, kind in itertools.product(
        ItemStatus, sorted(EXPECTED_TRIGGER_VALUES - {"place"}), ALL_KINDS
    )
    if _reachable(status, kind)
]


def _order_in(status: ItemStatus, kind: OrderKind) -> Order:
    number = None if kind is NEW else "+14045550100"
    order = Order.place(
        "o-1",
        "acct-1",
        [NewItem(kind=kind, number=number, item_id="i-1")],
        actor=Actor(Role.SYSTEM, "job"),
        at=AT,
    )
    # Put the item straight into the status under test: the oracle judges one
    # step, whatever path led there.
    order.items[0].status = status
    return order


def test_trigger_values_are_the_published_names() -> None:
    """The triggers are exactly the thirteen verbs stored in events and the API."""
    assert EXPECTED_TRIGGER_VALUES == {t.value for t in Trigger}


@pytest.mark.parametrize(("status", "trigger", "kind"), CASES)
def test_resolve_matches_the_hand_table(status: ItemStatus, trigger: str, kind: OrderKind) -> None:
    """Each (status, trigger, kind) goes where the guide says, or is refused."""
    assert EXPECTED.get((status, trigger, kind)) == resolve(_Item(kind), status, Trigger(trigger))


@pytest.mark.parametrize(("status", "trigger", "kind"), CASES)
def test_order_fire_matches_the_hand_table(
    status: ItemStatus, trigger: str, kind: OrderKind
) -> None:
    """Order.fire (with its precomputed fast path) moves or refuses exactly as the table says."""
    order = _order_in(status, kind)
    expected = EXPECTED.get((status, trigger, kind))
    manager = Actor(Role.ACCOUNT_MANAGER, "am-1")
    if expected is None:
        with pytest.raises(InvalidTransition) as refused:
            order.fire("i-1", trigger, actor=manager, at=AT, committed_date=date(2026, 3, 9))
        assert trigger == refused.value.trigger
        assert status.value == refused.value.status
        assert status == order.items[0].status
    else:
        entry = order.fire("i-1", trigger, actor=manager, at=AT, committed_date=date(2026, 3, 9))
        assert (status, expected) == (entry.from_status, entry.to_status)
        assert expected == order.items[0].status


@pytest.mark.parametrize(
    ("status", "kind"),
    [(s, k) for s, k in itertools.product(ItemStatus, ALL_KINDS) if _reachable(s, k)],
)
def test_allowed_triggers_match_the_hand_table(status: ItemStatus, kind: OrderKind) -> None:
    """allowed_triggers lists exactly the triggers the table accepts, in declaration order."""
    expected = tuple(t for t in Trigger if (status, t.value, kind) in EXPECTED)
    assert expected == allowed_triggers(_Item(kind), status)


def test_trigger_roles_match_the_hand_table() -> None:
    """The published role table says who may fire each trigger, as the guide does."""
    assert EXPECTED_ROLES == {t.value: set(roles) for t, roles in TRIGGER_ROLES.items()}


# A status in which each trigger is accepted for a port-in, so that only the
# role decides whether firing succeeds.
_ACCEPTING = {
    "review": OS,
    "begin_verification": OS,
    "submit_to_carrier": OS,
    "approve_port": STC,
    "receive_port_date": STC,
    "start_configuration": PDR,
    "validate_installation": IP,
    "complete": VI,
    "request_information": OS,
    "provide_information": IR,
    "reject": OS,
    "withdraw": OS,
    "cancel": OS,
}


@pytest.mark.parametrize(
    ("trigger", "role"), list(itertools.product(sorted(_ACCEPTING), list(Role)))
)
def test_order_fire_enforces_the_hand_role_table(trigger: str, role: Role) -> None:
    """A role outside the trigger's row is refused with PermissionDenied naming role and action."""
    kind = NEW if trigger == "withdraw" else PORT  # withdraw never applies to a port-in
    order = _order_in(_ACCEPTING[trigger], kind)
    actor = Actor(role, "who")
    if role in EXPECTED_ROLES[trigger]:
        entry = order.fire("i-1", trigger, actor=actor, at=AT, committed_date=date(2026, 3, 9))
        assert EXPECTED[(_ACCEPTING[trigger], trigger, kind)] == entry.to_status
    else:
        with pytest.raises(PermissionDenied) as refused:
            order.fire("i-1", trigger, actor=actor, at=AT, committed_date=date(2026, 3, 9))
        assert (role.value, trigger) == (refused.value.role, refused.value.action)
        assert _ACCEPTING[trigger] == order.items[0].status


@pytest.mark.parametrize("role", list(Role))
def test_place_enforces_the_hand_role_table(role: Role) -> None:
    """Only the roles the guide lets order may place an order."""
    items = [NewItem(kind=NEW)]
    if role in EXPECTED_ROLES["place"]:
        order = Order.place("o-1", "acct-1", items, actor=Actor(role, "who"), at=AT)
        assert OS == order.items[0].status
    else:
        with pytest.raises(PermissionDenied) as refused:
            Order.place("o-1", "acct-1", items, actor=Actor(role, "who"), at=AT)
        assert (role.value, "place") == (refused.value.role, refused.value.action)


# -- the builder and compiler, run afresh --------------------------------------
#
# ``LOOKUP`` is compiled once at import; these run the builder and compiler
# again so that a change to either is judged against the hand table too.


def test_a_freshly_compiled_lookup_matches_the_hand_table() -> None:
    """Compiling a newly built machine gives exactly the hand table's moves."""
    compiled = _compile(build_machine())
    for status, trigger, kind in CASES:
        item = _Item(kind)
        dest = None
        for cand in compiled.get((status, Trigger(trigger)), ()):
            if all(guard(item) is expected for guard, expected in cand.checks):
                dest = cand.dest
                break
        assert EXPECTED.get((status, trigger, kind)) == dest, (status, trigger, kind)


def test_built_machine_has_only_the_table_triggers() -> None:
    """The machine has no automatic ``to_<state>`` triggers, only the table's verbs."""
    assert EXPECTED_TRIGGER_VALUES - {"place"} == set(build_machine().events)


def test_build_machine_uses_given_transitions() -> None:
    """A prebuilt transitions list passed in is used as is, not replaced by the table."""
    rows = [{"trigger": "review", "source": ["order_submitted"], "dest": "under_review"}]
    machine = build_machine(transitions=rows)
    assert {"review"} == set(machine.events)
    assert "order_submitted" == machine.initial
