"""Customer-facing texts: brand-neutral English by default, one catalogue, any locale.

The German catalogue in ``tests/fixtures/locale/de`` is a complete translation
made from the shipped ``tnorder.pot``; Babel compiles it to a ``.mo`` file and
the standard library's ``gettext`` loads it, as a host would.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import attrs
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.support.clock import T0
from tnorder import (
    ActionRestricted,
    ActivationStage,
    ActivationTag,
    ActiveNumber,
    Actor,
    ConfigurationError,
    CustomerTexts,
    DuplicateNumber,
    Intent,
    InvalidDocument,
    ItemStatus,
    NewItem,
    NumberAction,
    NumberType,
    Order,
    OrderKind,
    OrderStatus,
    PermissionDenied,
    Placement,
    PortDetails,
    Role,
    Trigger,
    ValidationError,
    check_action,
    delivery_display,
    validate_upload,
)
from tnorder.docgen import CATALOGUE_TEMPLATE
from tnorder.domain.claims import NumberClaim, refuse_claimed
from tnorder.domain.delivery import BusinessDayRange, DeliveryDisplay, DeliveryKind
from tnorder.domain.events import PortDetailsCorrected
from tnorder.domain.order import correct_port_details
from tnorder.domain.texts import MESSAGES, pot_template
from tnorder.domain.visibility import active_number_for_item

ROOT = Path(__file__).resolve().parents[3]
SYSTEM = Actor(Role.SYSTEM, "sys")
GERMAN_PO = ROOT / "tests" / "fixtures" / "locale" / "de" / "LC_MESSAGES" / "tnorder.po"
NUMBER = "+14045550100"
LABELLED = [
    *ItemStatus,
    *OrderStatus,
    *Intent,
    *OrderKind,
    *Placement,
    *ActivationStage,
    *ActivationTag,
    *NumberAction,
    *NumberType,
    *Role,
]


def _german_catalogue() -> Catalog:
    with GERMAN_PO.open("rb") as handle:
        return read_po(handle, locale="de")


def _compile(catalogue: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@pytest.fixture(scope="module")
def german() -> gettext.GNUTranslations:
    """The complete German catalogue, compiled and loaded by gettext."""
    return _compile(_german_catalogue())


def _pending_number(number_type: NumberType = NumberType.LOCAL) -> ActiveNumber:
    order = Order.place(
        "O-1",
        "acct-1",
        [NewItem(OrderKind.NEW_NUMBER, number=NUMBER, number_type=number_type)],
        actor=Actor(Role.SYSTEM, "sys"),
        at=T0,
    )
    shown = active_number_for_item(order.items[0], T0)
    assert shown is not None
    return shown


# -- English defaults ----------------------------------------------------------------


def test_no_default_text_names_a_company() -> None:
    """No customer-facing default names the seed guide's company (or any brand)."""
    rendered = [CustomerTexts().text(key, **_sample_values(key)) for key in MESSAGES]
    assert [] == [text for text in rendered if re.search("avoxi", text, re.IGNORECASE)]
    assert [] == [
        path
        for path in (ROOT / "src" / "tnorder").rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".pot"}
        and "avoxi" in path.read_text(encoding="utf-8").lower()
    ]


def test_provider_wording_uses_the_neutral_default() -> None:
    """Texts that need the operator's name say "Your provider" unless a name is configured."""
    assert ItemStatus.VERIFICATION_PENDING.description.startswith("Your provider is performing")
    assert (
        CustomerTexts(provider_name="Acme Telecom")
        .description(ItemStatus.IN_PROGRESS)
        .startswith("Acme Telecom is actively configuring your new environment")
    )


def test_label_properties_are_the_catalogue_defaults() -> None:
    """Every enum's ``label`` (and each status's ``description``) is the catalogue's English."""
    english = CustomerTexts()
    assert [m.label for m in LABELLED] == [english.label(m) for m in LABELLED]
    assert [s.description for s in ItemStatus] == [english.description(s) for s in ItemStatus]
    assert "Port Approved" == ItemStatus.PORT_APPROVED.label
    assert "Port-In" == OrderKind.PORT_IN.label


