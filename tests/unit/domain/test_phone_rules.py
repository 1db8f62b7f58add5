"""Telephone numbers are stored as E.164 (ITU-T E.164, as ``phonenumbers`` formats them).

These pin the rules of ``tnorder.domain.phone.normalize_number`` one by one: the
output format, the region used for national numbers, and the facts each refusal
carries (the field is always ``number`` and the message quotes what was given).
"""

from __future__ import annotations

import pytest

from tnorder import InvalidPhoneNumber, TnorderError
from tnorder.domain.phone import normalize_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1 404 555 0100", "+14045550100"),
        ("(919) 555-0101", "+19195550101"),
        ("404.555.0100", "+14045550100"),
        ("+44 20 7183 8750", "+442071838750"),
    ],
)
def test_numbers_come_out_as_e164(text: str, expected: str) -> None:
    """Whatever the punctuation, the result is ``+`` country code and national number."""
    assert expected == normalize_number(text)


def test_a_national_number_is_read_in_the_given_region() -> None:
    """Without a ``+`` the region decides the country: London's number in GB."""
    assert "+442071838750" == normalize_number("020 7183 8750", "GB")
    assert "+442071838750" == normalize_number("020 7183 8750", region="GB")


def test_the_default_region_is_the_united_states() -> None:
    """A 10-digit national number with no region is read as a US (NANP) number."""
    assert "+14045550100" == normalize_number("404 555 0100")


def test_an_international_number_ignores_the_region() -> None:
    """A ``+`` number keeps its own country whatever region is passed."""
    assert "+442071838750" == normalize_number("+44 20 7183 8750", "US")
    assert "+14045550100" == normalize_number("+1 404 555 0100", "GB")


@pytest.mark.parametrize("text", ["", "   ", None, 4045550100])
def test_empty_or_non_text_input_is_not_a_telephone_number(text: object) -> None:
    """Blank or non-text input is refused before parsing, naming the field and the value."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_number(text)  # type: ignore[arg-type]
    assert "number" == caught.value.field
    assert f"not a telephone number: {text!r}" == str(caught.value)


def test_text_that_is_no_number_says_why() -> None:
    """Letters are refused with phonenumbers' own reason in the message, as our error type."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_number("call me")
    assert "number" == caught.value.field
    assert str(caught.value).startswith("not a telephone number: 'call me' (")
    assert "did not seem to be a phone number" in str(caught.value)
    assert isinstance(caught.value, TnorderError)
    assert caught.value.__cause__ is not None


@pytest.mark.parametrize("text", ["+1 555", "12", "+1 404 555 01"])
def test_a_number_too_short_to_exist_is_not_valid(text: str) -> None:
    """A parseable but impossible number is refused as "not a valid telephone number"."""
    with pytest.raises(InvalidPhoneNumber) as caught:
        normalize_number(text)
    assert "number" == caught.value.field
    assert f"not a valid telephone number: {text!r}" == str(caught.value)
