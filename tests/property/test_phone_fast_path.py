"""``normalize_number``'s short road for E.164 text answers exactly as ``phonenumbers`` does.

``tnorder.domain.phone`` checks numbers already written as ``+`` and digits
against ``phonenumbers``' metadata directly (issue 17: a 10,000-number order
validates 10,000 numbers).  These compare it with the plain path
(``phonenumbers.parse``, ``is_valid_number``, ``format_number``) over
libphonenumber's own example numbers for every region and number type, over
generated digit strings under every country calling code (most of them
invalid), and over text the short road must leave alone.
"""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tnorder import InvalidPhoneNumber
from tnorder.domain import phone
from tnorder.testing.strategies import phone_numbers

_CODES = sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
_REGIONS = st.sampled_from(["US", "GB", "us", "DE", "ZZ", "001", ""]) | st.none()


def _outcome(fn: object, text: object, region: object) -> tuple[object, ...]:
    """What a call gives: its result, or the error's type, message and field."""
    try:
        return ("ok", fn(text, region))  # type: ignore[operator]
    except InvalidPhoneNumber as exc:
        return ("refused", type(exc), str(exc), exc.field)


def _check(text: object, region: object = "US") -> None:
    expected = _outcome(phone._plain, text, region)
    assert expected == _outcome(phone.normalize_number, text, region)
    if isinstance(text, str):
        fast = phone._fast_e164(text)
        # The short road answers only for numbers the plain path returns unchanged.
        assert fast is None or ("ok", text) == expected


def _examples() -> list[str]:
    """libphonenumber's example number of every type of every region (and non-geographic
    code), as E.164, with each of its last digits changed: valid ones and invalid ones."""
    found: set[str] = set()
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            numbers.append(phonenumbers.example_number_for_type(region, kind))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        numbers.append(phonenumbers.example_number_for_non_geo_entity(code))
    for number in numbers:
        if number is None:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        found.add(e164)
        for digit in "0159":
            found.add(e164[:-1] + digit)
            found.add(e164[:-2] + digit + e164[-1])
    return sorted(found)


_EXAMPLES = _examples()


def test_the_short_road_is_taken_for_stored_numbers() -> None:
    """A valid US number written as we store it is answered without ``phonenumbers.parse``."""
    assert "+12125550000" == phone._fast_e164("+12125550000")
    assert "+442071838750" == phone._fast_e164("+442071838750")


def test_every_published_example_answers_as_phonenumbers_does() -> None:
    """Every region's example numbers, and variants with a changed last digit, give
    the plain path's answer: the same E.164 string or the same refusal."""
    assert len(_EXAMPLES) > 1000
    fast = 0
    for text in _EXAMPLES:
        _check(text)
        fast += phone._fast_e164(text) is not None
    # Most examples go the short road, so the comparison is not vacuous.
    assert fast > len(_EXAMPLES) // 3


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(_CODES) | st.integers(1, 999),
    national=st.text("0123456789", min_size=0, max_size=19),
    region=_REGIONS,
)
@example(code=1, national="2125550000", region="US")
@example(code=1, national="1212555000", region="US")
@example(code=39, national="0612345678", region="US")
@example(code=800, national="12345678", region="US")
@example(code=44, national="02071838750", region="GB")
def test_any_plus_and_digits_answers_as_phonenumbers_does(
    code: int, national: str, region: str | None
) -> None:
    """``+``, a country code (known or not) and any digits: the same answer either way."""
    _check(f"+{code}{national}", region)


@settings(max_examples=300, deadline=None)
@given(number=phone_numbers(), position=st.integers(0, 20), digit=st.sampled_from("0123456789"))
def test_valid_numbers_and_one_digit_changes_answer_as_phonenumbers_does(
    number: str, position: int, digit: str
) -> None:
    """A valid number of any region, and the same number with one digit changed,
    one digit added or one removed, give the plain path's answer."""
    cut = 1 + position % len(number[1:])
    for text in (
        number,
        number[:cut] + digit + number[cut + 1 :],
        number[:cut] + digit + number[cut:],
        number[:cut] + number[cut + 1 :],
    ):
        _check(text)


@pytest.mark.parametrize(
    "text",
    [
        "+1 212 555 0000",
        "+1-212-555-0000",
        "+١٢١٢٥٥٥٠٠٠٠",  # Arabic-Indic digits: the plain path normalises them
        "+12125550000;ext=12",
        "+12125550000x12",
        "++12125550000",
        "+0012125550000",
        "2125550000",
        "+1",
        "+12",
        "+",
    ],
)
def test_text_not_in_stored_form_takes_the_plain_path(text: str) -> None:
    """Spaces, dashes, other scripts' digits, extensions or a missing ``+``: the
    short road declines and the answer is the plain path's."""
    assert None is phone._fast_e164(text)
    _check(text)


def test_a_region_that_is_not_text_is_left_to_the_plain_path() -> None:
    """A region that is not text (or None) sends even a stored-form number down the
    plain path, which fails the way it always did."""
    failures = []
    for fn in (phone._plain, phone.normalize_number):
        with pytest.raises(Exception) as caught:  # noqa: PT011 - the plain path's own failure
            fn("+12125550000", 7)  # type: ignore[arg-type]
        failures.append((type(caught.value), str(caught.value)))
    assert failures[0] == failures[1]
