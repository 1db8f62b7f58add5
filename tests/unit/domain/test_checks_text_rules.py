"""``require_text``, ``text_mapping`` and ``utc_date``: the facts their refusals carry.

Written from the module's contract: a required text is non-blank and storable,
a mapping holds text keys and values, and a date is taken in UTC whatever the
machine's own time zone.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tnorder.domain._checks import require_text, text_mapping, utc_date
from tnorder.errors import ValidationError


def test_a_required_text_is_also_checked_for_storability() -> None:
    """A non-blank text with a lone surrogate is refused, naming the field."""
    with pytest.raises(
        ValidationError, match=r"^name contains a lone surrogate code point and cannot be stored$"
    ) as caught:
        require_text("a\ud800", "name")
    assert "name" == caught.value.field


def test_a_mapping_must_be_a_mapping_and_the_refusal_names_its_type() -> None:
    """Not a mapping: refused with the field and the type given."""
    with pytest.raises(
        ValidationError, match=r"^options must be a mapping of text to text, got list$"
    ) as caught:
        text_mapping(["a"], "options")
    assert "options" == caught.value.field


def test_a_mapping_key_must_be_text_naming_the_field() -> None:
    """A key that is not text is refused naming the mapping's field."""
    with pytest.raises(ValidationError, match=r"^options must be a string, got int$") as caught:
        text_mapping({1: "x"}, "options")
    assert "options" == caught.value.field


@pytest.fixture
def far_east() -> Iterator[None]:
    """The process runs at UTC+14 (the machine's own zone must not matter)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "Etc/GMT-14")
        time.tzset()
        yield
    time.tzset()


@pytest.mark.usefixtures("far_east")
def test_the_utc_date_ignores_the_machines_time_zone() -> None:
    """23:00 UTC on 2 March is 2 March, even where the local clock already reads 3 March."""
    assert date(2026, 3, 2) == utc_date(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
