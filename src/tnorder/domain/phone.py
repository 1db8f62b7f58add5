"""Telephone numbers: parsed, validated and formatted E.164 with ``phonenumbers``.

Pure.  Nothing here reads the clock or touches storage.
"""

from __future__ import annotations

import phonenumbers

from ..errors import InvalidPhoneNumber

__all__ = ["normalize_number"]


def normalize_number(text: str, region: str = "US") -> str:
    """``text`` as an E.164 string (``+14045550100``).

    Args:
        text: the number as a person or carrier wrote it; national numbers are
            read in ``region``.
        region: ISO 3166 alpha-2 region for numbers without a ``+`` prefix.

    Raises:
        InvalidPhoneNumber: not a number, or not a valid one.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidPhoneNumber(f"not a telephone number: {text!r}", field="number")
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
