"""Names 0.1 exported from the split modules are still importable from their old paths."""

from __future__ import annotations

import importlib

import pytest

# tnorder.domain.documents.__all__ as 0.1 shipped it (before the split into modules).
DOCUMENTS_0_1 = [
    "ALLOWED_CONTENT_TYPES",
    "COMPLIANCE_ACTOR",
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_REQUIREMENTS_POLICY",
    "NO_REQUIREMENTS",
    "REVIEWER_ROLES",
    "UPLOADER_ROLES",
    "Document",
    "DocumentSource",
    "DocumentStatus",
    "ExpiryReport",
    "FileInfo",
    "RequirementKind",
    "RequirementRule",
    "RequirementState",
    "RequirementsPolicy",
    "RulesPolicy",
    "advance_if_complete",
    "all_approved",
    "all_satisfied",
    "assign_requirements",
    "check_reviewer",
    "check_uploader",
    "default_valid_until",
    "detect_content_type",
    "display_file_name",
    "expiry_report",
    "find_upload_target",
    "is_expired",
    "is_reusable",
    "match_document",
    "missing_requirements",
    "normalize_region",
    "record_approval",
    "record_rejection",
    "record_upload",
    "requirement_kind",
    "requirement_label",
    "requirements_for",
    "reuse_for_order",
    "reuse_from_library",
    "uploaded_document_ids",
    "validate_upload",
]

# tnorder.testing.strategies.__all__ as 0.1 shipped it (a single module then).
STRATEGIES_0_1 = [
    "CarrierUpdateStream",
    "EventSequence",
    "EventStep",
    "FireStep",
    "InvalidLookupCase",
    "InvalidUploadCase",
    "UploadPayload",
    "account_ids",
    "actors",
    "carrier_accounts",
    "carrier_requests",
    "carrier_timelines",
    "carrier_update_streams",
    "distinct_account_ids",
    "document_contents",
    "documents",
    "event_sequences",
    "events",
    "fire_steps",
    "identifiers",
    "invalid_lookup_criteria",
    "invalid_upload_payloads",
    "inventory_numbers",
    "lookup_criteria",
    "new_item_lists",
    "new_items",
    "notes",
    "order_ids",
    "orders",
    "phone_numbers",
    "port_details",
    "predict_error",
    "reachable_statuses",
    "records",
    "upload_payloads",
    "utc_datetimes",
]

NEW_HOMES = [
    "tnorder.domain.requirements",
    "tnorder.domain.uploads",
    "tnorder.domain.documents",
    "tnorder.domain.matching",
    "tnorder.domain.expiry",
    "tnorder.domain.compliance",
]


def _home(name: str) -> object:
    for module in NEW_HOMES:
        found = importlib.import_module(module)
        if name in getattr(found, "__all__", ()):
            return getattr(found, name)
    raise AssertionError(f"{name} has no new home")


@pytest.mark.parametrize("name", DOCUMENTS_0_1)
def test_documents_names_keep_their_old_path(name: str) -> None:
    """``from tnorder.domain.documents import <name>`` gives the object its new module holds."""
    old = importlib.import_module("tnorder.domain.documents")
    assert _home(name) is getattr(old, name)


def test_documents_refuses_an_unknown_name() -> None:
    """The compatibility lookup still raises AttributeError for names it never had."""
    old = importlib.import_module("tnorder.domain.documents")
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = old.nonexistent


def test_strategies_package_keeps_its_exports() -> None:
    """``tnorder.testing.strategies`` offers exactly 0.1's names, every one importable."""
    strategies = importlib.import_module("tnorder.testing.strategies")
    assert sorted(STRATEGIES_0_1) == sorted(strategies.__all__)
    for name in STRATEGIES_0_1:
        assert callable(getattr(strategies, name))
