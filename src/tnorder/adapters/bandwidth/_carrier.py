"""``BandwidthCarrier``: the ``Carrier`` port on Bandwidth's Numbers (dashboard) API v1.

Endpoints used (all below ``{base_url}/accounts/{accountId}/``):

=========================  ==========================================================
``availableNumbers``       search, every lookup criterion (``_wire.search_params``)
``tnreservation``          reserve (POST, one number each), read (GET), release (DELETE)
``orders``                 new numbers: ``ExistingTelephoneNumberOrderType`` (chosen
                           numbers and their reservations) or a ``*SearchAndOrderType``
                           (:meth:`BandwidthCarrier.order_by_criteria`); list by
                           ``customerOrderId``; read
``disconnects``            disconnect orders: create, list, read
``portins``                port-ins: create, supplement (PUT), list by
                           ``customerOrderId``, read; ``portins/{id}/loas`` uploads the LOA
=========================  ==========================================================

Bandwidth fulfils asynchronously (request-and-wait): ``submit`` answers with
the order's first status and its id; progress comes from ``status`` (polling)
or from subscription callbacks (:meth:`BandwidthCarrier.callback_update`).

Idempotency: tnorder's request id becomes the ``CustomerOrderId``.  Before
creating an order, port-in or disconnect the adapter looks for one with that
id, and after a failure that may have reached Bandwidth (read timeout, dropped
connection, 5xx on a POST) it looks again before sending anything twice.

Update keys: Bandwidth's callbacks carry no timestamp, so every update is
stamped with tnorder's ``now`` (the moment it was observed) and, as its
sequence, the status's place in the order's life (RECEIVED 1 ... COMPLETE 4),
so two observations at the same instant are ordered; the domain never moves
an item backwards, so a late duplicate changes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import httpx

from ...domain.carrier import (
    AvailableNumber,
    CarrierAccount,
    CarrierCapabilities,
    CarrierOrderRef,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    NumberOutcome,
    NumberResult,
    PortDetails,
    Reservation,
)
from ...domain.carrier_status import BANDWIDTH
from ...domain.lookup import LookupCriteria, LookupKind, wildcard_matches
from ...domain.statuses import OrderKind
from ...errors import (
    CapabilityNotSupported,
    CarrierError,
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    ValidationError,
)
from ...ports import Carrier, DocumentStorage
from ._callbacks import verify_callback
from ._config import BandwidthConfig
from ._http import BandwidthHttp, Reply
from ._responses import (
    Disconnect,
    Notification,
    NumberOrder,
    PortIn,
    read_disconnect,
    read_loa_upload,
    read_notification,
    read_order,
    read_order_list,
    read_portin,
    read_reservation,
    read_search,
)
from ._wire import (
    customer_order_id,
    disconnect_body,
    existing_numbers_element,
    from_bandwidth_number,
    order_body,
    order_name,
    portin_body,
    reservation_body,
    search_and_order_element,
    search_params,
)
from ._xml import BandwidthFault, ErrorDetails, XmlChild, child, parse, text

__all__ = ["LOA_CONTENT_TYPES", "BandwidthCarrier", "callback_update"]

LOA_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "image/jpeg",
        "image/tiff",
        "text/csv",
        "application/xml",
        "audio/x-wav",
        "application/zip",
    }
)
"""The LOA file types Bandwidth accepts on ``portins/{id}/loas``."""

DEFAULT_RESERVATION_TIME = timedelta(hours=4)
"""Bandwidth's documented hold time, used when a reservation does not say."""

_ORDER_TYPES: Mapping[str, OrderKind] = {  # subscription order types, lower-case
    "orders": OrderKind.NEW_NUMBER,
    "disconnects": OrderKind.DISCONNECT,
    "portins": OrderKind.PORT_IN,
}
_ENDPOINTS: Mapping[OrderKind, str] = {
    OrderKind.NEW_NUMBER: "orders",
    OrderKind.DISCONNECT: "disconnects",
    OrderKind.PORT_IN: "portins",
}
_TOLL_FREE_KINDS = frozenset({LookupKind.TOLL_FREE_WILDCARD, LookupKind.TOLL_FREE_VANITY})
_PER_NUMBER_STATUSES = frozenset({"COMPLETE", "PARTIAL", "FAILED"})


