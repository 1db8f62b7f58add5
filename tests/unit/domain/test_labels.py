"""Every labelled enum reads its ``label`` from the text catalogue, one mechanism for all."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tnorder.domain
from tnorder import (
    ActivationStage,
    ActivationTag,
    CustomerTexts,
    DocumentStatus,
    Intent,
    ItemStatus,
    LookupKind,
    NumberAction,
    NumberType,
    OrderKind,
    OrderStatus,
    Placement,
    RequirementKind,
    Role,
    SetupMethod,
)
from tnorder.domain._labels import LabelledEnum, label_key_of
from tnorder.domain._messages import MESSAGES

LABELLED: list[type[LabelledEnum]] = [
    Intent,
    ItemStatus,
    OrderKind,
    OrderStatus,
    Placement,
    ActivationStage,
    ActivationTag,
    NumberAction,
    LookupKind,
    RequirementKind,
    DocumentStatus,
    SetupMethod,
    NumberType,
    Role,
]
MEMBERS = [member for enum in LABELLED for member in enum]


@pytest.mark.parametrize("member", MEMBERS, ids=str)
def test_every_label_is_a_catalogue_entry(member: LabelledEnum) -> None:
    """A member's label is the English default of its ``<prefix>.<value>.label`` message."""
    assert MESSAGES[label_key_of(member)].default == member.label


@pytest.mark.parametrize("member", MEMBERS, ids=str)
def test_customer_texts_translate_every_label(member: LabelledEnum) -> None:
    """A host's catalogue entry for the same key replaces the English label."""
    texts = CustomerTexts({label_key_of(member): "traduit"})
    assert "traduit" == texts.label(member)


def test_labels_keep_their_0_1_wording() -> None:
    """The portal guide's wording and the 0.1 labels of the newly catalogued enums are kept."""
    expected = [
        "Port Approved",
        "Final Milestone",
        "Port-In",
        "Partially Completed",
        "Order History",
        "Newly Ported",
        "ZIP",
        "LATA",
        "rate center",
        "Proof of local address",
        "Under Review",
    ]
    actual = [
        ItemStatus.PORT_APPROVED.label,
        Intent.FINAL.label,
        OrderKind.PORT_IN.label,
        OrderStatus.PARTIALLY_COMPLETED.label,
        Placement.ORDER_HISTORY.label,
        ActivationTag.NEWLY_PORTED.label,
        LookupKind.ZIP.label,
        LookupKind.LATA.label,
        LookupKind.RATE_CENTER.label,
        RequirementKind.PROOF_OF_LOCAL_ADDRESS.label,
        DocumentStatus.UNDER_REVIEW.label,
    ]
    assert expected == actual


def test_each_enum_has_its_own_prefix() -> None:
    """Two enums never share a catalogue prefix, so their keys cannot collide."""
    prefixes = [enum.label_key for enum in LABELLED]
    assert sorted(set(prefixes)) == sorted(prefixes)


def _subclasses(cls: type[LabelledEnum]) -> set[type[LabelledEnum]]:
    return {cls, *(sub for direct in cls.__subclasses__() for sub in _subclasses(direct))}


def test_every_labelled_enum_is_checked_here() -> None:
    """A labelled enum added anywhere in the domain joins the checks above (or this fails)."""
    for module in pkgutil.iter_modules(tnorder.domain.__path__, "tnorder.domain."):
        importlib.import_module(module.name)
    assert set(LABELLED) == _subclasses(LabelledEnum) - {LabelledEnum}
