"""Document requirement rules, written down from docs/documents.md and docs/decisions.md.

Kinds are open ``snake_case`` strings with a set of well-known ones; a rule's
region is any region, a country (and every region in it) or exactly one region;
every matching rule adds its kinds, in rule order, each once; the default
policy asks TrueLocal numbers for proof of local address and port-ins for a
letter of authorization and a recent bill; only TrueLocal numbers are ever
locked for regulatory approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from tnorder import NumberType, OrderKind, ValidationError
from tnorder.domain.requirements import (
    DEFAULT_REQUIREMENTS_POLICY,
    NO_REQUIREMENTS,
    DocumentSource,
    RequirementKind,
    RequirementRule,
    RequirementState,
    RulesPolicy,
    all_approved,
    all_satisfied,
    missing_requirements,
    normalize_region,
    regulatory_approval_required,
    requirement_kind,
    requirement_label,
    requirements_for,
    uploaded_document_ids,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCAL = "proof_of_local_address"
LOA = "letter_of_authorization"
BILL = "recent_bill"
TL = NumberType.TRUELOCAL
NEW = OrderKind.NEW_NUMBER
PORT = OrderKind.PORT_IN


class _Doc:
    """An attachable document: only the two facts a requirement reads."""

    def __init__(self, document_id: str, *, in_library: bool) -> None:
        self.document_id = document_id
        self.in_library = in_library


# -- kinds ----------------------------------------------------------------------------


def test_a_kind_is_stored_as_its_plain_string() -> None:
    """A well-known member and a host's own name are both kept as plain strings."""
    stored = requirement_kind(RequirementKind.RECENT_BILL)
    assert ("recent_bill", str) == (stored, type(stored))
    assert "tax_card_2" == requirement_kind("tax_card_2")
    assert "a" * 64 == requirement_kind("a" * 64)


@pytest.mark.parametrize("bad", ["Recent_Bill", "2fa", "_x", "a" * 65, "bill-copy", "", None, 3])
def test_a_kind_must_be_a_lower_case_snake_case_name(bad: object) -> None:
    """Anything but ``[a-z][a-z0-9_]{0,63}`` is refused on ``kind``, naming the value."""
    with pytest.raises(ValidationError) as info:
        requirement_kind(bad)  # type: ignore[arg-type]
    assert f"requirement kind must be a lower-case snake_case name, got {bad!r}" == str(info.value)
    assert "kind" == info.value.field


def test_labels_are_customer_facing() -> None:
    """Well-known kinds have their label; a host's kind reads as a sentence-case phrase."""
    assert "Proof of local address" == requirement_label(LOCAL)
    assert "Tax card copy" == requirement_label("tax_card_copy")


def test_regions_are_compared_stripped_and_upper_case() -> None:
    """ " us-ga " is "US-GA"; blank is no region; a non-string is refused on ``region``."""
    assert "US-GA" == normalize_region(" us-ga ")
    assert normalize_region("   ") is None
    assert normalize_region(None) is None
    with pytest.raises(ValidationError) as info:
        normalize_region(5)  # type: ignore[arg-type]
    assert "region" == info.value.field


# -- rules ------------------------------------------------------------------------


def _matches(rule: RequirementRule, region: str | None, nt: NumberType = TL) -> bool:
    return rule.matches(region=region, number_type=nt, order_kind=NEW)


def test_a_rule_without_region_matches_every_region_and_none() -> None:
    """No region on the rule: any item, even one whose region is unknown."""
    rule = RequirementRule((LOCAL,))
    assert (True, True) == (_matches(rule, "US-GA"), _matches(rule, None))


def test_a_country_rule_matches_the_country_and_its_regions_only() -> None:
    """ "US" matches "US" and "US-GA", not "USA", not "CA-US", not an unknown region."""
    rule = RequirementRule((LOCAL,), region="us")
    assert [True, True, False, False, False] == [
        _matches(rule, r) for r in ("US", "us-ga", "USA", "CA-US", None)
    ]


def test_a_region_rule_matches_only_that_region() -> None:
    """A region rule matches only itself: not its country, "US-GAX" or "US-GA-ATL"."""
    rule = RequirementRule((LOCAL,), region="US-GA")
    assert [True, False, False, False] == [
        _matches(rule, r) for r in (" us-ga ", "US", "US-GAX", "US-GA-ATL")
    ]


def test_a_rule_filters_by_number_type_and_order_kind() -> None:
    """A rule for TrueLocal port-ins ignores other number types and order kinds."""
    rule = RequirementRule((LOCAL,), number_type="truelocal", order_kind="port_in")
    assert (TL, PORT) == (rule.number_type, rule.order_kind)
    assert rule.matches(region=None, number_type=TL, order_kind=PORT)
    assert not rule.matches(region=None, number_type=NumberType.LOCAL, order_kind=PORT)
    assert not rule.matches(region=None, number_type=TL, order_kind=NEW)


