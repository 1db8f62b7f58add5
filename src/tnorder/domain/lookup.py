"""Lookup criteria: what a user asks a carrier to search for, and their validation.

Pure domain rules.  Nothing here reads the clock or talks to a carrier.

A lookup names exactly one criterion (area code, rate center with state,
state, city with state, ZIP, LATA, toll-free wildcard, toll-free vanity) and
a quantity.  Everything is checked when a :class:`LookupCriteria` is built, so
an invalid lookup never reaches a carrier; the carrier's own limits (which
criteria it supports, its maximum quantity) are checked against its
``CarrierCapabilities`` in ``tnorder.domain.carrier``.  Errors are
:class:`~tnorder.errors.InvalidLookup` with ``field`` naming the input at fault.

Telephone numbers are parsed and classified with ``phonenumbers``, never by hand.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..errors import InvalidLookup, InvalidPhoneNumber
from ._labels import LabelledEnum

__all__ = [
    "KEYPAD",
    "TOLL_FREE_PREFIXES",
    "US_STATES",
    "LookupCriteria",
    "LookupKind",
    "is_toll_free",
    "vanity_digits",
    "wildcard_matches",
    "wildcard_prefixes",
]

TOLL_FREE_PREFIXES: tuple[str, ...] = ("800", "833", "844", "855", "866", "877", "888")
"""The North American toll-free prefixes in service (8XX codes)."""

# USPS codes of the states, DC and the inhabited territories inside the NANP.
US_STATES: frozenset[str] = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
        "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
        "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
        "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP",
    }
)

KEYPAD: dict[str, str] = {
    letter: digit
    for digit, letters in {
        "2": "ABC",
        "3": "DEF",
        "4": "GHI",
        "5": "JKL",
        "6": "MNO",
        "7": "PQRS",
        "8": "TUV",
        "9": "WXYZ",
    }.items()
    for letter in letters
}
"""Telephone keypad: letter -> digit (ITU E.161)."""

_AREA_CODE = re.compile(r"[2-9][0-8][0-9]")
_RATE_CENTER = re.compile(r"[A-Z0-9][A-Z0-9 ]{0,9}")
_CITY = re.compile(r"[A-Z][A-Z .'-]{0,59}")
_ZIP = re.compile(r"[0-9]{5}")
_LATA = re.compile(r"[0-9]{3}")
_WILDCARD = re.compile(r"8[0-9*]{2}")
_VANITY = re.compile(r"[A-Z0-9]{4,7}")


class LookupKind(LabelledEnum, label_key="lookup_kind"):
    """Which criterion a lookup uses (a carrier declares the kinds it supports)."""

    AREA_CODE = "area_code"
    RATE_CENTER = "rate_center"
    STATE = "state"
    CITY = "city"
    ZIP = "zip_code"
    LATA = "lata"
    TOLL_FREE_WILDCARD = "toll_free_wildcard"
    TOLL_FREE_VANITY = "toll_free_vanity"


# The criterion fields in the order they are checked; ``state`` is also the
# companion of ``rate_center`` and ``city``, so it is handled separately.
_PRIMARY = (
    LookupKind.AREA_CODE,
    LookupKind.RATE_CENTER,
    LookupKind.CITY,
    LookupKind.ZIP,
    LookupKind.LATA,
    LookupKind.TOLL_FREE_WILDCARD,
    LookupKind.TOLL_FREE_VANITY,
)
_NEEDS_STATE = (LookupKind.RATE_CENTER, LookupKind.CITY)


def _upper(value: Any) -> Any:
    # Carriers use upper-case names ("CARY", "NC"); type errors are reported by
    # the validator, which knows the field name.
    return value.strip().upper() if isinstance(value, str) else value


def vanity_digits(text: str) -> str:
    """The keypad digits for a vanity word (``"FLOWERS"`` -> ``"3569377"``); digits stay."""
    return "".join(KEYPAD.get(ch, ch) for ch in text.upper())


def wildcard_prefixes(pattern: str) -> tuple[str, ...]:
    """The toll-free prefixes a 3-character wildcard pattern covers (``"87*"`` -> ``("877",)``)."""
    return tuple(
        prefix
        for prefix in TOLL_FREE_PREFIXES
        if len(pattern) == 3 and all(p in ("*", d) for p, d in zip(pattern, prefix, strict=True))
    )


def is_toll_free(number: str) -> bool:
    """Whether an E.164 number is a toll-free number (by ``phonenumbers``' metadata)."""
    import phonenumbers  # on first use, not by `import tnorder` (see tnorder.domain.phone)

    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException as exc:
        # phonenumbers' exception is not ours; callers catch TnorderError.
        raise InvalidPhoneNumber(f"not a telephone number: {number!r}", field="number") from exc
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.TOLL_FREE


def wildcard_matches(pattern: str, number: str) -> bool:
    """Whether the E.164 NANP ``number`` has a toll-free prefix matched by ``pattern``."""
    return number.startswith("+1") and number[2:5] in wildcard_prefixes(pattern)


@attrs.frozen
class LookupCriteria:
    """A validated request to find ``quantity`` numbers by exactly one criterion.

    Give exactly one of ``area_code``, ``rate_center`` (with ``state``), ``state``
    alone, ``city`` (with ``state``), ``zip_code``, ``lata``,
    ``toll_free_wildcard`` or ``toll_free_vanity``.  Text is stripped and
    upper-cased.

    Attributes:
        quantity: how many numbers are wanted (at least 1; the carrier's
            ``max_quantity`` is checked by ``CarrierCapabilities.check_lookup``).
        area_code: a NANP area code (``NXX``: 3 digits, first 2-9, not ``N9X``
            or ``N11``); toll-free prefixes are refused (use a toll-free criterion).
        rate_center: a rate center abbreviation (up to 10 letters, digits, spaces).
        state: a USPS state or territory code; alone it is the criterion.
        city: a city name (letters, spaces, ``.'-``).
        zip_code: a 5-digit ZIP code.
        lata: a 3-digit LATA.
        toll_free_wildcard: 3 characters, digits or ``*``, starting with 8 and
            covering at least one toll-free prefix (``"8**"``, ``"87*"``, ``"888"``).
        toll_free_vanity: 4 to 7 letters or digits with at least one letter
            (``"FLOWERS"``); see :attr:`vanity_digits`.

    Raises:
        InvalidLookup: naming the offending field (``criteria`` when none or
            several criteria were given).
    """

    quantity: int
    area_code: str | None = attrs.field(default=None, converter=_upper)
    rate_center: str | None = attrs.field(default=None, converter=_upper)
    state: str | None = attrs.field(default=None, converter=_upper)
    city: str | None = attrs.field(default=None, converter=_upper)
    zip_code: str | None = attrs.field(default=None, converter=_upper)
    lata: str | None = attrs.field(default=None, converter=_upper)
    toll_free_wildcard: str | None = attrs.field(default=None, converter=_upper)
    toll_free_vanity: str | None = attrs.field(default=None, converter=_upper)

    def __attrs_post_init__(self) -> None:
        self._check_quantity()
        given = [kind for kind in _PRIMARY if getattr(self, kind.value) is not None]
        for kind in (*given, LookupKind.STATE) if self.state is not None else given:
            value = getattr(self, kind.value)
            if not isinstance(value, str) or not value:
                raise InvalidLookup(f"{kind.label} must be a non-empty string", field=kind.value)
            if "*" in value and kind is not LookupKind.TOLL_FREE_WILDCARD:
                raise InvalidLookup(
                    f"wildcards are only allowed in a toll-free lookup, not in {kind.label} "
                    f"{value!r}",
                    field=kind.value,
                )
        if len(given) > 1:
            raise InvalidLookup(
                "give exactly one lookup criterion, got " + ", ".join(k.value for k in given),
                field="criteria",
            )
        if not given and self.state is None:
            raise InvalidLookup(
                "give one lookup criterion: " + ", ".join(k.value for k in LookupKind),
                field="criteria",
            )
        kind = given[0] if given else LookupKind.STATE
        if self.state is not None:
            if self.state not in US_STATES:
                raise InvalidLookup(f"unknown state {self.state!r}", field="state")
            if kind not in (LookupKind.STATE, *_NEEDS_STATE):
                raise InvalidLookup(
                    f"state is only combined with a rate center or a city, not with {kind.label}",
                    field="state",
                )
        elif kind in _NEEDS_STATE:
            raise InvalidLookup(f"a {kind.label} lookup needs a state", field="state")
        self._check_value(kind)

    def _check_quantity(self) -> None:
        q = self.quantity
        if type(q) is not int:
            raise InvalidLookup(f"quantity must be an integer, got {q!r}", field="quantity")
        if q < 1:
            raise InvalidLookup(f"quantity must be at least 1, got {q}", field="quantity")

    def _check_value(self, kind: LookupKind) -> None:
        value: str = getattr(self, kind.value)
        if kind is LookupKind.AREA_CODE:
            if value in TOLL_FREE_PREFIXES:
                raise InvalidLookup(
                    f"{value} is a toll-free prefix; use a toll-free wildcard lookup",
                    field="area_code",
                )
            if not _AREA_CODE.fullmatch(value) or value[1:] == "11":
                raise InvalidLookup(
                    f"area code must be 3 digits NXX (first 2-9, not N9X or N11), got {value!r}",
                    field="area_code",
                )
        elif kind is LookupKind.RATE_CENTER and not _RATE_CENTER.fullmatch(value):
            raise InvalidLookup(
                f"rate center must be up to 10 letters, digits or spaces, got {value!r}",
                field="rate_center",
            )
        elif kind is LookupKind.CITY and not _CITY.fullmatch(value):
            raise InvalidLookup(f"not a city name: {value!r}", field="city")
        elif kind is LookupKind.ZIP and not _ZIP.fullmatch(value):
            raise InvalidLookup(f"ZIP code must be 5 digits, got {value!r}", field="zip_code")
        elif kind is LookupKind.LATA and not _LATA.fullmatch(value):
            raise InvalidLookup(f"LATA must be 3 digits, got {value!r}", field="lata")
        elif kind is LookupKind.TOLL_FREE_WILDCARD:
            if not _WILDCARD.fullmatch(value) or not wildcard_prefixes(value):
                raise InvalidLookup(
                    f"toll-free wildcard {value!r} must be 3 characters (digits or *) covering "
                    f"a toll-free prefix ({', '.join(TOLL_FREE_PREFIXES)}), e.g. '8**' or '87*'",
                    field="toll_free_wildcard",
                )
        elif kind is LookupKind.TOLL_FREE_VANITY and (
            not _VANITY.fullmatch(value) or value.isdigit()
        ):
            raise InvalidLookup(
                f"toll-free vanity must be 4 to 7 letters or digits with at least one letter "
                f"(the part after the prefix), got {value!r}",
                field="toll_free_vanity",
            )

    # -- queries --------------------------------------------------------------

    @property
    def kind(self) -> LookupKind:
        """The criterion this lookup uses."""
        for kind in _PRIMARY:
            if getattr(self, kind.value) is not None:
                return kind
        return LookupKind.STATE

    @property
    def value(self) -> str:
        """The criterion's value (for rate center and city, without the state)."""
        value: str = getattr(self, self.kind.value)
        return value

    @property
    def is_toll_free(self) -> bool:
        """Whether this is a toll-free lookup (wildcard or vanity)."""
        return self.kind in (LookupKind.TOLL_FREE_WILDCARD, LookupKind.TOLL_FREE_VANITY)

    @property
    def vanity_digits(self) -> str | None:
        """The keypad digits of a vanity lookup (``None`` for other lookups)."""
        return vanity_digits(self.toll_free_vanity) if self.toll_free_vanity else None

    def describe(self) -> str:
        """Human-readable criterion, e.g. ``"rate center CARY, NC"``."""
        kind = self.kind
        if kind in _NEEDS_STATE:
            return f"{kind.label} {self.value}, {self.state}"
        return f"{kind.label} {self.value}"
