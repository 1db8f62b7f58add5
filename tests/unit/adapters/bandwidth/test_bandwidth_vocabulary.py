"""Bandwidth's vocabulary is one table per resource and the only place its words live."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

import tnorder.adapters.bandwidth as bandwidth
from tnorder.adapters.bandwidth import BANDWIDTH, WORDS
from tnorder.adapters.bandwidth._vocabulary import CREATED, normalise, word
from tnorder.domain.carrier import CarrierStep
from tnorder.domain.statuses import OrderKind
from tnorder.errors import UnknownCarrierStatus

PACKAGE = Path(bandwidth.__file__).parent
ALL_WORDS = {w for words in WORDS.values() for w in words}


def string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.glob("*.py") if p.name != "_vocabulary.py"),
    ids=lambda p: p.name,
)
def test_no_status_word_is_written_outside_the_vocabulary(path: Path) -> None:
    """No adapter module but _vocabulary spells a Bandwidth status word as a literal."""
    assert set() == string_literals(path) & ALL_WORDS


CORE = PACKAGE.parent.parent  # src/tnorder


@pytest.mark.parametrize(
    "path",
    sorted(p for layer in ("domain", "service") for p in (CORE / layer).rglob("*.py")),
    ids=lambda p: str(p.relative_to(CORE)),
)
def test_no_status_word_is_written_in_the_domain_or_the_service(path: Path) -> None:
    """The carrier rules moved onto aggregates and into service groups, but none of them
    spells a Bandwidth status word: they read the step the vocabulary maps it to."""
    assert set() == string_literals(path) & ALL_WORDS


def test_the_domain_tables_are_built_from_the_one_table() -> None:
    """BANDWIDTH (what CarrierCapabilities carries) says exactly what WORDS says."""
    for kind, words in WORDS.items():
        table = BANDWIDTH.tables[kind]
        assert {w: r.mapping for w, r in words.items()} == dict(table.rows)


def test_terminal_words_rank_last_and_only_they_are_read_per_number() -> None:
    """A terminal word outranks every open word of its resource; per-number reading
    belongs to terminal words only."""
    for words in WORDS.values():
        open_ranks = [w.rank for w in words.values() if not w.terminal]
        for row in words.values():
            if row.terminal:
                assert max(open_ranks) < row.rank, row.word
            else:
                assert False is row.per_number, row.word


def test_side_steps_and_partials_carry_a_customer_note() -> None:
    """Every word that stops for the customer or fails numbers has a note to show."""
    needs_note = {CarrierStep.NEEDS_INFORMATION, CarrierStep.REJECTED, CarrierStep.WITHDRAWN}
    for words in WORDS.values():
        for row in words.values():
            if row.step in needs_note or row.step is CarrierStep.PARTIAL:
                assert row.note, row.word


def test_words_are_normalised_once_and_unknown_ones_raise() -> None:
    """`` foc `` is FOC; a word the table lacks raises naming the resource."""
    assert "FOC" == word(OrderKind.PORT_IN, " foc ").word
    assert "VALIDATE_TFNS" == normalise(" validate_tfns\n")
    with pytest.raises(UnknownCarrierStatus) as caught:
        word(OrderKind.DISCONNECT, "BACKORDERED")
    assert "bandwidth/disconnect" == caught.value.vocabulary


def test_a_created_order_without_status_reads_as_a_pending_word() -> None:
    """The word used when Bandwidth's create reply has no status is a first, open word."""
    for kind in (OrderKind.NEW_NUMBER, OrderKind.DISCONNECT):
        row = word(kind, CREATED)
        assert (1, False) == (row.rank, row.terminal)


def test_the_old_domain_names_still_work_with_a_deprecation_warning() -> None:
    """tnorder.domain.carrier_status.BANDWIDTH still resolves, to the same table, and warns."""
    from tnorder.domain import carrier_status

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = carrier_status.BANDWIDTH
    assert (BANDWIDTH, [DeprecationWarning]) == (old, [w.category for w in caught])


def test_the_vocabulary_imports_without_the_http_stack() -> None:
    """Importing the vocabulary (as the simulated carrier does) loads no httpx."""
    import subprocess
    import sys

    code = (
        "import sys; from tnorder.adapters.bandwidth import BANDWIDTH; "
        "print(','.join(m for m in ('httpx', 'defusedxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "" == out.stdout.strip()