# Where each status stands in its order's life: the update's sequence.  Every
# update is stamped with the time it was observed (callbacks carry no carrier
# time), so two observations at the same instant are ordered by lifecycle.
_LIFECYCLE: Mapping[OrderKind, Mapping[str, int]] = {
    OrderKind.NEW_NUMBER: {
        "RECEIVED": 1,
        "PROCESSING": 2,
        "BACKORDERED": 3,
        "COMPLETE": 4,
        "PARTIAL": 4,
        "FAILED": 4,
    },
    OrderKind.DISCONNECT: {
        "RECEIVED": 1,
        "PROCESSING": 2,
        "COMPLETE": 4,
        "PARTIAL": 4,
        "FAILED": 4,
    },
    OrderKind.PORT_IN: {
        "PENDING_DOCUMENTS": 1,
        "SUBMITTED": 2,
        "REQUESTED_SUPP": 3,
        "EXCEPTION": 3,
        "FOC": 4,
        "COMPLETE": 5,
        "CANCELLED": 5,
    },
}


def _sequence(kind: OrderKind, status: str) -> int:
    return _LIFECYCLE[kind].get(status.strip().upper(), 0)


def _fault_text(faults: Sequence[BandwidthFault]) -> str | None:
    if not faults:
        return None
    return "; ".join(f"{f.code}: {f.description}" if f.code else f.description for f in faults)


