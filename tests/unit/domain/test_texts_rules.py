"""``CustomerTexts`` and the gettext template, written down from the module's contract.

A catalogue is a gettext translation, a mapping or None; a missing entry
falls back to English (or is refused when strict); a translator's wrong slot
names the entry; ``check()`` lists every problem; the template is valid PO
text with one entry per message, flagged ``python-brace-format`` when it has
slots.  Every refusal names what was wrong.
"""

from __future__ import annotations

import gettext
from datetime import date

import pytest

from tnorder.domain._messages import MESSAGES
from tnorder.domain.delivery import BusinessDayRange, DeliveryDisplay, DeliveryKind
from tnorder.domain.statuses import ItemStatus
from tnorder.domain.texts import CustomerTexts, _fields, _po_string, pot_template
from tnorder.errors import ConfigurationError, InvalidDocument, ValidationError


class _Catalogue:
    """A gettext-like catalogue with one German entry; misses hand the msgid back."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = entries

    def pgettext(self, context: str, message: str, /) -> str:
        return self.entries.get(context, message)


# -- construction ------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "type_name"), [(["x"], "list"), (5, "int"), ("de", "str")])
def test_a_catalogue_of_the_wrong_type_is_refused(value: object, type_name: str) -> None:
    """Neither a translation, a mapping nor None: refused naming ``catalogue`` and the type."""
    with pytest.raises(
        ValidationError,
        match=r"^catalogue must be a gettext translation \(with pgettext\), a mapping of message "
        rf"keys to texts, or None; got {type_name}$",
    ) as caught:
        CustomerTexts(value)  # type: ignore[arg-type]
    assert "catalogue" == caught.value.field


def test_an_object_whose_pgettext_is_not_callable_is_refused() -> None:
    """A ``pgettext`` attribute that cannot be called does not make a catalogue."""

    class Fake:
        pgettext = "not callable"

    with pytest.raises(ValidationError, match=r"got Fake$"):
        CustomerTexts(Fake())  # type: ignore[arg-type]


def test_the_accepted_catalogues_are_kept() -> None:
    """A translation object, a mapping or None is kept as given."""
    null = gettext.NullTranslations()
    assert null is CustomerTexts(null).catalogue
    mapping = {"delivery.unavailable": "Indisponible"}
    assert mapping is CustomerTexts(mapping).catalogue
    assert CustomerTexts().catalogue is None


@pytest.mark.parametrize("name", ["", "   ", None, 5])
def test_a_provider_name_must_be_non_empty_text(name: object) -> None:
    """An empty, blank or non-text provider name is refused, naming it and the value."""
    with pytest.raises(
        ValidationError, match=rf"^provider_name must be a non-empty string, got {name!r}$"
    ) as caught:
        CustomerTexts(provider_name=name)  # type: ignore[arg-type]
    assert "provider_name" == caught.value.field


def test_the_defaults_and_strict_as_a_boolean() -> None:
    """The provider defaults to "Your provider", strict to False; strict is kept as a bool."""
    texts = CustomerTexts()
    assert ("Your provider", False) == (texts.provider_name, texts.strict)
    assert True is CustomerTexts(strict=1).strict  # type: ignore[arg-type]
    assert "Acme" == CustomerTexts(None, "Acme").provider_name


def test_it_cannot_be_changed_and_says_which_attribute() -> None:
    """Setting any attribute raises, naming it."""
    texts = CustomerTexts()
    with pytest.raises(AttributeError, match=r"^CustomerTexts is immutable; cannot set 'strict'$"):
        texts.strict = True  # type: ignore[misc]


def test_the_repr_shows_every_setting() -> None:
    """The repr names the catalogue, the provider and strictness."""
    texts = CustomerTexts({"a": "b"}, "Acme", strict=True)
    assert "CustomerTexts(catalogue={'a': 'b'}, provider_name='Acme', strict=True)" == repr(texts)


# -- lookup and text -------------------------------------------------------------------------


def test_lookup_without_a_catalogue_is_the_english_template() -> None:
    """No catalogue: the raw English entry, slots unfilled."""
    assert "{low}\u2013{high} business days" == CustomerTexts().lookup(
        "delivery.business_days.range"
    )


def test_lookup_in_a_mapping_takes_only_text() -> None:
    """A mapping's text entry is found; a missing or non-text entry is no entry."""
    texts = CustomerTexts({"delivery.unavailable": "Indisponible", "delivery.not_applicable": 3})  # type: ignore[dict-item]
    assert "Indisponible" == texts.lookup("delivery.unavailable")
    assert texts.lookup("delivery.not_applicable") is None
    assert texts.lookup("error.cancel_refused") is None


