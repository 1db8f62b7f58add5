"""What a refused number action says (the portal guide's Stage 1 restrictions).

"Number testing and bulk actions are temporarily deactivated to prevent
accidental errors while the line is being built"; forwarding rules can be set
up ahead of time.  ``check_action`` refuses with ``ActionRestricted`` whose
message names the action, the number, the stage and tag (with why it is
locked, when known), the guide's reason, and what is allowed instead.
"""

from __future__ import annotations

import pytest

from tnorder import ActionRestricted, ValidationError
from tnorder.domain.visibility import (
    ActivationStage,
    ActivationTag,
    ActiveNumber,
    NumberAction,
    check_action,
    parse_number_action,
)

NUMBER = "+14045550100"
EDIT, TEST, BULK = (
    NumberAction.EDIT_FORWARDING_RULES,
    NumberAction.TEST_NUMBER,
    NumberAction.BULK_ACTION,
)
GUIDE_REASON = "temporarily deactivated to prevent accidental errors while the line is being built"


def _number(allowed: frozenset[NumberAction], locked_reason: str | None = None) -> ActiveNumber:
    # Built by hand, as a host may, so that each combination can be shown.
    return ActiveNumber(
        number=NUMBER,
        stage=ActivationStage.PRE_ACTIVATION,
        tag=ActivationTag.NOT_ACTIVE,
        greyed_out=True,
        colour="orange",
        icon="hourglass",
        billing_active=False,
        allowed_actions=allowed,
        locked_reason=locked_reason,
    )


def _refusal(number: ActiveNumber, action: NumberAction | str) -> ActionRestricted:
    with pytest.raises(ActionRestricted) as caught:
        check_action(number, action)
    return caught.value


@pytest.mark.parametrize(("action", "label"), [(TEST, "Number testing"), (BULK, "Bulk actions")])
def test_testing_and_bulk_actions_are_refused_with_the_guides_reason(
    action: NumberAction, label: str
) -> None:
    """The two actions the guide deactivates say so, and what is allowed instead."""
    error = _refusal(_number(frozenset({EDIT})), action)
    reason = f"{label.lower()} {'is' if action is TEST else 'are'} {GUIDE_REASON}"
    assert (
        f"{label} is not available for {NUMBER}: it is pre-activation (Not Active), and "
        f"{reason}. Allowed now: editing forwarding rules."
    ) == str(error)
    assert (NUMBER, action.value, "pre_activation") == (error.number, error.action, error.stage)


def test_an_action_without_a_guide_reason_gets_the_general_one() -> None:
    """Refusing forwarding rules (a host's own stage rules) uses the general reason."""
    error = _refusal(_number(frozenset({TEST})), EDIT)
    assert (
        f"Editing forwarding rules is not available for {NUMBER}: it is pre-activation "
        "(Not Active), and it is not available in this stage. Allowed now: number testing."
    ) == str(error)


def test_when_nothing_is_allowed_the_message_says_nothing() -> None:
    """With no allowed action the message ends "Allowed now: nothing."."""
    assert str(_refusal(_number(frozenset()), EDIT)).endswith("Allowed now: nothing.")


def test_several_allowed_actions_are_listed_in_order_with_commas() -> None:
    """Allowed actions are listed alphabetically by label, separated by ", "."""
    error = _refusal(_number(frozenset({EDIT, TEST})), BULK)
    assert str(error).endswith("Allowed now: editing forwarding rules, number testing.")


def test_why_the_number_is_locked_is_shown_beside_its_tag() -> None:
    """A known locked reason follows the tag: "(Not Active, awaiting ...)"."""
    locked = _number(frozenset({EDIT}), "awaiting local regulatory approval")
    assert "(Not Active, awaiting local regulatory approval)," in str(_refusal(locked, TEST))
    assert "(Not Active), and" in str(_refusal(_number(frozenset({EDIT})), TEST))


def test_an_action_may_be_named_by_its_value() -> None:
    """``"test_number"`` is the same action as ``NumberAction.TEST_NUMBER``."""
    assert TEST is parse_number_action("test_number")
    assert TEST is parse_number_action(TEST)
    assert "test_number" == _refusal(_number(frozenset({EDIT})), "test_number").action


def test_an_unknown_action_lists_the_known_ones() -> None:
    """An unknown action is a ValidationError on ``action`` listing every known action."""
    with pytest.raises(ValidationError) as caught:
        parse_number_action("fly")
    assert "action" == caught.value.field
    assert (
        "unknown number action 'fly'; known: edit_forwarding_rules, test_number, bulk_action"
    ) == str(caught.value)