class BandwidthCarrier:
    """Bandwidth as a tnorder carrier, over real HTTP (httpx) and safe XML (defusedxml).

    Args:
        config: account, credentials, site/peer, timeouts, retry policy and
            callback credentials.
        transport: an httpx transport instead of the network (tests, proxies).
        sleep: how to wait between retries.
        documents: where LOA files are read from when a port-in names one
            (``PortDetails.extra["loa_document"]`` = the document's storage key).
        partial_allowed: ``PartialAllowed`` on new-number orders: fulfil the
            numbers that are available even if some are not (tnorder tracks
            each number, so this is the default).
        lookup_limit: most disconnect orders read when looking one up by
            ``CustomerOrderId`` (Bandwidth cannot filter disconnects by it).

    The account handed to each call must be the configured one
    (``CarrierAccount.account_id == config.account_id``); its ``options`` may
    override ``site_id`` and ``peer_id`` per account.
    """

    def __init__(
        self,
        config: BandwidthConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        documents: DocumentStorage | None = None,
        partial_allowed: bool = True,
        lookup_limit: int = 100,
    ) -> None:
        self._config = config
        self._http = BandwidthHttp(config, transport=transport, sleep=sleep)
        self._sleep = sleep
        self._documents = documents
        self._partial_allowed = partial_allowed
        self._lookup_limit = lookup_limit
        self._capabilities = CarrierCapabilities(
            fulfilment=Fulfilment.REQUEST_AND_WAIT,
            vocabulary=BANDWIDTH,
            supports_disconnect=True,
            supports_port_in=True,
            lookup_kinds=frozenset(LookupKind),
            max_quantity=config.max_quantity,
        )

    def __repr__(self) -> str:
        return f"BandwidthCarrier({self._config!r})"

    @property
    def carrier_id(self) -> str:
        return self._config.carrier_id

    @property
    def config(self) -> BandwidthConfig:
        return self._config

    def account(self, name: str = "") -> CarrierAccount:
        """The configured account as a :class:`CarrierAccount` (for configuration)."""
        options = {"site_id": self._config.site_id}
        if self._config.peer_id is not None:
            options["peer_id"] = self._config.peer_id
        return CarrierAccount(self._config.account_id, self.carrier_id, name, options)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> BandwidthCarrier:
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
        """``GET availableNumbers``; details (rate center, city, state, LATA) for local numbers.

        Raises:
            InvalidLookup: the quantity is above Bandwidth's limit (checked
                before anything is sent).
            CarrierRejected: Bandwidth refused the criteria (4000-4026).
        """
        self._check_account(account)
        params = search_params(criteria, max_quantity=self._config.max_quantity)
        if criteria.kind not in _TOLL_FREE_KINDS:
            # enableTNDetail is documented for local searches only.
            params["enableTNDetail"] = "true"
        reply = self._http.request(
            "GET", "availableNumbers", params=params, what="search available numbers"
        )
        if not reply.body.strip():
            return []  # Bandwidth answers an empty body when nothing is available
        found = read_search(reply.body, carrier_id=self.carrier_id)
        if criteria.kind is LookupKind.TOLL_FREE_WILDCARD:
            # Bandwidth widens "8*8" to "8**"; keep what the user's pattern matches.
            found = tuple(n for n in found if wildcard_matches(criteria.value, n.number))
        unique: dict[str, AvailableNumber] = {}
        for entry in found:
            unique.setdefault(entry.number, entry)
        return list(unique.values())[: criteria.quantity]

    def reserve(
        self, account: CarrierAccount, numbers: Sequence[str], *, now: datetime
    ) -> list[Reservation]:
        """One ``tnreservation`` per number; numbers Bandwidth will not hold are left out.

        On any other failure the holds made so far are released before the
        error is raised.
        """
        self._check_account(account)
        held: list[Reservation] = []
        try:
            for number in numbers:
                body = self._checked(functools.partial(reservation_body, number))
                try:
                    reply = self._http.request(
                        "POST", "tnreservation", content=body, what="reserve number"
                    )
                except CarrierRejected:
                    continue  # not available (e.g. 5041): left out, as the port says
                reservation_id = reply.location_id() or self._reservation_id_in(reply)
                held.append(self._read_reservation(reservation_id, now))
        except BaseException:
            self._release_quietly([r.reservation_id for r in held])
            raise
        return held

    def release(self, account: CarrierAccount, reservation_ids: Sequence[str]) -> None:
        """``DELETE tnreservation/{id}`` for each; unknown or expired ids are fine.

        Every id is tried; the first failure (after retries) is raised at the end.
        """
        self._check_account(account)
        first: CarrierError | None = None
        for reservation_id in reservation_ids:
            try:
                self._http.request(
                    "DELETE",
                    f"tnreservation/{_segment(reservation_id)}",
                    what="release reservation",
                    ok=(200, 202, 204, 404, 410),
                )
            except CarrierError as exc:
                first = first or exc
        if first is not None:
            raise first

    def submit(
        self, account: CarrierAccount, submission: CarrierSubmission, *, now: datetime
    ) -> CarrierUpdate:
        """Create (or find again) the order for ``submission``; its first status."""
        self._check_account(account)
        self._capabilities.require(submission.kind, carrier_id=self.carrier_id)
        if submission.kind is OrderKind.NEW_NUMBER:
            return self._submit_numbers(account, submission, now)
        if submission.kind is OrderKind.DISCONNECT:
            return self._submit_disconnect(account, submission, now)
        return self._submit_portin(account, submission, now)

    def status(
        self, account: CarrierAccount, ref: CarrierOrderRef, *, now: datetime
    ) -> CarrierUpdate:
        """``GET orders|disconnects|portins/{id}`` as an update."""
        self._check_account(account)
        endpoint = _ENDPOINTS[ref.kind]
        reply = self._http.request(
            "GET", f"{endpoint}/{_segment(ref.carrier_ref)}", what=f"read {endpoint} order"
        )
        return self._update_from(ref.kind, reply.body, ref.carrier_ref, now)

    # -- Bandwidth extras -----------------------------------------------------

    def order_by_criteria(
        self,
        account: CarrierAccount,
        request_id: str,
        criteria: LookupCriteria,
        *,
        now: datetime,
    ) -> CarrierUpdate:
        """Search and order in one step with a ``*SearchAndOrderType`` order.

        The numbers are chosen by Bandwidth and reported when the order
        completes (``status`` / callback).  Idempotent on ``request_id`` like
        :meth:`submit`.

        Raises:
            InvalidLookup: quantity above the limit, or a toll-free wildcard
                Bandwidth cannot express exactly.
        """
        self._check_account(account)
        element = search_and_order_element(criteria, max_quantity=self._config.max_quantity)
        site_id, peer_id = self._site(account)
        body = order_body(
            name=order_name(self._config.order_name_prefix, request_id),
            customer_order_id=customer_order_id(request_id),
            site_id=site_id,
            peer_id=peer_id,
            partial_allowed=self._partial_allowed,
            order_type=element,
        )
        return self._create_order(request_id, body, now)

    def upload_loa(
        self,
        account: CarrierAccount,
        carrier_ref: str,
        data: bytes,
        *,
        content_type: str = "application/pdf",
    ) -> str:
        """Attach a letter of authorization to a port-in; Bandwidth's file name.

        Raises:
            CarrierRejected: an empty file or a type Bandwidth does not take
                (checked before sending), or Bandwidth refused it.
        """
        self._check_account(account)
        media = content_type.split(";")[0].strip().lower()
        if media not in LOA_CONTENT_TYPES:
            raise CarrierRejected(
                f"Bandwidth does not take LOA files of type {content_type!r}; one of "
                + ", ".join(sorted(LOA_CONTENT_TYPES)),
                code="loa_content_type",
                carrier_id=self.carrier_id,
            )
        if not data:
            raise CarrierRejected(
                "the LOA file is empty", code="loa_empty", carrier_id=self.carrier_id
            )
        reply = self._http.request(
            "POST",
            f"portins/{_segment(carrier_ref)}/loas",
            content=data,
            content_type=media,
            headers={"documentType": "LOA"},
            # Uploading the same LOA twice only stores a second copy.
            replay_safe=True,
            what="upload letter of authorization",
        )
        return read_loa_upload(reply.body, carrier_id=self.carrier_id).file_name

    def callback_update(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> CarrierUpdate | None:
        """Verify and read a subscription callback into a carrier update.

        The credentials are checked before the body is read.  A ``PARTIAL``
        notification does not say which numbers failed, and a port-in
        notification carries neither the FOC date nor the exception reason,
        so those orders are read back (``status``).  Notifications about
        orders tnorder does not place (``tnoptions``, events...) give ``None``:
        answer them 200 and ignore them.

        Raises:
            CallbackNotVerified: missing or wrong credentials.
            CarrierProtocolError: malformed or hostile XML.
            UnknownCarrierStatus: a status the mapping tables do not know.
        """
        verify_callback(headers, self._config.callback_credentials)
        update = callback_update(body, carrier_id=self.carrier_id, now=now)
        if update is None:
            return None
        self._capabilities.vocabulary.map(update.kind, update.status, carrier_id=self.carrier_id)
        if update.kind is OrderKind.PORT_IN or update.status.strip().upper() == "PARTIAL":
            return self.status(self.account(), update.ref, now=now)
        return update

    # -- internals: submissions ------------------------------------------------

    def _submit_numbers(
        self, account: CarrierAccount, submission: CarrierSubmission, now: datetime
    ) -> CarrierUpdate:
        site_id, peer_id = self._site(account)
        body = self._checked(
            lambda: order_body(
                name=order_name(self._config.order_name_prefix, submission.request_id),
                customer_order_id=customer_order_id(submission.request_id),
                site_id=site_id,
                peer_id=peer_id,
                partial_allowed=self._partial_allowed,
                order_type=existing_numbers_element(
                    list(submission.numbers), list(submission.reservation_ids)
                ),
            )
        )
        return self._create_order(submission.request_id, body, now)

    def _create_order(self, request_id: str, body: bytes, now: datetime) -> CarrierUpdate:
        key = customer_order_id(request_id)

        def find() -> str | None:
            reply = self._http.request(
                "GET",
                "orders",
                params={"customerOrderId": key, "page": "1", "size": "10"},
                what="find order by customer order id",
                ok=(200, 404),
            )
            return self._match(reply, key, OrderKind.NEW_NUMBER)

        order_id, reply = self._create_once(
            find, lambda: self._http.request("POST", "orders", content=body, what="create order")
        )
        if reply is None:
            return self.status(
                self.account(), CarrierOrderRef(OrderKind.NEW_NUMBER, order_id), now=now
            )
        return self._update_from(OrderKind.NEW_NUMBER, reply.body, order_id, now)

    def _submit_disconnect(
        self, account: CarrierAccount, submission: CarrierSubmission, now: datetime
    ) -> CarrierUpdate:
        key = customer_order_id(submission.request_id)
        body = self._checked(
            lambda: disconnect_body(
                name=order_name(self._config.order_name_prefix, submission.request_id),
                customer_order_id=key,
                numbers=list(submission.numbers),
            )
        )

        def find() -> str | None:
            # Bandwidth cannot filter disconnects by customer order id: read
            # the recent ones (bounded) and compare.
            reply = self._http.request(
                "GET",
                "disconnects",
                params={
                    "page": "1",
                    "size": str(self._lookup_limit),
                    "startdate": (now - timedelta(days=2)).date().isoformat(),
                    "enddate": (now + timedelta(days=1)).date().isoformat(),
                },
                what="find disconnect by customer order id",
                ok=(200, 404),
            )
            return self._match(reply, key, OrderKind.DISCONNECT)

        order_id, reply = self._create_once(
            find,
            lambda: self._http.request(
                "POST", "disconnects", content=body, what="create disconnect order"
            ),
        )
        if reply is None:
            return self.status(account, CarrierOrderRef(OrderKind.DISCONNECT, order_id), now=now)
        return self._update_from(OrderKind.DISCONNECT, reply.body, order_id, now)

    def _submit_portin(
        self, account: CarrierAccount, submission: CarrierSubmission, now: datetime
    ) -> CarrierUpdate:
        port = submission.port
        if port is None:  # CarrierSubmission guarantees it; keeps the type checker honest
            raise CarrierRejected(
                "a port-in needs port details", code="port", carrier_id=self.carrier_id
            )
        key = customer_order_id(submission.request_id)
        site_id, peer_id = self._site(account)
        loa = self._loa_for(port)

        def body(root: str) -> bytes:
            return self._checked(
                lambda: portin_body(
                    customer_order_id=key,
                    site_id=site_id,
                    peer_id=peer_id,
                    numbers=list(submission.numbers),
                    loa_authorizing_person=port.authorizing_person,
                    billing_telephone_number=port.billing_number,
                    requested_foc_date=port.requested_date,
                    subscriber=_subscriber(port),
                    wireless_info=_wireless_info(port),
                    root=root,
                )
            )

        if submission.supplements is not None:
            ref = submission.supplements
            self._http.request(
                "PUT",
                f"portins/{_segment(ref)}",
                content=body("LnpOrderSupp"),
                what="supplement port-in order",
            )
            if loa is not None:
                self.upload_loa(account, ref, loa[0], content_type=loa[1])
            # The PUT answers REQUESTED_SUPP whatever happens next; read the real state.
            return self.status(account, CarrierOrderRef(OrderKind.PORT_IN, ref), now=now)

        def find() -> str | None:
            reply = self._http.request(
                "GET",
                "portins",
                params={"customerOrderId": key, "page": "1", "size": "10"},
                what="find port-in by customer order id",
                ok=(200, 204, 404),
            )
            return self._match(reply, key, OrderKind.PORT_IN)

        create_body = body("LnpOrder")
        order_id, reply = self._create_once(
            find,
            lambda: self._http.request(
                "POST", "portins", content=create_body, what="create port-in order"
            ),
        )
        if loa is not None:
            self.upload_loa(account, order_id, loa[0], content_type=loa[1])
        if reply is None or loa is not None:
            return self.status(account, CarrierOrderRef(OrderKind.PORT_IN, order_id), now=now)
        return self._update_from(OrderKind.PORT_IN, reply.body, order_id, now)

    def _create_once(
        self, find: Callable[[], str | None], create: Callable[[], Reply]
    ) -> tuple[str, Reply | None]:
        """Find the order by customer order id, or create it exactly once.

        Returns the order id and the creation answer (``None`` when found).
        A create that failed after it may have reached Bandwidth is looked up
        again before it is sent again, at most ``retry.attempts`` times.
        """
        policy = self._config.retry
        attempt = 0
        while True:
            attempt += 1
            existing = find()
            if existing is not None:
                return existing, None
            try:
                reply = create()
            except CarrierUnavailable as exc:
                details = exc.details if isinstance(exc.details, ErrorDetails) else None
                if details is None or not details.maybe_applied or attempt >= policy.attempts:
                    raise
                self._sleep(policy.delay(attempt))
                continue
            order_id = reply.location_id() or self._id_in(reply)
            return order_id, reply

    # -- internals: reading answers ------------------------------------------

    def _update_from(
        self, kind: OrderKind, body: bytes, carrier_ref: str, now: datetime
    ) -> CarrierUpdate:
        if kind is OrderKind.NEW_NUMBER:
            update = _order_update(
                read_order(body, carrier_id=self.carrier_id), self.carrier_id, carrier_ref, now
            )
        elif kind is OrderKind.DISCONNECT:
            update = _disconnect_update(
                read_disconnect(body, carrier_id=self.carrier_id),
                self.carrier_id,
                carrier_ref,
                now,
            )
        else:
            update = _portin_update(
                read_portin(body, carrier_id=self.carrier_id), self.carrier_id, carrier_ref, now
            )
        # Refuse a status the tables do not know here, before anything is applied.
        self._capabilities.vocabulary.map(kind, update.status, carrier_id=self.carrier_id)
        return update

    def _match(self, reply: Reply, key: str, kind: OrderKind) -> str | None:
        """The order in a list answer whose CustomerOrderId is ``key``.

        A row that does not show its CustomerOrderId is read in full before
        it is trusted: never mistake another order for ours.
        """
        if reply.status in (204, 404) or not reply.body.strip():
            return None
        for row in read_order_list(reply.body, carrier_id=self.carrier_id)[: self._lookup_limit]:
            if row.customer_order_id is not None:
                if row.customer_order_id == key:
                    return row.order_id
                continue
            detail = self._http.request(
                "GET",
                f"{_ENDPOINTS[kind]}/{_segment(row.order_id)}",
                what=f"read {_ENDPOINTS[kind]} order",
            )
            if _customer_order_id_in(kind, detail.body, self.carrier_id) == key:
                return row.order_id
        return None

    def _id_in(self, reply: Reply) -> str:
        # The new order's id: the Location header, or the body (<id> / <OrderId>).
        for reader in (read_order, read_disconnect, read_portin):
            try:
                found = reader(reply.body, carrier_id=self.carrier_id).order_id
            except CarrierProtocolError:
                continue
            if found:
                return found
        raise CarrierProtocolError(
            "Bandwidth created an order but sent neither a Location header nor an order id",
            carrier_id=self.carrier_id,
        )

    def _reservation_id_in(self, reply: Reply) -> str:
        if reply.body.strip():
            return read_reservation(reply.body, carrier_id=self.carrier_id).reservation_id
        raise CarrierProtocolError(
            "Bandwidth made a reservation but sent no Location header", carrier_id=self.carrier_id
        )

    def _read_reservation(self, reservation_id: str, now: datetime) -> Reservation:
        reply = self._http.request(
            "GET", f"tnreservation/{_segment(reservation_id)}", what="read reservation"
        )
        found = read_reservation(reply.body, carrier_id=self.carrier_id)
        seconds = found.expires_in
        expires = now + (
            timedelta(seconds=seconds) if seconds is not None else DEFAULT_RESERVATION_TIME
        )
        return Reservation(found.number, found.reservation_id, expires)

    def _release_quietly(self, reservation_ids: list[str]) -> None:
        if not reservation_ids:
            return
        # Best effort while another error is on its way; Bandwidth's holds expire anyway.
        with contextlib.suppress(CarrierError):
            self.release(self.account(), reservation_ids)

    # -- internals: checks ----------------------------------------------------

    def _check_account(self, account: CarrierAccount) -> None:
        if account.carrier_id != self.carrier_id or account.account_id != self._config.account_id:
            raise CarrierRejected(
                f"account {account.account_id!r} of carrier {account.carrier_id!r} is not the "
                f"configured Bandwidth account {self._config.account_id!r}",
                code="account",
                carrier_id=self.carrier_id,
            )

    def _site(self, account: CarrierAccount) -> tuple[str, str | None]:
        site = account.options.get("site_id", self._config.site_id)
        peer = account.options.get("peer_id", self._config.peer_id)
        for name, value in (("site_id", site), ("peer_id", peer)):
            if value is not None and not str(value).isdigit():
                raise CarrierRejected(
                    f"Bandwidth {name} must be digits, got {value!r}",
                    code=name,
                    carrier_id=self.carrier_id,
                )
        return str(site), None if peer is None else str(peer)

    def _checked(self, build: Callable[[], bytes]) -> bytes:
        try:
            return build()
        except ValidationError as exc:
            # A request Bandwidth would refuse (non-NANP number, a field over its
            # limit) is refused here, before sending, as the carrier would.
            raise CarrierRejected(
                str(exc), code=exc.field or "validation", carrier_id=self.carrier_id
            ) from exc

    def _loa_for(self, port: PortDetails) -> tuple[bytes, str] | None:
        key = port.extra.get("loa_document")
        if key is None:
            return None
        if self._documents is None:
            raise CapabilityNotSupported(
                "this BandwidthCarrier was built without document storage, so it cannot "
                "upload the LOA named in the port details",
                carrier_id=self.carrier_id,
                capability="loa_upload",
            )
        content_type = port.extra.get("loa_content_type", "application/pdf")
        return self._documents.get(key), content_type


def _segment(value: str) -> str:
    # Ids go into URL paths; refuse anything that could change the path.
    if not value or any(ch in value for ch in "/?#%\\") or value in (".", ".."):
        raise CarrierRejected(f"not a Bandwidth id: {value!r}", code="id")
    return value


def _customer_order_id_in(kind: OrderKind, body: bytes, carrier_id: str) -> str | None:
    if kind is OrderKind.NEW_NUMBER:
        return read_order(body, carrier_id=carrier_id).customer_order_id
    if kind is OrderKind.PORT_IN:
        return read_portin(body, carrier_id=carrier_id).customer_order_id
    root = parse(body, what="read disconnect order", carrier_id=carrier_id)
    return text(child(root, "orderRequest"), "CustomerOrderId")


def _subscriber(port: PortDetails) -> XmlChild:
    extra = port.extra
    address = [
        ("HouseNumber", extra.get("house_number")),
        ("StreetName", extra.get("street_name")),
        ("City", extra.get("city")),
        ("StateCode", extra.get("state_code")),
        ("Zip", extra.get("zip")),
    ]
    subscriber_type = extra.get("subscriber_type", "BUSINESS").upper()
    name: list[tuple[str, XmlChild]]
    if subscriber_type == "RESIDENTIAL":
        name = [("FirstName", extra.get("first_name")), ("LastName", extra.get("last_name"))]
    else:
        name = [("BusinessName", port.subscriber_name)]
    has_address = any(value for _, value in address)
    if not port.subscriber_name and not has_address and subscriber_type != "RESIDENTIAL":
        return None
    return [
        ("SubscriberType", subscriber_type),
        *name,
        ("ServiceAddress", address if has_address else None),
    ]


def _wireless_info(port: PortDetails) -> XmlChild:
    if port.losing_account_number is None and port.pin is None:
        return None
    return [("AccountNumber", port.losing_account_number), ("PinNumber", port.pin)]


def _fault_numbers(faults: Sequence[BandwidthFault], what: str) -> dict[str, str]:
    """Per-number error texts, keyed by E.164 number."""
    return {from_bandwidth_number(f.number, what=what): f.description for f in faults if f.number}


def _order_update(order: NumberOrder, carrier_id: str, ref: str, now: datetime) -> CarrierUpdate:
    status = order.status.strip().upper()
    results: list[NumberResult] = []
    reason = None
    if status in _PER_NUMBER_STATUSES:
        reasons = _fault_numbers(order.faults, "read number order")
        general = _fault_text([f for f in order.faults if not f.number])
        completed = set(order.completed)
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in order.completed]
        # A number named only in an error failed too.
        failed = list(dict.fromkeys([*order.failed, *reasons]))
        results += [
            NumberResult(n, NumberOutcome.FAILED, reasons.get(n) or general)
            for n in failed
            if n not in completed
        ]
        if status != "COMPLETE":
            reason = _fault_text(order.faults)
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.NEW_NUMBER,
        order.status,
        now,
        sequence=_sequence(OrderKind.NEW_NUMBER, order.status),
        numbers=tuple(results),
        reason=reason,
    )