def test_english_rendering_matches_the_domain_messages() -> None:
    """CustomerTexts() renders exactly the English the domain already shows."""
    english = CustomerTexts()
    pending = _pending_number()
    with pytest.raises(ActionRestricted) as refused:
        check_action(pending, NumberAction.TEST_NUMBER)
    assert str(refused.value) == english.action_restricted(pending, NumberAction.TEST_NUMBER)
    assert pending.locked_reason == english.locked_reason(pending)
    with pytest.raises(PermissionDenied) as cancel:
        Order.place(
            "O-2", "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=Actor(Role.SYSTEM, "s"), at=T0
        ).cancel(actor=Actor(Role.CUSTOMER, "c"), at=T0)
    assert str(cancel.value) == english.cancel_refused()
    for low, high in [(1, 1), (2, 2), (3, 5)]:
        days = BusinessDayRange(low, high)
        shown = DeliveryDisplay(DeliveryKind.ESTIMATE, days.text, range=days)
        assert days.text == english.delivery(shown)
    assert ["1 business day", "2 business days", "3\u20135 business days"] == [
        BusinessDayRange(1, 1).text,
        BusinessDayRange(2, 2).text,
        BusinessDayRange(3, 5).text,
    ]


# -- the shipped template ---------------------------------------------------------------


def test_shipped_template_is_current() -> None:
    """tnorder/locale/tnorder.pot is what `python -m tnorder.docgen` writes (run `make docs`)."""
    assert pot_template() == CATALOGUE_TEMPLATE.read_text(encoding="utf-8")


def test_babel_reads_every_text_from_the_template() -> None:
    """Babel, a standard gettext tool, finds one entry per text: key as msgctxt,
    English as msgid."""
    with CATALOGUE_TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    entries = {m.context: m.id for m in template if m.id}
    assert {key: m.default for key, m in MESSAGES.items()} == entries


# -- a second locale -------------------------------------------------------------------


def test_german_catalogue_is_complete(german: gettext.GNUTranslations) -> None:
    """The German catalogue has every text with the English ``{field}`` slots."""
    texts = CustomerTexts(german, provider_name="Beispiel GmbH", strict=True)
    assert () == texts.missing()
    texts.check()


def test_german_catalogue_replaces_every_text(german: gettext.GNUTranslations) -> None:
    """With a full catalogue no customer-facing text is left in English."""
    texts = CustomerTexts(german, provider_name="Beispiel GmbH", strict=True)
    english = CustomerTexts()
    same = [
        key
        for key in MESSAGES
        if texts.text(key, **_sample_values(key)) == english.text(key, **_sample_values(key))
    ]
    assert [] == same
    assert "Portierung genehmigt" == texts.label(ItemStatus.PORT_APPROVED)
    assert texts.description(ItemStatus.VERIFICATION_PENDING).startswith(
        "Beispiel GmbH führt die technische"
    )


def test_german_views_and_errors(german: gettext.GNUTranslations) -> None:
    """Delivery column, lock reason and refusals render in German from the views' codes."""
    texts = CustomerTexts(german, strict=True)
    order = Order.place(
        "O-3", "acct-1", [NewItem(OrderKind.NEW_NUMBER)], actor=Actor(Role.SYSTEM, "s"), at=T0
    )
    assert "3\u20135 Werktage" == texts.delivery(delivery_display(order.items[0]))
    assert "1 Werktag" == texts.delivery(
        DeliveryDisplay(DeliveryKind.ESTIMATE, "1 business day", range=BusinessDayRange(1, 1))
    )
    assert "Nicht verfügbar" == texts.delivery(DeliveryDisplay(DeliveryKind.UNAVAILABLE, "x"))
    assert "2025-03-14" == texts.delivery(DeliveryDisplay(DeliveryKind.DATE, "2025-03-14"))
    pending = _pending_number()
    assert "in Bearbeitung (Bestellung eingegangen)" == texts.locked_reason(pending)
    assert (
        "Massenaktionen ist für +14045550100 nicht verfügbar: die Nummer ist vor der "
        "aktivierung (Nicht aktiv, in Bearbeitung (Bestellung eingegangen)), und "
        "Massenaktionen sind vorübergehend deaktiviert, um Fehler während der Einrichtung "
        "des Anschlusses zu vermeiden. Jetzt erlaubt: weiterleitungsregeln bearbeiten."
    ) == texts.action_restricted(pending, NumberAction.BULK_ACTION)
    locked = _pending_number(NumberType.TRUELOCAL)
    assert "wartet auf die lokale regulatorische Freigabe" == texts.locked_reason(locked)
    assert texts.cancel_refused().startswith("Bestellungen können nicht im Portal storniert")


def test_a_plain_mapping_is_a_catalogue(german: gettext.GNUTranslations) -> None:
    """A ``{key: text}`` mapping renders exactly as the same gettext catalogue does."""
    mapping = {m.context: m.string for m in _german_catalogue() if m.id}
    from_mapping = CustomerTexts(mapping, provider_name="X", strict=True)
    from_gettext = CustomerTexts(german, provider_name="X", strict=True)
    from_mapping.check()
    assert [from_gettext.text(k, **_sample_values(k)) for k in MESSAGES] == [
        from_mapping.text(k, **_sample_values(k)) for k in MESSAGES
    ]