def test_a_rule_keeps_each_kind_once_in_order() -> None:
    """Kinds given twice are kept once, where first given."""
    assert (BILL, LOA) == RequirementRule([BILL, LOA, BILL]).kinds


@pytest.mark.parametrize(("bad", "name"), [("recent_bill", "str"), (b"x", "bytes"), (7, "int")])
def test_a_rule_needs_a_list_of_kinds(bad: object, name: str) -> None:
    """A single string (or anything not a list) is refused on ``kinds``."""
    with pytest.raises(ValidationError) as info:
        RequirementRule(bad)  # type: ignore[arg-type]
    assert f"kinds must be a list of requirement kinds, got {name}" == str(info.value)
    assert "kinds" == info.value.field


def test_a_rule_refuses_unknown_number_types_and_order_kinds() -> None:
    """Values outside the enums are refused on their own field."""
    with pytest.raises(ValidationError) as info:
        RequirementRule((LOCAL,), number_type="TrueLocal")  # type: ignore[arg-type]
    assert "number_type" == info.value.field
    with pytest.raises(ValidationError) as info:
        RequirementRule((LOCAL,), order_kind="port")  # type: ignore[arg-type]
    assert "order_kind" == info.value.field


def test_a_rules_policy_holds_only_rules() -> None:
    """Anything else in the rules is refused on ``rules``, naming it."""
    with pytest.raises(ValidationError) as info:
        RulesPolicy([RequirementRule((LOCAL,)), "recent_bill"])  # type: ignore[list-item]
    assert "expected a RequirementRule, got 'recent_bill'" == str(info.value)
    assert "rules" == info.value.field


def test_every_matching_rule_adds_its_kinds_in_rule_order_once() -> None:
    """Kinds add up across rules, first rule first, each kind once."""
    policy = RulesPolicy(
        [
            RequirementRule((BILL,), region="US"),
            RequirementRule((LOCAL, BILL), number_type=TL),
            RequirementRule((LOA,), region="CA"),
        ]
    )
    assert (BILL, LOCAL) == policy.requirements_for(region="US-GA", number_type=TL, order_kind=NEW)
    # Value strings are those members, as everywhere else.
    assert (LOCAL, BILL, LOA) == policy.requirements_for(
        region="CA-ON",
        number_type="truelocal",  # type: ignore[arg-type]
        order_kind="new_number",  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("number_type", "order_kind", "expected"),
    [
        (TL, NEW, (LOCAL,)),
        (TL, PORT, (LOCAL, LOA, BILL)),
        (NumberType.LOCAL, PORT, (LOA, BILL)),
        (NumberType.LOCAL, NEW, ()),
        (NumberType.TOLL_FREE, OrderKind.DISCONNECT, ()),
    ],
)
def test_the_default_policy(
    number_type: NumberType, order_kind: OrderKind, expected: tuple[str, ...]
) -> None:
    """TrueLocal needs proof of local address; port-ins an LOA and a recent bill; else nothing."""
    assert expected == tuple(
        DEFAULT_REQUIREMENTS_POLICY.requirements_for(
            region="US-GA", number_type=number_type, order_kind=order_kind
        )
    )
    assert () == tuple(
        NO_REQUIREMENTS.requirements_for(
            region="US-GA", number_type=number_type, order_kind=order_kind
        )
    )