def _disconnect_update(
    disconnect: Disconnect, carrier_id: str, ref: str, now: datetime
) -> CarrierUpdate:
    status = (disconnect.status or "RECEIVED").strip().upper()
    results: list[NumberResult] = []
    reason = None
    if status in _PER_NUMBER_STATUSES:
        done = set(disconnect.disconnected)
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in disconnect.disconnected]
        reasons = _fault_numbers(disconnect.faults, "read disconnect order")
        results += [
            NumberResult(n, NumberOutcome.FAILED, text)
            for n, text in reasons.items()
            if n not in done
        ]
        if status != "COMPLETE":
            reason = _fault_text(disconnect.faults)
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.DISCONNECT,
        disconnect.status or "RECEIVED",
        now,
        sequence=_sequence(OrderKind.DISCONNECT, disconnect.status or "RECEIVED"),
        numbers=tuple(results),
        reason=reason,
    )


def _portin_update(portin: PortIn, carrier_id: str, ref: str, now: datetime) -> CarrierUpdate:
    return CarrierUpdate(
        carrier_id,
        ref,
        OrderKind.PORT_IN,
        portin.status,
        now,
        sequence=_sequence(OrderKind.PORT_IN, portin.status),
        foc_date=portin.foc_date,
        reason=portin.reason,
    )