# -- gaps are found ----------------------------------------------------------------------


def test_a_text_without_an_entry_fails_the_check() -> None:
    """Dropping one entry from a catalogue is reported by name; strict rendering refuses it."""
    catalogue = _german_catalogue()
    catalogue.delete("Unavailable", context="delivery.unavailable")
    texts = CustomerTexts(_compile(catalogue), strict=True)
    assert ("delivery.unavailable",) == texts.missing()
    with pytest.raises(ConfigurationError, match=r"delivery\.unavailable: no entry"):
        texts.check()
    with pytest.raises(ConfigurationError, match=r"no entry for 'delivery\.unavailable'"):
        texts.text("delivery.unavailable")
    lenient = CustomerTexts(_compile(catalogue))
    assert "Unavailable" == lenient.text("delivery.unavailable")


def test_an_untranslated_entry_counts_as_missing() -> None:
    """An empty msgstr (not yet translated) is a gap, as gettext treats it."""
    catalogue = _german_catalogue()
    catalogue.get("Completed", context="item_status.completed.label").string = ""
    assert ("item_status.completed.label",) == CustomerTexts(_compile(catalogue)).missing()


def test_null_translations_miss_everything() -> None:
    """gettext.NullTranslations has no entries: every key is missing and English is shown."""
    texts = CustomerTexts(gettext.NullTranslations())
    assert tuple(MESSAGES) == texts.missing()
    assert "Completed" == texts.label(ItemStatus.COMPLETED)


def test_wrong_slots_fail_the_check() -> None:
    """A translation that drops or invents a ``{field}`` is named by the check."""
    texts = CustomerTexts(
        {**_german_mapping(), "delivery.business_days.range": "{low} bis {hi} Werktage"}
    )
    with pytest.raises(ConfigurationError, match=r"delivery\.business_days\.range: slots"):
        texts.check()
    with pytest.raises(ConfigurationError, match="malformed"):
        texts.delivery(DeliveryDisplay(DeliveryKind.ESTIMATE, "", range=BusinessDayRange(2, 4)))


def test_bad_configuration_is_a_validation_error() -> None:
    """A catalogue of the wrong type, an empty provider name or an unknown key is refused."""
    with pytest.raises(ValidationError, match="catalogue must be") as bad:
        CustomerTexts(["not", "a", "catalogue"])  # type: ignore[arg-type]
    assert "catalogue" == bad.value.field
    with pytest.raises(ValidationError, match="provider_name"):
        CustomerTexts(provider_name=" ")
    with pytest.raises(ValidationError, match="unknown customer text key 'nope'"):
        CustomerTexts().text("nope")


def _german_mapping() -> dict[str, str]:
    return {m.context: m.string for m in _german_catalogue() if m.id}


def _sample_values(key: str) -> dict[str, object]:
    """Values for a text's slots (other than ``provider``), so every text can be rendered."""
    samples: dict[str, object] = {
        "status": "S",
        "days": 2,
        "low": 3,
        "high": 5,
        "action": "A",
        "number": NUMBER,
        "stage": "st",
        "tag": "T",
        "locked": "",
        "reason": "r",
        "allowed": "a",
        "order_id": "O-7",
        "fields": "f",
    }
    fields = set(re.findall(r"{(\w+)}", MESSAGES[key].default)) - {"provider"}
    return {name: samples[name] for name in fields}


def test_customer_texts_is_immutable() -> None:
    """A CustomerTexts cannot be changed after it is built (it is shared across requests)."""
    texts = CustomerTexts(provider_name="Acme")
    with pytest.raises(AttributeError, match="immutable"):
        texts.provider_name = "Other"
    assert "CustomerTexts(catalogue=None, provider_name='Acme', strict=False)" == repr(texts)


@pytest.mark.parametrize(
    ("data", "name", "english", "german_text"),
    [
        (b"", "id.pdf", "The file is empty.", "Die Datei ist leer."),
        (b"plain text", "id.pdf", "Only PDF, PNG and JPEG", "Es können nur PDF-"),
        (b"%PDF-1.7\n", "bad\x00name.pdf", "The file name cannot be used", "Dieser Dateiname"),
    ],
)
def test_upload_refusals_have_customer_texts(
    german: gettext.GNUTranslations, data: bytes, name: str, english: str, german_text: str
) -> None:
    """A refused upload gets a customer sentence chosen by the error's reason, per locale."""
    with pytest.raises(InvalidDocument) as refused:
        validate_upload(data, name)
    assert CustomerTexts().invalid_document(refused.value).startswith(english)
    assert (
        CustomerTexts(german, strict=True).invalid_document(refused.value).startswith(german_text)
    )