def test_lookup_in_a_translation_tells_a_miss_from_a_hit() -> None:
    """A translation that hands the msgid back has no entry; any other answer is the entry."""
    texts = CustomerTexts(_Catalogue({"delivery.unavailable": "Nicht verfügbar"}))
    found = texts.lookup("delivery.unavailable")
    assert ("Nicht verfügbar", str) == (found, type(found))
    assert texts.lookup("delivery.not_applicable") is None


def test_a_translation_equal_to_english_is_still_an_entry() -> None:
    """A translation whose text equals the English one (a new string object) counts as found."""
    english = MESSAGES["intent.final.label"].default
    texts = CustomerTexts(_Catalogue({"intent.final.label": "".join(english)}))
    assert english == texts.lookup("intent.final.label")
    assert "intent.final.label" not in texts.missing()


def test_an_unknown_key_is_refused_naming_it() -> None:
    """A key not in the catalogue is refused with ``field="key"``."""
    with pytest.raises(
        ValidationError, match=r"^unknown customer text key 'no\.such\.key'$"
    ) as caught:
        CustomerTexts().lookup("no.such.key")
    assert "key" == caught.value.field


def test_text_fills_provider_and_values() -> None:
    """``{provider}`` gets the host's name and the other slots the given values."""
    texts = CustomerTexts(provider_name="Acme")
    assert texts.text("item_status.in_progress.description").startswith("Acme is actively")
    assert "being processed (Port Approved)" == texts.text(
        "activation.locked.processing", status="Port Approved"
    )


def test_a_missing_entry_falls_back_to_english_unless_strict() -> None:
    """Lenient: English; strict: a ConfigurationError naming the key."""
    assert "Unavailable" == CustomerTexts({}).text("delivery.unavailable")
    with pytest.raises(
        ConfigurationError, match=r"^the text catalogue has no entry for 'delivery\.unavailable'$"
    ):
        CustomerTexts({}, strict=True).text("delivery.unavailable")
    assert "Unavailable" == CustomerTexts(None, strict=True).text("delivery.unavailable")


@pytest.mark.parametrize("template", ["{count} Tage", "{0} Tage", "{days Tage"])
def test_a_malformed_entry_names_the_key_and_the_template(template: str) -> None:
    """An unknown named slot, a positional slot or a broken brace is refused, naming the entry."""
    texts = CustomerTexts({"delivery.business_days.other": template})
    with pytest.raises(
        ConfigurationError,
        match=r"^the text catalogue's entry for 'delivery\.business_days\.other' is malformed: "
        + repr(template).replace("{", r"\{"),
    ) as caught:
        texts.text("delivery.business_days.other", days=3)
    assert isinstance(caught.value.__cause__, KeyError | IndexError | ValueError)


# -- the renderers ------------------------------------------------------------------------------


def test_label_and_description() -> None:
    """A member's label and a status's description come from the catalogue."""
    texts = CustomerTexts(
        {
            "item_status.completed.label": "Fertig",
            "item_status.completed.description": "Alles fertig.",
        }
    )
    assert "Fertig" == texts.label(ItemStatus.COMPLETED)
    assert "Alles fertig." == texts.description(ItemStatus.COMPLETED)
    assert "Alles fertig." == texts.description("completed")  # type: ignore[arg-type]


def test_delivery_texts() -> None:
    """Unavailable and not applicable are translated, an estimate is rendered, a date kept."""
    texts = CustomerTexts(
        {
            "delivery.unavailable": "Indisponible",
            "delivery.not_applicable": "Sans objet",
            "delivery.business_days.range": "{low} à {high} jours ouvrés",
        }
    )
    assert "Indisponible" == texts.delivery(
        DeliveryDisplay(DeliveryKind.UNAVAILABLE, "Unavailable")
    )
    assert "Sans objet" == texts.delivery(
        DeliveryDisplay(DeliveryKind.NOT_APPLICABLE, "Not applicable")
    )
    estimate = DeliveryDisplay(
        DeliveryKind.ESTIMATE, "3\u20135 business days", range=BusinessDayRange(3, 5)
    )
    assert "3 à 5 jours ouvrés" == texts.delivery(estimate)
    day = DeliveryDisplay(DeliveryKind.DATE, "2026-03-14", date=date(2026, 3, 14))
    assert "2026-03-14" == texts.delivery(day)
    rangeless = DeliveryDisplay(DeliveryKind.ESTIMATE, "soon")
    assert "soon" == texts.delivery(rangeless)