def callback_update(body: bytes, *, carrier_id: str, now: datetime) -> CarrierUpdate | None:
    """A ``<Notification>`` body as a carrier update, without network or credential
    check (:meth:`BandwidthCarrier.callback_update` verifies first and reads
    the order back where the notification is not enough).

    ``CompletedTelephoneNumbers`` become per-number results for ``COMPLETE``
    (completed) and ``FAILED`` (failed, with Bandwidth's ``Message``); other
    statuses carry none.  Notifications about other order types (and event
    notifications) give ``None``.

    Raises:
        CarrierProtocolError: malformed or hostile XML, or a missing field.
    """
    note: Notification | None = read_notification(body, carrier_id=carrier_id)
    kind = None if note is None else _ORDER_TYPES.get(note.order_type.strip().lower())
    if note is None or kind is None:
        return None
    status = note.status.strip().upper()
    results: list[NumberResult] = []
    if status == "COMPLETE":
        results = [NumberResult(n, NumberOutcome.COMPLETED) for n in note.completed_numbers]
    elif status == "FAILED":
        results = [
            NumberResult(n, NumberOutcome.FAILED, note.message) for n in note.completed_numbers
        ]
    return CarrierUpdate(
        carrier_id,
        note.order_id,
        kind,
        note.status,
        now,
        sequence=_sequence(kind, note.status),
        numbers=tuple(results),
        reason=None if status in ("COMPLETE", "FOC") else note.message,
    )


def _is_a_carrier(adapter: BandwidthCarrier) -> Carrier:
    # mypy --strict checks here that BandwidthCarrier satisfies the Carrier port.
    return adapter