class _HostPolicy:
    """A host policy returning what it is told, and recording what it was asked."""

    def __init__(self, kinds: Sequence[str], lock: object = None) -> None:
        self.kinds = kinds
        self.lock = lock
        self.asked: list[dict[str, object]] = []

    def requirements_for(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> Sequence[str]:
        self.asked.append({"region": region, "number_type": number_type, "order_kind": order_kind})
        return self.kinds


class _LockingPolicy(_HostPolicy):
    def requires_regulatory_approval(
        self, *, region: str | None, number_type: NumberType, order_kind: OrderKind
    ) -> object:
        self.asked.append({"region": region, "number_type": number_type, "order_kind": order_kind})
        return self.lock


def test_requirements_for_asks_the_policy_and_checks_its_answer() -> None:
    """The policy is asked about the item; its kinds come back checked, each once."""
    policy = _HostPolicy([BILL, "tax_card", BILL])
    assert (BILL, "tax_card") == requirements_for(
        policy, region="US-GA", number_type=TL, order_kind=PORT
    )
    assert [{"region": "US-GA", "number_type": TL, "order_kind": PORT}] == policy.asked
    with pytest.raises(ValidationError) as info:
        requirements_for(_HostPolicy(["Tax Card"]), region=None, number_type=TL, order_kind=NEW)
    assert "kind" == info.value.field


# -- regulatory lock -----------------------------------------------------------------


def test_only_truelocal_numbers_are_ever_locked() -> None:
    """A local number is never locked, whatever the policy says or asks for."""
    policy = _LockingPolicy([LOCAL], lock=True)
    assert not regulatory_approval_required(
        policy, region="US-GA", number_type=NumberType.LOCAL, order_kind=NEW, kinds=(LOCAL,)
    )
    assert [] == policy.asked


def test_without_a_decision_a_truelocal_item_is_locked_when_it_needs_documents() -> None:
    """No ``requires_regulatory_approval``: locked exactly when the policy asked for kinds."""
    policy = _HostPolicy([])
    assert regulatory_approval_required(
        policy, region="US-GA", number_type=TL, order_kind=NEW, kinds=(LOCAL,)
    )
    assert not regulatory_approval_required(
        policy, region="US-GA", number_type=TL, order_kind=NEW, kinds=()
    )


@pytest.mark.parametrize("lock", [True, False])
def test_a_policy_may_decide_the_lock_itself(lock: bool) -> None:
    """The policy's own answer wins over the kinds, and it is asked about the item."""
    policy = _LockingPolicy([], lock=lock)
    assert lock is regulatory_approval_required(
        policy, region="US-GA", number_type=TL, order_kind=PORT, kinds=() if lock else (LOCAL,)
    )
    assert [{"region": "US-GA", "number_type": TL, "order_kind": PORT}] == policy.asked


def test_a_lock_decision_must_be_a_bool() -> None:
    """A policy answering 1 or "yes" is refused on ``requirements_policy``."""
    with pytest.raises(ValidationError) as info:
        regulatory_approval_required(
            _LockingPolicy([], lock=1), region=None, number_type=TL, order_kind=NEW, kinds=()
        )
    assert "requires_regulatory_approval must return a bool" == str(info.value)
    assert "requirements_policy" == info.value.field


# -- per-item tracking ----------------------------------------------------------------


def test_a_requirement_tracks_its_document_and_approval() -> None:
    """An uploaded document satisfies it unapproved; a library document also approves it."""
    uploaded = RequirementState(RequirementKind.RECENT_BILL)
    assert ("recent_bill", False, False) == (uploaded.kind, uploaded.satisfied, uploaded.approved)
    uploaded.attach(_Doc("doc-1", in_library=False), source=DocumentSource.UPLOAD, at=T0)
    assert ("doc-1", DocumentSource.UPLOAD, T0, None, True, False) == (
        uploaded.document_id,
        uploaded.source,
        uploaded.satisfied_at,
        uploaded.approved_at,
        uploaded.satisfied,
        uploaded.approved,
    )
    reused = RequirementState(LOA)
    reused.attach(_Doc("doc-2", in_library=True), source=DocumentSource.REUSE, at=T0)
    assert (T0, True) == (reused.approved_at, reused.approved)


def test_a_detached_requirement_is_missing_again_with_the_reviewers_note() -> None:
    """Rejection clears the document and its times and keeps the note for the customer."""
    r = RequirementState(BILL)
    r.attach(_Doc("doc-1", in_library=True), source=DocumentSource.REUSE, at=T0)
    r.detach("Unreadable scan.")
    assert RequirementState(BILL, note="Unreadable scan.") == r


def test_questions_asked_of_an_items_requirements() -> None:
    """Missing ones in order; all satisfied/approved need at least one requirement."""
    up = RequirementState(BILL, document_id="d-up", source=DocumentSource.UPLOAD)
    reused = RequirementState(LOA, document_id="d-re", source=DocumentSource.REUSE, approved_at=T0)
    gap = RequirementState(LOCAL)
    gap2 = RequirementState("tax_card")
    assert [gap, gap2] == missing_requirements([up, gap, reused, gap2])
    assert (False, False) == (all_satisfied([]), all_approved([]))
    assert (True, False) == (all_satisfied([up, reused]), all_approved([up, reused]))
    assert (False, True) == (all_satisfied([up, gap]), all_approved([reused]))
    assert ["d-up"] == uploaded_document_ids([reused, gap, up])
    assert ("upload", "reuse") == (DocumentSource.UPLOAD.value, DocumentSource.REUSE.value)


def test_a_rules_policy_refuses_an_unknown_number_type_or_order_kind() -> None:
    """Asked about a value outside the enums, the policy names the field at fault."""
    with pytest.raises(ValidationError) as info:
        DEFAULT_REQUIREMENTS_POLICY.requirements_for(
            region=None,
            number_type="TrueLocal",  # type: ignore[arg-type]
            order_kind=NEW,
        )
    assert "number_type" == info.value.field
    assert str(info.value).startswith("number_type must be one of 'local'")
    with pytest.raises(ValidationError) as info:
        DEFAULT_REQUIREMENTS_POLICY.requirements_for(
            region=None,
            number_type=TL,
            order_kind="port",  # type: ignore[arg-type]
        )
    assert "order_kind" == info.value.field
    assert str(info.value).startswith("order_kind must be one of 'new_number'")
