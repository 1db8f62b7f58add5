"""Customer-facing text in the host's locale and with the host's name.

Pure: no I/O, no clock.  The texts themselves are data in
``tnorder.domain._messages`` (English, brand-neutral); this module renders
them through a catalogue the host hands in:

* a ``gettext.GNUTranslations`` / ``NullTranslations`` (or anything with
  ``pgettext(context, message)``): the message key is the ``msgctxt`` and the
  English default the ``msgid``, as in the shipped ``tnorder/locale/tnorder.pot``;
* a plain mapping ``{key: translated text}``.

A text the catalogue has no entry for falls back to English, or raises
``ConfigurationError`` when ``strict=True``; ``missing()`` and ``check()`` find
gaps and wrong ``{field}`` slots before a customer sees them.  ``{provider}``
is filled with ``provider_name``.

Views (``LineItemView``, ``ActiveNumber``, ``DeliveryDisplay``) keep their
English strings and carry the codes (statuses, tags, kinds, ranges) these
methods render.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Protocol

from ..errors import ConfigurationError, DuplicateNumber, InvalidDocument, ValidationError
from ._labels import LabelledEnum, label_key_of
from ._messages import DEFAULT_PROVIDER_NAME, MESSAGES, Message
from .delivery import DeliveryDisplay, DeliveryKind, business_days_text
from .events import PortDetailsCorrected
from .order import port_correction_note
from .statuses import ItemStatus
from .visibility import (
    ActiveNumber,
    NumberAction,
    locked_reason_text,
    restriction_message,
)

__all__ = [
    "DEFAULT_PROVIDER_NAME",
    "MESSAGES",
    "CustomerTexts",
    "Labelled",
    "Message",
    "Translations",
    "pot_template",
]


class Translations(Protocol):
    """What tnorder needs of a gettext translation object (``GNUTranslations`` has it)."""

    def pgettext(self, context: str, message: str, /) -> str:
        """The translation of ``message`` in ``context``, or ``message`` itself if none."""
        ...


Labelled = LabelledEnum
"""The enums whose members have a customer-facing ``label``: statuses, intents, kinds,
placements, stages, tags, actions, requirement kinds, document statuses, lookup kinds."""


class _Probe(str):
    """An msgid gettext hands back unchanged on a miss, told apart from a hit by identity."""

    __slots__ = ()


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(text) if name)


def _to_catalogue(value: object) -> Translations | Mapping[str, str] | None:
    if value is None or isinstance(value, Mapping):
        return value
    if callable(getattr(value, "pgettext", None)):
        return value  # type: ignore[return-value]  # duck-typed like gettext itself
    raise ValidationError(
        "catalogue must be a gettext translation (with pgettext), a mapping of message "
        f"keys to texts, or None; got {type(value).__name__}",
        field="catalogue",
    )


def _to_provider(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"provider_name must be a non-empty string, got {value!r}", field="provider_name"
        )
    return value


class CustomerTexts:
    """Renders every customer-facing text through one catalogue.

    Args:
        catalogue: a gettext translation object, a ``{key: text}`` mapping, or None
            for the English defaults.
        provider_name: fills ``{provider}`` ("Acme Telecom is performing...").
        strict: raise ``ConfigurationError`` for a text the catalogue lacks instead
            of falling back to English.

    Raises:
        ValidationError: ``catalogue`` is neither, or ``provider_name`` is empty.

    Example:
        >>> from tnorder import ItemStatus
        >>> texts = CustomerTexts({"item_status.completed.label": "Abgeschlossen"})
        >>> texts.label(ItemStatus.COMPLETED)
        'Abgeschlossen'
        >>> CustomerTexts(provider_name="Acme").description(ItemStatus.IN_PROGRESS)[:25]
        'Acme is actively configur'
    """

    # A plain slotted class, not attrs: `import tnorder` imports this module, and
    # generating an attrs class costs about as much as the rest of the module.
    __slots__ = ("catalogue", "provider_name", "strict")

    catalogue: Translations | Mapping[str, str] | None
    provider_name: str
    strict: bool

    def __init__(
        self,
        catalogue: Translations | Mapping[str, str] | None = None,
        provider_name: str = DEFAULT_PROVIDER_NAME,
        *,
        strict: bool = False,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "catalogue", _to_catalogue(catalogue))
        set_(self, "provider_name", _to_provider(provider_name))
        set_(self, "strict", bool(strict))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"CustomerTexts is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        return (
            f"CustomerTexts(catalogue={self.catalogue!r}, "
            f"provider_name={self.provider_name!r}, strict={self.strict!r})"
        )

    def lookup(self, key: str) -> str | None:
        """The catalogue's raw entry for ``key`` (slots unfilled), or None if it has none.

        Raises:
            ValidationError: ``key`` is not a message key.
        """
        message = _message(key)
        catalogue = self.catalogue
        if catalogue is None:
            return message.default
        if isinstance(catalogue, Mapping):
            found = catalogue.get(key)
            return found if isinstance(found, str) else None
        probe = _Probe(message.default)
        translated = catalogue.pgettext(key, probe)
        return None if translated is probe else str(translated)

    def text(self, key: str, **values: object) -> str:
        """The text for ``key`` with ``{provider}`` and ``values`` filled in.

        Raises:
            ValidationError: ``key`` is not a message key.
            ConfigurationError: ``strict`` and the catalogue has no entry for ``key``,
                or the entry uses a ``{field}`` the English text does not.
        """
        template = self.lookup(key)
        if template is None:
            if self.strict:
                raise ConfigurationError(f"the text catalogue has no entry for {key!r}")
            template = MESSAGES[key].default
        try:
            return template.format(provider=self.provider_name, **values)
        except (KeyError, IndexError, ValueError) as exc:
            # A translator's typo must name the entry, not surface as a bare KeyError.
            raise ConfigurationError(
                f"the text catalogue's entry for {key!r} is malformed: {template!r} ({exc!r})"
            ) from exc

    def label(self, member: Labelled) -> str:
        """The customer-facing label of any labelled enum member (see ``Labelled``)."""
        return self.text(label_key_of(member))

    def description(self, status: ItemStatus) -> str:
        """The customer explanation of ``status``."""
        return self.text(f"item_status.{ItemStatus(status).value}.description")

    def delivery(self, display: DeliveryDisplay) -> str:
        """The delivery column's text for ``display`` (dates stay ISO 8601)."""
        if display.kind is DeliveryKind.UNAVAILABLE:
            return self.text("delivery.unavailable")
        if display.kind is DeliveryKind.NOT_APPLICABLE:
            return self.text("delivery.not_applicable")
        if display.kind is DeliveryKind.ESTIMATE and display.range is not None:
            return business_days_text(display.range, self.text)
        return display.text

    def locked_reason(self, number: ActiveNumber) -> str | None:
        """Why ``number`` is not live yet, or None once it is."""
        return locked_reason_text(number, self.text)

    def action_restricted(self, number: ActiveNumber, action: NumberAction) -> str:
        """The refusal ``check_action`` raises for ``action`` on ``number``, in this locale."""
        return restriction_message(number, NumberAction(action), self.text)

    def cancel_refused(self) -> str:
        """The refusal a customer gets on trying to cancel an order."""
        return self.text("error.cancel_refused")

    def invalid_document(self, error: InvalidDocument) -> str:
        """What to tell the customer whose upload ``error`` refused (by ``error.reason``).

        The error's own message is for logs and developers (it names sizes and
        detected types); this is the sentence for the upload form.
        """
        key = f"error.invalid_document.{error.reason}"
        return self.text(key if key in MESSAGES else "error.invalid_document")

    def duplicate_number(self, error: DuplicateNumber) -> str:
        """What to tell the customer whose order ``error`` refused for a number it repeats
        or another open order holds.

        The order that holds the number is named only when ``error`` names it
        (the customer's own order); another account's order never is.
        """
        if error.reason == "repeated":
            return self.text("error.duplicate_number.repeated", number=error.number)
        if error.order_id is not None:
            return self.text(
                "error.duplicate_number.open_order", number=error.number, order_id=error.order_id
            )
        return self.text("error.duplicate_number", number=error.number)

    def port_details_corrected(self, event: PortDetailsCorrected) -> str:
        """The history note of ``event`` in this locale: the customer's own note as
        written, else the sentence naming the corrected fields (stored in English)."""
        if event.note is not None:
            return event.note
        return port_correction_note(event.fields, self.text)

    def missing(self) -> tuple[str, ...]:
        """Message keys the catalogue has no entry for, in catalogue order."""
        return tuple(key for key in MESSAGES if self.lookup(key) is None)

    def check(self) -> None:
        """Raise unless the catalogue has every text, each with the English ``{field}`` slots.

        Raises:
            ConfigurationError: listing each missing key and each entry whose slots
                differ from the English text's.
        """
        problems = [f"{key}: no entry" for key in self.missing()]
        for key, message in MESSAGES.items():
            found = self.lookup(key)
            if found is not None and _fields(found) != _fields(message.default):
                expected = ", ".join(sorted(_fields(message.default))) or "none"
                problems.append(f"{key}: slots {found!r} differ from {{{expected}}}")
        if problems:
            raise ConfigurationError(
                f"the text catalogue is incomplete ({len(problems)} problems): "
                + "; ".join(problems)
            )


def _message(key: str) -> Message:
    try:
        return MESSAGES[key]
    except KeyError:
        raise ValidationError(f"unknown customer text key {key!r}", field="key") from None


def _po_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def pot_template() -> str:
    """The gettext template of every customer-facing text (``tnorder/locale/tnorder.pot``).

    Each entry's ``msgctxt`` is the message key and its ``msgid`` the English text.
    """
    lines = [
        "# tnorder customer-facing texts: brand-neutral English, one entry per text.",
        "# Generated by `python -m tnorder.docgen` from tnorder.domain._messages. Do not edit.",
        "# {provider} is the host's provider name; keep every {field} in a translation.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: tnorder\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
    ]
    for message in MESSAGES.values():
        lines += ["", f"#. {message.note}"]
        if _fields(message.default):
            lines.append("#, python-brace-format")
        lines += [
            f"msgctxt {_po_string(message.key)}",
            f"msgid {_po_string(message.default)}",
            'msgstr ""',
        ]
    return "\n".join(lines) + "\n"
