"""Entry checks and size limits, written down from the module's contract and docs/decisions.md.

Shape checks: a string UTF-8 can encode, an id that is non-empty and free of
C0 controls and DEL, an order id without ``":"``, an enum member or exactly
one member's value.  Size limits: positive integers, file names at most 255.
Every refusal is a ``ValidationError`` naming the field.
"""

from __future__ import annotations

from enum import Enum, StrEnum

import pytest

from tnorder.domain.inputs import (
    DEFAULT_INPUT_LIMITS,
    InputLimits,
    check_id,
    check_optional_id,
    check_optional_text,
    check_order_id,
    check_text,
    to_enum,
)
from tnorder.errors import ValidationError


class Colour(Enum):
    RED = "red"
    BLUE = "blue"


class Shade(StrEnum):
    DARK = "dark"


# -- InputLimits -------------------------------------------------------------------------


def test_the_shipped_limits() -> None:
    """The defaults are 128-character ids, 4,000-character notes, 25,000 items, 255-char names."""
    assert (128, 4000, 25_000, 255) == (
        DEFAULT_INPUT_LIMITS.max_id_length,
        DEFAULT_INPUT_LIMITS.max_note_length,
        DEFAULT_INPUT_LIMITS.max_items_per_order,
        DEFAULT_INPUT_LIMITS.max_file_name_length,
    )
    assert InputLimits() == DEFAULT_INPUT_LIMITS


def test_a_limit_of_one_is_accepted() -> None:
    """One is the smallest limit, for every field."""
    limits = InputLimits(1, 1, 1, 1)
    assert (1, 1, 1, 1) == (
        limits.max_id_length,
        limits.max_note_length,
        limits.max_items_per_order,
        limits.max_file_name_length,
    )


@pytest.mark.parametrize(
    "field",
    ["max_id_length", "max_note_length", "max_items_per_order", "max_file_name_length"],
)
@pytest.mark.parametrize("value", [0, -1, True, 2.0, "3", None])
def test_a_limit_must_be_a_positive_integer(field: str, value: object) -> None:
    """Zero, a negative, a bool, a float, a string or None is refused, naming the field."""
    with pytest.raises(
        ValidationError, match=rf"^{field} must be a positive integer, got {value!r}$"
    ) as caught:
        InputLimits(**{field: value})  # type: ignore[arg-type]
    assert field == caught.value.field


def test_a_file_name_limit_over_255_is_refused() -> None:
    """Uploads keep at most 255 characters of a name, so 256 is refused and 255 is not."""
    assert 255 == InputLimits(max_file_name_length=255).max_file_name_length
    with pytest.raises(
        ValidationError, match=r"^max_file_name_length may be at most 255$"
    ) as caught:
        InputLimits(max_file_name_length=256)
    assert "max_file_name_length" == caught.value.field


# -- check_text -------------------------------------------------------------------------------


def test_text_is_returned_unchanged() -> None:
    """ASCII and non-ASCII text pass as they are."""
    assert "plain" == check_text("plain", "note")
    assert "Ünïcödé \u2013 ok" == check_text("Ünïcödé \u2013 ok", "note")


def test_a_str_subclass_comes_back_as_plain_text() -> None:
    """A StrEnum member is stored as its plain text, not as the member."""
    checked = check_text(Shade.DARK, "note")
    assert ("dark", str) == (checked, type(checked))


@pytest.mark.parametrize(("value", "type_name"), [(5, "int"), (b"x", "bytes"), (None, "NoneType")])
def test_non_text_is_refused_naming_its_type(value: object, type_name: str) -> None:
    """Anything but a ``str`` is refused, naming the field and the type given."""
    with pytest.raises(
        ValidationError, match=rf"^note must be a string, got {type_name}$"
    ) as caught:
        check_text(value, "note")
    assert "note" == caught.value.field


def test_a_lone_surrogate_is_refused() -> None:
    """A lone surrogate (valid in JSON, storable nowhere) is refused, naming the field."""
    with pytest.raises(
        ValidationError,
        match=r"^note contains a lone surrogate code point and cannot be stored$",
    ) as caught:
        check_text("ok \ud800", "note")
    assert "note" == caught.value.field


def test_the_length_limit_is_inclusive() -> None:
    """Text exactly at the limit passes; one character more is refused with both lengths."""
    assert "abc" == check_text("abc", "note", max_length=3)
    assert "é" * 3 == check_text("é" * 3, "note", max_length=3)
    with pytest.raises(
        ValidationError, match=r"^note is 4 characters long; the limit is 3$"
    ) as caught:
        check_text("abcd", "note", max_length=3)
    assert "note" == caught.value.field