def test_cancel_refused_and_invalid_documents() -> None:
    """The cancel refusal, and an upload refusal by its reason (or the generic one)."""
    texts = CustomerTexts(
        {
            "error.cancel_refused": "Nein.",
            "error.invalid_document.empty": "Leer.",
            "error.invalid_document": "Geht nicht.",
        }
    )
    assert "Nein." == texts.cancel_refused()
    assert "Leer." == texts.invalid_document(InvalidDocument("x", reason="empty"))
    assert "Geht nicht." == texts.invalid_document(InvalidDocument("x", reason="virus"))


# -- missing and check ----------------------------------------------------------------------


def test_missing_lists_the_absent_keys_in_catalogue_order() -> None:
    """Every key without an entry, in catalogue order."""
    keys = list(MESSAGES)
    present = {keys[0]: "x", keys[2]: "y"}
    assert (keys[1], *keys[3:]) == CustomerTexts(present).missing()
    assert () == CustomerTexts().missing()


def test_check_passes_a_complete_catalogue() -> None:
    """The English catalogue itself has every text with the right slots."""
    CustomerTexts({k: m.default for k, m in MESSAGES.items()}).check()
    CustomerTexts().check()


def test_check_lists_every_problem_with_its_count() -> None:
    """Missing keys and entries with other slots are all listed, with how many."""
    entries = {k: m.default for k, m in MESSAGES.items()}
    del entries["delivery.unavailable"]
    entries["delivery.business_days.range"] = "{low} bis {hoch}"
    entries["intent.final.label"] = "{extra}"
    with pytest.raises(ConfigurationError) as caught:
        CustomerTexts(entries).check()
    assert (
        "the text catalogue is incomplete (3 problems): "
        "delivery.unavailable: no entry; "
        "intent.final.label: slots '{extra}' differ from {none}; "
        "delivery.business_days.range: slots '{low} bis {hoch}' differ from {high, low}"
    ) == str(caught.value)


def test_fields_of_a_template() -> None:
    """The named slots of a template, without literal text or empty names."""
    assert frozenset({"low", "high"}) == _fields("{low}\u2013{high} days")
    assert frozenset() == _fields("plain {{braces}}")


# -- the template ------------------------------------------------------------------------------


def test_po_strings_escape_backslash_quote_and_newline() -> None:
    """PO strings are quoted with backslash, double quote and newline escaped."""
    assert '"a\\\\b \\"c\\" d\\ne"' == _po_string('a\\b "c" d\ne')


def test_the_template_header() -> None:
    """The template starts with its comments and the PO header entry."""
    lines = pot_template().splitlines()
    assert [
        "# tnorder customer-facing texts: brand-neutral English, one entry per text.",
        "# Generated by `python -m tnorder.docgen` from tnorder.domain._messages. Do not edit.",
        "# {provider} is the host's provider name; keep every {field} in a translation.",
        'msgid ""',
        'msgstr ""',
        '"Project-Id-Version: tnorder\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        "",
    ] == lines[:10]


def test_the_template_entries() -> None:
    """Each message is a note, a brace-format flag when it has slots, context, id, empty str."""
    text = pot_template()
    assert text.endswith('msgstr ""\n')
    assert (
        "\n#. Line-item status in the Status column.\n"
        'msgctxt "item_status.order_submitted.label"\n'
        'msgid "Order Submitted"\n'
        'msgstr ""\n'
    ) in text
    assert (
        "\n#. An estimate of one day.\n"
        "#, python-brace-format\n"
        'msgctxt "delivery.business_days.one"\n'
        'msgid "{days} business day"\n'
        'msgstr ""\n'
    ) in text
    assert len(MESSAGES) == text.count("\nmsgctxt ")
    flagged = sum(1 for m in MESSAGES.values() if _fields(m.default))
    assert flagged == text.count("#, python-brace-format")
