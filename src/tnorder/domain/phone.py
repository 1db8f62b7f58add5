"""Telephone numbers: parsed, validated and formatted E.164 with ``phonenumbers``.

Pure.  Nothing here reads the clock or touches storage.

Issue 17 (bulk orders): a 10,000-number order validates 10,000 numbers, and
``phonenumbers.parse`` plus ``is_valid_number`` cost about 80 µs a number,
most of it Python calls around a few regular expressions.  Numbers already
written the way we store them (``+`` and digits, what :func:`normalize_number`
returns) take a shorter road through the same metadata: the country code is
read off the digits, and the number is checked against the same patterns, in
the same order, that ``is_valid_number`` uses (``_number_type_helper`` in
``phonenumbers``).  Whenever that road is not certain to give
``phonenumbers``' answer (a national prefix or leading zero to strip, a
non-geographic code, an unknown code) or the number looks invalid, the plain
path decides, so errors are always the plain path's.
``tests/property/test_phone_fast_path.py`` compares both paths.

``phonenumbers`` is imported by the first number checked, not by ``import
tnorder``: loading it and its metadata is about a tenth of that import, and a
process that only reads orders never needs it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..errors import InvalidPhoneNumber, ValidationError

__all__ = ["normalize_number"]

# ASCII digits only: ``\d`` would let other scripts' digits in, which the plain
# path normalises first.
_E164_SHAPE = re.compile(r"\+[1-9][0-9]{2,19}")
# phonenumbers' own bounds (``_MIN_LENGTH_FOR_NSN``, ``_MAX_LENGTH_FOR_NSN``,
# ``_MAX_LENGTH_COUNTRY_CODE``): outside them the plain path decides.
_MIN_NSN = 2
_MAX_NSN = 17
_MAX_CC = 3
# The number types ``_number_type_helper`` tries besides fixed line and mobile.
_OTHER_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)

# One number description: its possible lengths (empty: any) and its compiled
# pattern (None: matches nothing).
_Desc = tuple[frozenset[int], "re.Pattern[str] | None"]


def normalize_number(text: str, region: str = "US") -> str:
    """``text`` as an E.164 string (``+14045550100``).

    Args:
        text: the number as a person or carrier wrote it; national numbers are
            read in ``region``.
        region: ISO 3166 alpha-2 region for numbers without a ``+`` prefix.

    Raises:
        InvalidPhoneNumber: not a number, or not a valid one.
    """
    if type(text) is str and (region is None or type(region) is str):
        fast = _fast_e164(text)
        if fast is not None:
            return fast
    return _plain(text, region)


def _plain(text: str, region: str) -> str:
    """:func:`normalize_number` through ``phonenumbers``' public calls only."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidPhoneNumber(f"not a telephone number: {text!r}", field="number")
    if region is not None and not isinstance(region, str):
        # phonenumbers calls region.upper(): an AttributeError, not ours.
        raise ValidationError(f"region must be a string, got {region!r}", field="region")
    import phonenumbers

    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        # phonenumbers' own exception is not ours; callers catch TnorderError.
        raise InvalidPhoneNumber(
            f"not a telephone number: {text!r} ({exc})", field="number"
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(f"not a valid telephone number: {text!r}", field="number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _fast_e164(text: str) -> str | None:
    """``text`` itself when it is an E.164 number ``phonenumbers`` calls valid;
    None when the plain path must decide (any doubt, and every invalid number).

    The steps are ``phonenumbers.parse``'s for a ``+`` and digits (the region
    plays no part then) and ``is_valid_number``'s, over the same metadata.
    """
    if _E164_SHAPE.fullmatch(text) is None:
        return None
    import phonenumbers

    digits = text[1:]
    country_code = 0
    for size in range(1, _MAX_CC + 1):
        if int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            country_code = int(digits[:size])
            break
    if country_code == 0:
        return None
    national = digits[size:]
    if not _MIN_NSN <= len(national) <= _MAX_NSN or national[0] == "0":
        return None  # too short, too long, or leading zeros kept apart by the plain path
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code]
    main = _rules(phonenumbers.region_code_for_country_code(country_code))
    if main is None or main[0] != country_code:
        return None
    prefix = main[1]
    if prefix is not None and prefix.match(national):
        return None  # parse may strip a national prefix: let it decide
    # is_valid_number: the region whose patterns the number matches (or whose
    # leading digits it starts with), then that region's patterns.
    for region in regions:
        rules = _rules(region)
        if rules is None:
            if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                return None
            continue
        if rules[2] is not None:
            if rules[2].match(national):
                break
        elif _known_type(national, rules[3]):
            return text if rules[0] == country_code else None
    else:
        return None
    if rules[0] == country_code and _known_type(national, rules[3]):
        return text
    return None


def _known_type(national: str, descs: tuple[_Desc | None, ...]) -> bool:
    """``_number_type_helper(national, metadata) != UNKNOWN``, over ``_rules``' descriptions."""
    if not _matches(national, descs[0]):
        return False
    # Any type will do, so the usual ones go first; ``mobile`` is None when its
    # pattern is fixed line's (phonenumbers never tries it then).
    return any(_matches(national, desc) for desc in descs[1:])


def _matches(national: str, desc: _Desc | None) -> bool:
    """``_is_number_matching_desc``: the length is possible and the whole number matches."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(national) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(national) is not None


@functools.cache
def _rules(
    region: str,
) -> tuple[int, re.Pattern[str] | None, re.Pattern[str] | None, tuple[_Desc | None, ...]] | None:
    """A region's metadata, compiled once: ``(country code, national prefix
    pattern, leading digits pattern, descriptions)``; None for no metadata."""
    import phonenumbers

    metadata: Any = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
    if metadata is None:
        return None

    def desc(name: str) -> _Desc | None:
        found = getattr(metadata, name)
        if found is None:
            return None
        pattern = found.national_number_pattern
        return frozenset(found.possible_length), re.compile(pattern) if pattern else None

    prefix = metadata.national_prefix_for_parsing
    mobile = None if metadata.same_mobile_and_fixed_line_pattern else desc("mobile")
    return (
        metadata.country_code,
        re.compile(prefix) if prefix else None,
        None if metadata.leading_digits is None else re.compile(metadata.leading_digits),
        (desc("general_desc"), desc("fixed_line"), mobile, *(desc(n) for n in _OTHER_TYPES)),
    )