def test_no_limit_means_any_length() -> None:
    """Without ``max_length``, long text passes."""
    assert 10_000 == len(check_text("x" * 10_000, "note"))


def test_optional_text() -> None:
    """None passes as None; anything else is checked as text, with its limit."""
    assert check_optional_text(None, "note") is None
    assert "abc" == check_optional_text("abc", "note", max_length=3)
    with pytest.raises(ValidationError, match=r"^note is 4 characters long; the limit is 3$"):
        check_optional_text("abcd", "note", max_length=3)
    with pytest.raises(ValidationError, match=r"^note must be a string, got int$"):
        check_optional_text(1, "note")


# -- ids -------------------------------------------------------------------------------


def test_an_id_is_returned() -> None:
    """A non-empty id of printable characters (spaces and non-ASCII included) passes."""
    assert "acct 1 ü~" == check_id("acct 1 ü~", "account_id")


def test_an_empty_id_is_refused() -> None:
    """The empty string is refused, naming the field."""
    with pytest.raises(ValidationError, match=r"^account_id must not be empty$") as caught:
        check_id("", "account_id")
    assert "account_id" == caught.value.field


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_every_control_character_is_refused(code: int) -> None:
    """Each C0 control (0x00-0x1F) and DEL (0x7F) is refused, naming the field."""
    with pytest.raises(
        ValidationError, match=r"^account_id must not contain control characters$"
    ) as caught:
        check_id(f"a{chr(code)}b", "account_id")
    assert "account_id" == caught.value.field


@pytest.mark.parametrize("code", [0x20, 0x7E, 0x80, 0xA0])
def test_characters_around_the_controls_are_accepted(code: int) -> None:
    """Space, tilde and the characters after DEL are not controls here."""
    assert f"a{chr(code)}b" == check_id(f"a{chr(code)}b", "account_id")


def test_an_id_is_checked_as_text_first_with_its_limit() -> None:
    """A non-text or too long id gets the text check's refusal, naming the field."""
    with pytest.raises(ValidationError, match=r"^account_id must be a string, got int$"):
        check_id(1, "account_id")
    with pytest.raises(ValidationError, match=r"^account_id is 3 characters long; the limit is 2$"):
        check_id("abc", "account_id", max_length=2)
    assert "ab" == check_id("ab", "account_id", max_length=2)


def test_optional_id() -> None:
    """None passes as None; anything else is checked as an id, with its limit."""
    assert check_optional_id(None, "item_id") is None
    assert "ab" == check_optional_id("ab", "item_id", max_length=2)
    with pytest.raises(ValidationError, match=r"^item_id is 3 characters long; the limit is 2$"):
        check_optional_id("abc", "item_id", max_length=2)
    with pytest.raises(ValidationError, match=r"^item_id must not be empty$"):
        check_optional_id("", "item_id")


def test_an_order_id_is_an_id_named_order_id() -> None:
    """An order id passes the id checks, and their refusals name ``order_id``."""
    assert "A-1" == check_order_id("A-1")
    assert "AB" == check_order_id("AB", max_length=2)
    with pytest.raises(ValidationError, match=r"^order_id must not be empty$") as caught:
        check_order_id("")
    assert "order_id" == caught.value.field
    with pytest.raises(ValidationError, match=r"^order_id is 3 characters long; the limit is 2$"):
        check_order_id("ABC", max_length=2)


def test_an_order_id_may_not_hold_the_stream_separator() -> None:
    """``":"`` is reserved for event stream namespaces, so an order id with one is refused."""
    with pytest.raises(
        ValidationError,
        match=r"^order_id must not contain ':' \(reserved for event stream namespaces\), "
        r"got 'doc:1'$",
    ) as caught:
        check_order_id("doc:1")
    assert "order_id" == caught.value.field


# -- to_enum ---------------------------------------------------------------------------


def test_a_member_is_taken_as_it_is() -> None:
    """A member of the enum comes back unchanged."""
    assert Colour.BLUE is to_enum(Colour, Colour.BLUE, "colour")


def test_a_members_value_is_taken_as_that_member() -> None:
    """A string equal to a member's value is exactly that member."""
    assert Colour.RED is to_enum(Colour, "red", "colour")
    assert Colour.BLUE is to_enum(Colour, "blue", "colour")


@pytest.mark.parametrize("value", ["RED", "Red", "purple", "", 1, None, Shade.DARK])
def test_anything_else_is_refused_naming_the_allowed_values(value: object) -> None:
    """A name, another case, an unknown string, a non-string or another enum is refused."""
    with pytest.raises(
        ValidationError, match=rf"^colour must be one of 'red', 'blue', got {value!r}$"
    ) as caught:
        to_enum(Colour, value, "colour")
    assert "colour" == caught.value.field
