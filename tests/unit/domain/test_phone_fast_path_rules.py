"""What the short road of ``normalize_number`` is for: which stored-form numbers it answers.

``tests/property/test_phone_fast_path.py`` shows the short road never gives a
different answer from the plain path.  A short road that declined more often
would pass those tests and only be slower, and issue 17's bulk orders depend
on it answering: these pin *when* it answers, with the rules its docstring
gives, checked against libphonenumber's published example numbers (the
``phonenumbers`` metadata).  It answers a valid ``+`` and digits number
unless a national prefix could be stripped, the national number has a leading
zero, or the country code is non-geographic; everything else (and every
invalid number) is left to the plain path.
"""

from __future__ import annotations

import re

import phonenumbers
import pytest

from tnorder.domain import phone


def _valid_examples() -> list[tuple[str, str, str]]:
    """``(main region of the code, E.164 text, national number)`` of every valid
    published example number, of every region, type and non-geographic code."""
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in phonenumbers.PhoneNumberType.values():
            numbers.append(phonenumbers.example_number_for_type(region, kind))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        numbers.append(phonenumbers.example_number_for_non_geo_entity(code))
    found = {}
    for number in numbers:
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        code = number.country_code
        found[text] = (
            phonenumbers.region_code_for_country_code(code),
            text,
            text[1 + len(str(code)) :],
        )
    return [found[text] for text in sorted(found)]


_VALID = _valid_examples()


def _left_to_the_plain_path(main_region: str, national: str) -> bool:
    """The docstring's reasons for declining a valid number: no metadata for the
    code's main region (non-geographic), a leading zero, or a national prefix the
    main region's ``national_prefix_for_parsing`` could strip."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(main_region, None)
    if metadata is None or national.startswith("0"):
        return True
    prefix = metadata.national_prefix_for_parsing
    return prefix is not None and re.match(prefix, national) is not None


def test_the_short_road_answers_every_valid_example_it_is_sure_of() -> None:
    """Each valid published example number is answered by the short road (its own
    text back) exactly when no national prefix, leading zero or non-geographic
    code leaves it to the plain path."""
    assert len(_VALID) > 1000
    expected = {
        text: None if _left_to_the_plain_path(region, national) else text
        for region, text, national in _VALID
    }
    actual = {text: phone._fast_e164(text) for _, text, _ in _VALID}
    assert expected == actual
    # The rule is not vacuous either way: most answer, some are declined.
    answered = sum(1 for value in actual.values() if value is not None)
    assert len(_VALID) - 100 < answered < len(_VALID)


@pytest.mark.parametrize(
    "region",
    ["US", "CA", "PR", "GB", "GG", "IM", "DE", "FR", "AU", "IE", "NZ", "SE", "CH", "NL", "IN"],
)
def test_every_valid_example_of_these_regions_takes_the_short_road(region: str) -> None:
    """In regions where no national prefix is stripped from an E.164 number, every
    valid example number of every type (fixed line, mobile, toll free, premium
    rate, shared cost, VoIP, personal, pager, UAN, voicemail) takes the short road."""
    texts = []
    for kind in phonenumbers.PhoneNumberType.values():
        number = phonenumbers.example_number_for_type(region, kind)
        if number is not None and phonenumbers.is_valid_number(number):
            texts.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    assert len(texts) >= 4
    assert texts == [phone._fast_e164(text) for text in texts]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("+390612345678", "Italian fixed line: the leading zero is kept apart by parse"),
        ("+78005553535", "Russian toll free: 8 is Russia's national prefix for parsing"),
        ("+12685555555", "not a valid Antigua number: invalid numbers go the plain path"),
        ("+80012345678", "non-geographic (freephone 800): no region metadata"),
        ("+87012345678", "non-geographic (Inmarsat 870)"),
        ("+9991234567", "no such country calling code"),
        ("+1212555000", "too short for the United States"),
        ("+44123456789012345678", "longer than any national number (17 digits)"),
        ("+1", "no national number at all"),
    ],
)
def test_the_short_road_leaves_these_to_the_plain_path(text: str, why: str) -> None:
    """A number the docstring says the plain path decides gets None from the short road."""
    assert None is phone._fast_e164(text), why


def test_a_three_digit_country_code_is_read_off_the_digits() -> None:
    """Codes of one, two and three digits are all found (Ireland 353, Hong Kong 852,
    Bahrain 973), not only the short ones."""
    for text in ("+35312345678", "+85221234567", "+97317001234", "+4930123456", "+12125550000"):
        assert text == phone._fast_e164(text)


def test_a_shared_code_is_checked_against_the_region_the_number_belongs_to() -> None:
    """Under +1 and +44 the region is picked the way ``is_valid_number`` picks it:
    by leading digits (Puerto Rico 787, Isle of Man 7624), else by pattern."""
    assert "+17872345678" == phone._fast_e164("+17872345678")  # PR, leading digits 787
    assert "+447624123456" == phone._fast_e164("+447624123456")  # IM mobile
    assert "+14165550123" == phone._fast_e164("+14165550123")  # CA by pattern (Toronto)
    # A Kazakh number under +7 (leading digits 7), not a Russian one.
    assert "+77123456789" == phone._fast_e164("+77123456789")


def test_stored_form_numbers_never_reach_the_plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """``normalize_number`` answers a valid stored-form number without calling the
    plain path, whatever text region (or None) is given; a region that is not text
    sends the call to the plain path."""
    calls: list[tuple[object, object]] = []

    def plain(text: str, region: str) -> str:
        calls.append((text, region))
        return "plain"

    monkeypatch.setattr(phone, "_plain", plain)
    for region in ("US", "GB", "zz", None):
        assert "+12125550000" == phone.normalize_number("+12125550000", region)  # type: ignore[arg-type]
    assert "+442071838750" == phone.normalize_number("+442071838750")
    assert [] == calls
    assert "plain" == phone.normalize_number("+12125550000", 7)  # type: ignore[arg-type]
    assert "plain" == phone.normalize_number("+390612345678", "IT")
    assert [("+12125550000", 7), ("+390612345678", "IT")] == calls
