"""``TelnyxCarrier``: the ``Carrier`` port on Telnyx's API v2 (JSON).

Endpoints used (below ``{base_url}``, Telnyx's published v2 API):

===============================================  ===========================================
``GET available_phone_numbers``                  search (``_wire.search_params``)
``POST number_reservations``, ``GET .../{id}``   hold one number per request; read a hold back
``GET number_reservations``                      a hold with a lost answer, by reference
``GET|POST number_orders``, ``GET .../{id}``     new numbers; found again by ``customer_reference``
``POST phone_numbers/jobs/delete_phone_numbers``  disconnects, as a background job with
``GET phone_numbers/jobs[/{id}]``                per-number results
``POST documents``                               LOA and invoice for port-ins
``GET|POST porting_orders``, ``PATCH|DELETE      port-ins: create (draft), fill in, confirm;
.../{id}``, ``POST .../{id}/actions/confirm``    found again by ``customer_reference``
===============================================  ===========================================

Fulfilment is request-and-wait: number orders, delete jobs and porting
orders answer pending and finish later (``status`` polling or webhooks via
:meth:`TelnyxCarrier.webhook_update`).

Idempotency key: tnorder's request id is sent as Telnyx's
``customer_reference``.  Before creating a number order or a porting order
the adapter looks one up by that reference, and after a failure that may have
reached Telnyx (read timeout, dropped connection, 5xx on a POST) it looks
again before sending anything twice.  Delete jobs carry no reference, so a
repeated disconnect is matched by its set of numbers among the recent jobs.

Holds: Telnyx keeps a reservation for 30 minutes and publishes no way to end
it early (its reservation resource has create, read, list and extend, no
delete).  ``release`` therefore cannot hand a number back before
``expires_at``; it marks the hold released in the hold book (no request), and
a later ``reserve`` of the same number by any adapter sharing that book takes
the still-live hold back after reading it from Telnyx.  The book is in-process
by default; processes of one host share one with :class:`SqliteHoldBook`.
To the service this is the Bandwidth behaviour: release is idempotent and
never fails on unknown ids, released numbers can be held again, a held number
is never held twice, and an order consumes its holds.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Mapping, Sequence, Set
from datetime import datetime
from typing import Any

import httpx

from ...domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    PortDetails,
    Reservation,
)
from ...domain.lookup import LookupCriteria, LookupKind, wildcard_matches
from ...domain.statuses import OrderKind
from ...errors import (
    CapabilityNotSupported,
    CarrierError,
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    UnknownCarrierStatus,
)
from ...ports import Carrier, DocumentStorage
from ._config import TelnyxConfig
from ._holds import BookedHold, HoldBook, MemoryHoldBook
from ._http import ErrorDetails, TelnyxHttp
from ._vocabulary import RESERVATION_WORDS, TELNYX
from ._webhooks import MemoryReplayGuard, ReplayGuard, event_of, verify_webhook
from ._wire import (
    LOOKUP_KINDS,
    Json,
    available_numbers,
    disconnect_update,
    document_body,
    job_numbers,
    number_order_body,
    order_update,
    port_patch_body,
    port_update,
    record,
    records,
    search_params,
    when,
)

__all__ = ["CAPABILITIES", "HOLD_TIME_TEXT", "WEBHOOK_EVENTS", "TelnyxCarrier"]

HOLD_TIME_TEXT = "30 min; released in a shared hold book (Telnyx has no early release)"
"""What Telnyx documents about number reservations, for the capability table."""

WEBHOOK_EVENTS: Mapping[str, OrderKind] = {
    "number_order.complete": OrderKind.NEW_NUMBER,
    "porting_order.status_changed": OrderKind.PORT_IN,
}
"""Webhook event types read as carrier updates; every other event type is ignored."""


def capabilities(max_quantity: int = 100) -> CarrierCapabilities:
    """What the adapter declares (``max_quantity`` from :class:`TelnyxConfig`)."""
    return CarrierCapabilities(
        fulfilment=Fulfilment.REQUEST_AND_WAIT,
        vocabulary=TELNYX,
        supports_disconnect=True,
        supports_port_in=True,
        lookup_kinds=LOOKUP_KINDS,
        max_quantity=max_quantity,
    )


CAPABILITIES = capabilities()
"""The capabilities with the default ``max_quantity`` (docs and comparisons)."""

_CLOSED_JOBS = frozenset({"FAILED", "EXPIRED"})


def _segment(value: str) -> str:
    # Ids go into URL paths; refuse anything that could change the path.
    if not value or any(ch in value for ch in "/?#%\\") or value in (".", ".."):
        raise CarrierRejected(f"not a Telnyx id: {value!r}", code="id")
    return value


class TelnyxCarrier:
    """Telnyx as a tnorder carrier, over real HTTP (httpx) and JSON.

    Args:
        config: API key, base URL, timeouts, retries, webhook public key.
        transport: an httpx transport instead of the network (tests, proxies).
        sleep: how to wait between retries.
        documents: where port-in documents are read from: ``PortDetails.extra``
            ``"loa_document"`` and ``"invoice_document"`` name storage keys.
        replays: where accepted webhook deliveries are remembered
            (default: in this process).
        holds: where holds and their releases are kept (default: in this
            process); processes sharing one account share one book
            (:class:`SqliteHoldBook`), so a release made in one is seen by all.

    The account handed to each call must be the configured one
    (``CarrierAccount.account_id == config.account_id``).
    """

    def __init__(
        self,
        config: TelnyxConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        documents: DocumentStorage | None = None,
        replays: ReplayGuard | None = None,
        holds: HoldBook | None = None,
    ) -> None:
        self._config = config
        self._http = TelnyxHttp(config, transport=transport, sleep=sleep)
        self._sleep = sleep
        self._documents = documents
        self._replays = replays if replays is not None else MemoryReplayGuard()
        self._capabilities = capabilities(config.max_quantity)
        self._holds: HoldBook = holds if holds is not None else MemoryHoldBook()

    def __repr__(self) -> str:
        return f"TelnyxCarrier({self._config!r})"

    @property
    def carrier_id(self) -> str:
        return self._config.carrier_id

    @property
    def config(self) -> TelnyxConfig:
        return self._config

    def account(self, name: str = "") -> CarrierAccount:
        """The configured account as a :class:`CarrierAccount` (for configuration)."""
        return CarrierAccount(self._config.account_id, self.carrier_id, name)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> TelnyxCarrier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the Carrier port -----------------------------------------------------

    @property
    def capabilities(self) -> CarrierCapabilities:
        return self._capabilities

    def search(
        self, account: CarrierAccount, criteria: LookupCriteria, *, now: datetime
    ) -> list[AvailableNumber]:
        """``GET available_phone_numbers``; exact, reservable, not-held numbers only.

        Numbers whose hold was released (see the hold book) are offered again:
        when too few were found, a second query that includes held numbers
        adds the released ones among its matches.

        Raises:
            CapabilityNotSupported: ZIP and LATA lookups (Telnyx has no such filter).
            InvalidLookup: the quantity is above ``max_quantity`` (before sending).
        """
        self._check_account(account)
        # search_params refuses ZIP and LATA with the reason; check_lookup the quantity.
        queries = search_params(criteria, carrier_id=self.carrier_id)
        self._capabilities.check_lookup(criteria, carrier_id=self.carrier_id)
        found: dict[str, AvailableNumber] = {}
        for params in queries:
            self._gather(params, "search available numbers", criteria, found)
            if len(found) >= criteria.quantity:
                break
        if len(found) < criteria.quantity:
            self._offer_released(criteria, queries, found, now)
        return list(found.values())[: criteria.quantity]

    def _offer_released(
        self,
        criteria: LookupCriteria,
        queries: Sequence[Mapping[str, str]],
        found: dict[str, AvailableNumber],
        now: datetime,
    ) -> None:
        # Telnyx cannot end a hold early, and the main search leaves out numbers
        # held for the account, released ones included.  Ask again with held
        # numbers in, and offer only those the hold book says were released, as
        # Bandwidth offers a released number again.
        released = self._holds.released_numbers(now=now) - found.keys()
        if not released:
            return
        limit = min(
            criteria.quantity + len(released), max(criteria.quantity, self._config.max_quantity)
        )
        for params in queries:
            # A number held for the account may not count as reservable to
            # Telnyx; the released set, not that filter, decides what is offered.
            query = {k: v for k, v in params.items() if k != "filter[reservable]"}
            query.update({"filter[exclude_held_numbers]": "false", "filter[limit]": str(limit)})
            # Only released numbers: the others are held for another order, or
            # not held at all (found already).
            self._gather(query, "search released numbers", criteria, found, only=released)
            if len(found) >= criteria.quantity:
                return

    def _gather(
        self,
        params: Mapping[str, str],
        what: str,
        criteria: LookupCriteria,
        found: dict[str, AvailableNumber],
        *,
        only: Set[str] | None = None,
    ) -> None:
        """Add to ``found`` the offers of one search (those in ``only``, if given) that
        match ``criteria``; an offer found before keeps its first answer."""
        _, reply = self._http.request("GET", "available_phone_numbers", params=params, what=what)
        for offer in available_numbers(reply, carrier_id=self.carrier_id):
            if only is not None and offer.number not in only:
                continue
            if criteria.kind is LookupKind.TOLL_FREE_WILDCARD and not wildcard_matches(
                criteria.value, offer.number
            ):
                continue
            found.setdefault(offer.number, offer)

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        """One ``number_reservations`` request per number; numbers Telnyx will not hold
        are left out.  A number this adapter released but Telnyx still holds for us is
        taken back.  On any other failure the holds made so far are released.
        """
        self._check_account(account)
        held: list[Reservation] = []
        try:
            for number in numbers:
                hold = self._reserve_one(number, now)
                if hold is not None:
                    held.append(hold)
        except BaseException:
            self.release(account, [r.reservation_id for r in held])
            raise
        return held

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        """Mark holds released in the hold book (Telnyx has no early release; they
        lapse at ``expires_at`` unless a ``reserve`` sharing the book takes them back).

        Idempotent; unknown and expired ids are fine.  Sends nothing.
        """
        self._check_account(account)
        self._holds.release(list(reservation_ids))

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        """Create (or find again) the order for ``submission``; its first status."""
        self._check_account(account)
        self._capabilities.require(submission.kind, carrier_id=self.carrier_id)
        if submission.kind is OrderKind.NEW_NUMBER:
            return self._submit_numbers(submission, now)
        if submission.kind is OrderKind.DISCONNECT:
            return self._submit_disconnect(submission, now)
        return self._submit_port(submission, now)

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        """The order, delete job or porting order, read back as an update."""
        self._check_account(account)
        segment = _segment(ref.carrier_ref)
        if ref.kind is OrderKind.NEW_NUMBER:
            _, reply = self._http.request(
                "GET", f"number_orders/{segment}", what="read number order"
            )
            update = order_update(
                record(reply, "read number order", self.carrier_id),
                carrier_id=self.carrier_id,
                now=now,
            )
        elif ref.kind is OrderKind.DISCONNECT:
            _, reply = self._http.request(
                "GET", f"phone_numbers/jobs/{segment}", what="read delete job"
            )
            update = disconnect_update(
                record(reply, "read delete job", self.carrier_id),
                carrier_id=self.carrier_id,
                now=now,
            )
        else:
            update = port_update(self._read_port(segment), carrier_id=self.carrier_id, now=now)
        return self._known(update)

    # -- webhooks -------------------------------------------------------------

    def webhook_update(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> CarrierUpdate | None:
        """Verify a Telnyx webhook and read it into a carrier update.

        The signature, timestamp and replay checks come first (see
        ``_webhooks``).  ``number_order.complete`` is read from its payload;
        ``porting_order.status_changed`` carries no FOC date, so the porting
        order is read back.  Other event types give ``None``: answer them 200.

        Raises:
            CallbackNotVerified: unsigned, badly signed, stale, future-dated or replayed.
            CarrierProtocolError: not the documented envelope.
            UnknownCarrierStatus: a status the vocabulary does not know.
        """
        verify_webhook(
            headers,
            body,
            public_key=self._config.public_key,
            now=now,
            tolerance=self._config.webhook_tolerance,
            replays=self._replays,
        )
        event_type, data, payload = event_of(body, carrier_id=self.carrier_id)
        kind = WEBHOOK_EVENTS.get(event_type)
        if kind is None:
            return None
        if kind is OrderKind.PORT_IN:
            ref = payload.get("id")
            if not isinstance(ref, str):
                raise CarrierProtocolError(
                    "porting_order.status_changed without the porting order id",
                    carrier_id=self.carrier_id,
                )
            return self.status(self.account(), CarrierOrderRef(kind, ref), now=now)
        occurred = when(data.get("occurred_at"), what="webhook", carrier_id=self.carrier_id)
        if "updated_at" not in payload and occurred is not None:
            payload = {**payload, "updated_at": data.get("occurred_at")}
        if "id" not in payload:
            raise CarrierProtocolError(
                "number_order.complete without the number order id", carrier_id=self.carrier_id
            )
        return self._known(order_update(payload, carrier_id=self.carrier_id, now=now))

    # -- internals: holds -----------------------------------------------------

    def _reserve_one(self, number: str, now: datetime) -> Reservation | None:
        known = self._holds.holds_of(number, now=now)
        if any(not hold.released for hold in known):
            return None  # held already by an earlier call: never hand a hold out twice
        for hold in known:
            again = self._still_held(hold, now)
            if again is not None:
                return again
        # A reference of our own for this one attempt: if Telnyx made the hold but
        # its answer was lost, the retry is refused (the number is held now) and
        # the hold is found again by this reference instead of lingering unseen.
        reference = f"tnorder-hold-{uuid.uuid4().hex}"
        try:
            _, reply = self._http.request(
                "POST",
                "number_reservations",
                body={"phone_numbers": [{"phone_number": number}], "customer_reference": reference},
                # Reserving the same number twice cannot hold it twice.
                replay_safe=True,
                what="reserve number",
            )
        except CarrierRejected:
            # Not available (taken, held, not reservable): left out, unless held by us.
            return self._hold_by_reference(number, reference, now)
        held = self._book_hold(record(reply, "reserve number", self.carrier_id), number, now)
        return held if held is not None else self._hold_by_reference(number, reference, now)

    def _book_hold(self, data: Json, number: str, now: datetime) -> Reservation | None:
        """The live hold of ``number`` in a reservation, recorded in the hold book."""
        group = data.get("id")
        for entry in data.get("phone_numbers") or []:
            if not isinstance(entry, dict) or entry.get("phone_number") != number:
                continue
            word = str(entry.get("status", "")).strip().upper()
            if word not in RESERVATION_WORDS:
                raise UnknownCarrierStatus(
                    word, vocabulary="telnyx/reserved_phone_number", carrier_id=self.carrier_id
                )
            if not RESERVATION_WORDS[word]:
                return None
            expires = when(
                entry.get("expired_at"), what="reserve number", carrier_id=self.carrier_id
            )
            reservation_id = entry.get("id")
            if expires is None or not isinstance(reservation_id, str) or not isinstance(group, str):
                raise CarrierProtocolError(
                    "Telnyx held a number without ids or expiry", carrier_id=self.carrier_id
                )
            if expires <= now:
                return None
            self._holds.add(BookedHold(reservation_id, group, number, expires))
            return Reservation(number, reservation_id, expires)
        return None

    def _hold_by_reference(self, number: str, reference: str, now: datetime) -> Reservation | None:
        try:
            _, reply = self._http.request(
                "GET",
                "number_reservations",
                params={
                    "filter[customer_reference]": reference,
                    "filter[phone_numbers.phone_number]": number,
                },
                what="find reservation by customer reference",
            )
        except CarrierError:
            return None  # the number is left out, as for any refusal
        for data in records(reply, "find reservation", self.carrier_id):
            if data.get("customer_reference") == reference:
                held = self._book_hold(data, number, now)
                if held is not None:
                    return held
        return None

    def _still_held(self, hold: BookedHold, now: datetime) -> Reservation | None:
        reservation_id = hold.reservation_id
        _, reply = self._http.request(
            "GET",
            f"number_reservations/{_segment(hold.group)}",
            what="read reservation",
            ok=(200, 404),
        )
        data = reply.get("data")
        entries = data.get("phone_numbers") if isinstance(data, dict) else None
        for entry in entries or []:
            if not isinstance(entry, dict) or entry.get("id") != reservation_id:
                continue
            word = str(entry.get("status", "")).strip().upper()
            expires = when(
                entry.get("expired_at"), what="read reservation", carrier_id=self.carrier_id
            )
            if RESERVATION_WORDS.get(word) and expires is not None and expires > now:
                # Only one of the adapters sharing the book gets a released hold back.
                if self._holds.take_back(reservation_id, expires_at=expires):
                    return Reservation(hold.number, reservation_id, expires)
                return None
        self._holds.drop([reservation_id])
        return None

    def _consume(self, reservation_ids: Sequence[str]) -> None:
        self._holds.drop(list(reservation_ids))

    # -- internals: submissions ------------------------------------------------

    def _submit_numbers(self, submission: CarrierSubmission, now: datetime) -> CarrierUpdate:
        key = submission.request_id

        def find() -> Json | None:
            _, reply = self._http.request(
                "GET",
                "number_orders",
                params={"filter[customer_reference]": key, "page[size]": "20"},
                what="find number order by customer reference",
            )
            for row in records(reply, "find number order", self.carrier_id):
                if row.get("customer_reference") == key:
                    return row
            return None

        body = number_order_body(
            submission.numbers,
            customer_reference=key,
            extra={
                "connection_id": self._config.connection_id,
                "messaging_profile_id": self._config.messaging_profile_id,
                "billing_group_id": self._config.billing_group_id,
            },
        )
        data = self._create_once(
            find,
            lambda: self._http.request(
                "POST", "number_orders", body=body, what="create number order"
            ),
            "create number order",
        )
        self._consume(submission.reservation_ids)
        return self._known(order_update(data, carrier_id=self.carrier_id, now=now))

    def _submit_disconnect(self, submission: CarrierSubmission, now: datetime) -> CarrierUpdate:
        wanted = set(submission.numbers)
        since = now - self._config.lookup_window

        def find() -> Json | None:
            _, reply = self._http.request(
                "GET",
                "phone_numbers/jobs",
                params={"filter[type]": "delete_phone_numbers", "page[size]": "50"},
                what="find delete job",
            )
            for row in records(reply, "find delete job", self.carrier_id):
                created = when(
                    row.get("created_at"), what="find delete job", carrier_id=self.carrier_id
                )
                word = str(row.get("status", "")).strip().upper()
                if (
                    job_numbers(row) == wanted
                    and word not in _CLOSED_JOBS
                    and (created is None or created >= since)
                ):
                    return row
            return None

        data = self._create_once(
            find,
            lambda: self._http.request(
                "POST",
                "phone_numbers/jobs/delete_phone_numbers",
                body={"phone_numbers": list(submission.numbers)},
                what="create delete job",
            ),
            "create delete job",
        )
        return self._known(disconnect_update(data, carrier_id=self.carrier_id, now=now))

    def _submit_port(self, submission: CarrierSubmission, now: datetime) -> CarrierUpdate:
        port = submission.port
        if port is None:  # CarrierSubmission guarantees it; keeps the type checker honest
            raise CarrierRejected(
                "a port-in needs port details", code="port", carrier_id=self.carrier_id
            )
        key = submission.request_id
        files = self._port_files(port)
        if submission.supplements is not None:
            order = self._read_port(_segment(submission.supplements))
        else:

            def find() -> Json | None:
                _, reply = self._http.request(
                    "GET",
                    "porting_orders",
                    params={"filter[customer_reference]": key, "page[size]": "20"},
                    what="find porting order by customer reference",
                )
                for row in records(reply, "find porting order", self.carrier_id):
                    if row.get("customer_reference") == key:
                        return row
                return None

            order = self._create_once(
                find, lambda: self._create_port(submission, key), "create porting order"
            )
        ref = _segment(str(order.get("id")))
        if _port_word(order) not in ("DRAFT", "EXCEPTION"):
            return self._known(port_update(order, carrier_id=self.carrier_id, now=now))
        documents = {
            kind: self._upload(data, filename=name, key=key) for kind, (data, name) in files.items()
        }
        self._http.request(
            "PATCH",
            f"porting_orders/{ref}",
            body=port_patch_body(port, customer_reference=key, documents=documents),
            what="fill in porting order",
        )
        reason = None
        if _port_word(order) == "DRAFT":
            try:
                self._http.request(
                    "POST",
                    f"porting_orders/{ref}/actions/confirm",
                    # Confirming twice is refused, never applied twice.
                    replay_safe=True,
                    what="confirm porting order",
                )
            except CarrierRejected as exc:
                # Telnyx refuses to confirm an order that lacks documents or
                # details: the order stays a draft, which asks the customer.
                reason = str(exc)
        return self._known(
            port_update(self._read_port(ref), carrier_id=self.carrier_id, now=now, reason=reason)
        )

    def _create_port(self, submission: CarrierSubmission, key: str) -> tuple[int, Json]:
        status, reply = self._http.request(
            "POST",
            "porting_orders",
            body={"phone_numbers": list(submission.numbers), "customer_reference": key},
            what="create porting order",
        )
        drafts = records(reply, "create porting order", self.carrier_id)
        if len(drafts) != 1:
            # Telnyx splits numbers of different losing carriers into several
            # orders; one tnorder request is one carrier order, so undo and refuse.
            for draft in drafts:
                with contextlib.suppress(CarrierError):
                    self._http.request(
                        "DELETE",
                        f"porting_orders/{_segment(str(draft.get('id')))}",
                        what="delete split porting order",
                        ok=(200, 204, 404),
                    )
            raise CarrierRejected(
                f"Telnyx split the port of {len(submission.numbers)} numbers into "
                f"{len(drafts)} porting orders (different losing carriers); submit them "
                "separately",
                code="port_split",
                carrier_id=self.carrier_id,
            )
        return status, {"data": drafts[0]}

    def _create_once(
        self,
        find: Callable[[], Json | None],
        create: Callable[[], tuple[int, Mapping[str, Any]]],
        what: str,
    ) -> Json:
        """Find the resource by its reference, or create it exactly once.

        A create that failed after it may have reached Telnyx is looked up
        again before it is sent again, at most ``retry.attempts`` times.
        """
        policy = self._config.retry
        attempt = 0
        while True:
            attempt += 1
            existing = find()
            if existing is not None:
                return existing
            try:
                _, reply = create()
            except CarrierUnavailable as exc:
                details = exc.details if isinstance(exc.details, ErrorDetails) else None
                if details is None or not details.maybe_applied or attempt >= policy.attempts:
                    raise
                self._sleep(policy.delay(attempt))
                continue
            return record(reply, what, self.carrier_id)

    def _read_port(self, segment: str) -> Json:
        _, reply = self._http.request("GET", f"porting_orders/{segment}", what="read porting order")
        return record(reply, "read porting order", self.carrier_id)

    def _port_files(self, port: PortDetails) -> dict[str, tuple[bytes, str]]:
        wanted = {
            kind: port.extra[f"{kind}_document"]
            for kind in ("loa", "invoice")
            if port.extra.get(f"{kind}_document")
        }
        if not wanted:
            return {}
        if self._documents is None:
            raise CapabilityNotSupported(
                "this TelnyxCarrier was built without document storage, so it cannot upload "
                "the documents named in the port details",
                carrier_id=self.carrier_id,
                capability="port_documents",
            )
        return {
            kind: (self._documents.get(storage_key), f"{kind}.pdf")
            for kind, storage_key in wanted.items()
        }

    def _upload(self, data: bytes, *, filename: str, key: str) -> str:
        if not data:
            raise CarrierRejected(
                f"the {filename} document is empty",
                code="document_empty",
                carrier_id=self.carrier_id,
            )
        _, reply = self._http.request(
            "POST",
            "documents",
            body=document_body(data, filename=filename, customer_reference=key),
            # A second upload only stores a second copy.
            replay_safe=True,
            what="upload port document",
        )
        document_id = record(reply, "upload port document", self.carrier_id).get("id")
        if not isinstance(document_id, str) or not document_id:
            raise CarrierProtocolError(
                "Telnyx stored a document without an id", carrier_id=self.carrier_id
            )
        return document_id

    # -- internals: checks ----------------------------------------------------

    def _known(self, update: CarrierUpdate) -> CarrierUpdate:
        # Refuse a word the vocabulary does not know here, before anything is applied.
        self._capabilities.vocabulary.map(update.kind, update.status, carrier_id=self.carrier_id)
        return update

    def _check_account(self, account: CarrierAccount) -> None:
        if account.carrier_id != self.carrier_id or account.account_id != self._config.account_id:
            raise CarrierRejected(
                f"account {account.account_id!r} of carrier {account.carrier_id!r} is not the "
                f"configured Telnyx account {self._config.account_id!r}",
                code="account",
                carrier_id=self.carrier_id,
            )


def _port_word(order: Json) -> str:
    status = order.get("status")
    value = status.get("value") if isinstance(status, dict) else None
    return str(value or "").strip().upper()


def _is_a_carrier(adapter: TelnyxCarrier) -> Carrier:
    # mypy --strict checks here that TelnyxCarrier satisfies the Carrier port.
    return adapter
