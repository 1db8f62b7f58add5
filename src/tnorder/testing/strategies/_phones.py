"""Phone numbers: valid E.164 numbers of the regions asked for, varied from real examples.

Part of :mod:`tnorder.testing.strategies`; import from there.
"""

from __future__ import annotations

import functools
from collections.abc import Collection

import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

__all__ = ["phone_numbers"]


_EXAMPLE_TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)


@functools.cache
def _examples(region: str) -> tuple[phonenumbers.PhoneNumber, ...]:
    # Loading a region's metadata costs a few milliseconds, so only regions
    # that are actually drawn are loaded.
    found = []
    for kind in _EXAMPLE_TYPES:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is not None and phonenumbers.is_valid_number(example):
            found.append(example)
    return tuple(found)


def _vary(example: phonenumbers.PhoneNumber, digits: str) -> str:
    """The example with its last digits replaced, if that is still valid; else the example."""
    national = phonenumbers.national_significant_number(example)
    candidate = national[: len(national) - len(digits)] + digits
    parsed = phonenumbers.parse(f"+{example.country_code}{candidate}")
    chosen = parsed if phonenumbers.is_valid_number(parsed) else example
    return phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.E164)


def phone_numbers(regions: Collection[str] | None = None) -> st.SearchStrategy[str]:
    """Valid E.164 numbers (``+14045550100``) from ``phonenumbers``' metadata.

    Each number starts from the region's example number (fixed line, mobile,
    toll free or VoIP) with up to its last four digits redrawn, kept only if
    ``phonenumbers`` still calls it valid.  ``normalize_number`` returns every
    drawn number unchanged.

    Args:
        regions: ISO 3166 alpha-2 regions (default: every region ``phonenumbers`` supports);
            ``("US",)`` gives valid North American numbers.
    """
    pool = sorted(phonenumbers.SUPPORTED_REGIONS if regions is None else regions)
    unknown = sorted(set(pool) - phonenumbers.SUPPORTED_REGIONS)
    if not pool or unknown:
        raise InvalidArgument(f"phone_numbers needs supported regions, got unknown {unknown}")

    regions_ = st.sampled_from(pool)
    tails = st.text("0123456789", min_size=0, max_size=4)

    @st.composite
    def draw_number(draw: st.DrawFn) -> str:
        examples = _examples(draw(regions_))
        example = examples[draw(st.integers(min_value=0, max_value=len(examples) - 1))]
        return _vary(example, draw(tails))

    return draw_number()