def test_a_lock_reason_tnorder_did_not_write_is_shown_as_given(
    german: gettext.GNUTranslations,
) -> None:
    """An ActiveNumber built by the host with its own reason keeps that reason."""
    pending = _pending_number()
    own = attrs.evolve(pending, locked_reason="waiting for the site survey")
    assert "waiting for the site survey" == CustomerTexts(german).locked_reason(own)
    assert None is CustomerTexts(german).locked_reason(attrs.evolve(pending, locked_reason=None))


def _duplicate_refusals() -> list[DuplicateNumber]:
    """The three ways an order is refused for its number, raised by the domain itself."""
    with pytest.raises(DuplicateNumber) as repeated:
        Order.place(
            "O-4",
            "acct-1",
            [
                NewItem(OrderKind.NEW_NUMBER, number=NUMBER),
                NewItem(OrderKind.PORT_IN, number=NUMBER),
            ],
            actor=Actor(Role.SYSTEM, "s"),
            at=T0,
        )
    claim = NumberClaim(number=NUMBER, order_id="O-1", account_id="acct-1", item_id="i-1")
    return [repeated.value, refuse_claimed(claim, "acct-1"), refuse_claimed(claim, "acct-2")]


def test_duplicate_number_refusals_have_customer_texts(german: gettext.GNUTranslations) -> None:
    """A refused number gets the customer sentence for its case, in English and German;
    another account's order is never named."""
    refusals = _duplicate_refusals()
    assert [("repeated", "O-4"), ("open_order", "O-1"), ("open_order", None)] == [
        (e.reason, e.order_id) for e in refusals
    ]
    assert [
        "The number +14045550100 appears more than once in this order.",
        "The number +14045550100 is already in your open order O-1.",
        "The number +14045550100 already has an open order, so it cannot be ordered again "
        "until that order is finished.",
    ] == [CustomerTexts().duplicate_number(e) for e in refusals]
    assert [
        "Die Nummer +14045550100 kommt in dieser Bestellung mehrfach vor.",
        "Die Nummer +14045550100 ist bereits in Ihrer offenen Bestellung O-1 enthalten.",
        "Für die Nummer +14045550100 gibt es bereits eine offene Bestellung. Sie kann erst "
        "wieder bestellt werden, wenn diese abgeschlossen ist.",
    ] == [CustomerTexts(german, strict=True).duplicate_number(e) for e in refusals]


def test_number_types_have_customer_labels(german: gettext.GNUTranslations) -> None:
    """Each number type has a customer-facing label from the catalogue, replaced per locale."""
    assert ["Local", "National", "Mobile", "Toll-Free", "TrueLocal"] == [
        t.label for t in NumberType
    ]
    assert "Gebührenfreie Nummer" == CustomerTexts(german, strict=True).label(NumberType.TOLL_FREE)


def _port_corrections(note: str | None) -> tuple[str, PortDetailsCorrected]:
    """A rejected port corrected by the customer: the history note and the event."""
    order = Order.place(
        "O-5", "acct-1", [NewItem(OrderKind.PORT_IN, number=NUMBER)], actor=SYSTEM, at=T0
    )
    item_id = order.items[0].item_id
    order.fire(item_id, Trigger.SUBMIT_TO_CARRIER, actor=SYSTEM, at=T0)
    order.fire(item_id, Trigger.REJECT, actor=SYSTEM, at=T0)
    details = PortDetails("Jane Doe", pin="8642", losing_account_number="ACC-1")
    correct_port_details(order, item_id, details, actor=Actor(Role.CUSTOMER, "c"), at=T0, note=note)
    (event,) = [e for e in order.pull_events() if isinstance(e, PortDetailsCorrected)]
    return str(order.items[0].history[-1].note), event


def test_port_correction_notes_have_customer_texts(german: gettext.GNUTranslations) -> None:
    """The note tnorder writes for a port correction is the catalogue's English, and the
    event renders it per locale; a customer's own note is shown as written."""
    stored, event = _port_corrections(None)
    assert stored == CustomerTexts().port_details_corrected(event)
    assert (
        "Portierungsangaben korrigiert: zeichnungsberechtigte Person, Anschlussinhaber, "
        "Rechnungsnummer, Kundennummer beim abgebenden Anbieter, PIN, Wunschtermin, "
        "weitere Angaben."
    ) == CustomerTexts(german, strict=True).port_details_corrected(event)
    own, own_event = _port_corrections("new account number attached")
    assert ("new account number attached",) * 2 == (
        own,
        CustomerTexts(german).port_details_corrected(own_event),
    )
