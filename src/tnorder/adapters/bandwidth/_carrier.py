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
Orders and port-ins are listed by ``customerOrderId``; disconnects cannot be,
and their list rows do not show it, so the adapter lists only its own API
user's disconnects of the last days (``userid``, ``startdate`` / ``enddate``
in Bandwidth's ``yy-mm-dd``) and reads in full only rows with as many
numbers as the submission.

Update keys: an update carries Bandwidth's time for the state it reports:
``LastModifiedDate`` where the body or callback has one, else the answer's
``Date`` header, and only without either tnorder's ``now``; as its sequence,
the word's rank in ``_vocabulary``, so two reports at the same instant are
ordered.  Staying on Bandwidth's clock keeps reports about one order
comparable whatever our clock's skew; the domain never moves an item
backwards, so a late duplicate changes nothing.
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
    CarrierStep,
    CarrierSubmission,
    CarrierUpdate,
    Fulfilment,
    PortDetails,
    RequestStatus,
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
    ConfigurationError,
    ValidationError,
)
from ...ports import Carrier, Clock, DocumentStorage
from ._auth import verify_callback
from ._config import BandwidthConfig
from ._errors import ErrorDetails
from ._http import BandwidthHttp, Reply
from ._responses import (
    read_disconnect,
    read_loa_upload,
    read_order,
    read_order_list,
    read_portin,
    read_reservation,
    read_search,
)
from ._updates import (
    callback_update,
    disconnect_update,
    order_update,
    portin_update,
)
from ._vocabulary import BANDWIDTH, RESOURCES, word
from ._wire import (
    customer_order_id,
    disconnect_body,
    existing_numbers_element,
    list_window,
    order_body,
    order_name,
    portin_body,
    reservation_body,
    search_and_order_element,
    search_params,
)
from ._xml import XmlChild

__all__ = ["LOA_CONTENT_TYPES", "MAX_LOA_BYTES", "BandwidthCarrier", "callback_update"]

LOA_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "image/jpeg",
        "image/png",
        "image/tiff",
        "text/csv",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
"""The LOA file types Bandwidth accepts on ``portins/{id}/loas`` (non-toll-free).

From the ``UploadPortinLoaFile`` operation of ``Bandwidth/api-docs``
``site/specs/numbers.yml`` and the "Supported Formats" table of
``site/docs/numbers/porting/port-ins/stand-alone-port-ins/about.mdx``;
phase 1 toll-free port-ins take only PDF and TIFF.
"""

MAX_LOA_BYTES = 3 * 1024 * 1024
"""Bandwidth's document size limit, checked before an LOA is sent (the default of
``BandwidthCarrier(max_loa_bytes=...)``).

``Bandwidth/api-docs`` ``site/docs/numbers/porting/port-ins/stand-alone-port-ins/about.mdx``
("Adding Documents to a Port-in"): "Document sizes are restricted to 3 mega-bytes".
The page does not say whether a megabyte is 10**6 or 2**20 bytes; reading it as
2**20 is our choice, and a host that meets Bandwidth refusing a smaller file
lowers the limit.
"""

DEFAULT_RESERVATION_TIME = timedelta(hours=4)
"""Bandwidth's documented hold time, used when a reservation does not say."""

_TOLL_FREE_KINDS = frozenset({LookupKind.TOLL_FREE_WILDCARD, LookupKind.TOLL_FREE_VANITY})


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
        lookup_limit: most disconnect orders listed when looking one up by
            ``CustomerOrderId`` (Bandwidth cannot filter disconnects by it).
        clock: measures a 429's ``X-RateLimit-Reset`` when the answer has no
            ``Date`` header (default: the system clock).
        max_loa_bytes: the largest LOA file sent; a larger one is refused
            before sending (default :data:`MAX_LOA_BYTES`, Bandwidth's 3 MB).

    Raises:
        ConfigurationError: ``lookup_limit`` or ``max_loa_bytes`` is not a
            positive integer.

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
        clock: Clock | None = None,
        max_loa_bytes: int = MAX_LOA_BYTES,
    ) -> None:
        for name, value in (("lookup_limit", lookup_limit), ("max_loa_bytes", max_loa_bytes)):
            if type(value) is not int or value < 1:
                raise ConfigurationError(
                    f"BandwidthCarrier {name} must be a positive integer, got {value!r}"
                )
        self._config = config
        self._http = BandwidthHttp(config, transport=transport, sleep=sleep, clock=clock)
        self._sleep = sleep
        self._documents = documents
        self._partial_allowed = partial_allowed
        self._lookup_limit = lookup_limit
        self._max_loa_bytes = max_loa_bytes
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
        endpoint = RESOURCES[ref.kind]
        reply = self._http.request(
            "GET", f"{endpoint}/{_segment(ref.carrier_ref)}", what=f"read {endpoint} order"
        )
        return self._update_from(ref.kind, reply, ref.carrier_ref, now)

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
            CarrierRejected: an empty file, one over ``max_loa_bytes`` (code
                ``loa_too_large``), or a
                type Bandwidth does not take (checked before sending), or
                Bandwidth refused it.
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
        if len(data) > self._max_loa_bytes:
            raise CarrierRejected(
                f"the LOA file has {len(data)} bytes; Bandwidth takes at most "
                f"{self._max_loa_bytes}",
                code="loa_too_large",
                carrier_id=self.carrier_id,
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

        The credentials are checked before the body is read; when they are
        missing or wrong, answer the request with :data:`CALLBACK_CHALLENGE`
        (401 and ``WWW-Authenticate: Basic``): Bandwidth first posts without
        credentials and sends them only after that challenge.  The update
        carries the notification's ``LastModifiedDate`` and ``ActualFocDate``.
        The order is read back (``status``) only where the notification is not
        enough: a ``PARTIAL`` (it does not say which numbers failed), a port-in
        in ``FOC`` without ``ActualFocDate``, and a port-in the customer must
        act on without a ``Message`` to show.  Notifications about orders
        tnorder does not place (``tnoptions``, events...) give ``None``:
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
        row = word(update.kind, update.status, carrier_id=self.carrier_id)
        port = update.kind is OrderKind.PORT_IN
        read_back = (
            row.step is CarrierStep.PARTIAL
            or (port and row.step is CarrierStep.PORT_DATE_SET and update.foc_date is None)
            or (port and row.request_status is RequestStatus.ACTION_REQUIRED and not update.reason)
        )
        if read_back:
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
        return self._update_from(OrderKind.NEW_NUMBER, reply, order_id, now)

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

        count = len(submission.numbers)

        def find() -> str | None:
            # Bandwidth cannot filter disconnects by customer order id and its
            # rows do not show it: list only our API user's recent ones, and
            # read in full only those with as many numbers as ours.
            reply = self._http.request(
                "GET",
                "disconnects",
                params={
                    "page": "1",
                    "size": str(self._lookup_limit),
                    "userid": self._config.username,
                    **list_window(now),
                },
                what="find disconnect by customer order id",
                ok=(200, 404),
            )
            return self._match(reply, key, OrderKind.DISCONNECT, count_of_tns=count)

        order_id, reply = self._create_once(
            find,
            lambda: self._http.request(
                "POST", "disconnects", content=body, what="create disconnect order"
            ),
        )
        if reply is None:
            return self.status(account, CarrierOrderRef(OrderKind.DISCONNECT, order_id), now=now)
        return self._update_from(OrderKind.DISCONNECT, reply, order_id, now)

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
        return self._update_from(OrderKind.PORT_IN, reply, order_id, now)

    def _create_once(
        self, find: Callable[[], str | None], create: Callable[[], Reply]
    ) -> tuple[str, Reply | None]:
        """Find the order by customer order id, or create it exactly once.

        Returns the order id and the creation answer (``None`` when found).
        A create that failed after it may have reached Bandwidth is looked up
        again before it is sent again, at most ``retry.attempts`` times.

        Raises:
            CarrierUnavailable: with ``details.maybe_applied`` whenever a create
                may have reached Bandwidth and no lookup found it, including
                when the lookup itself failed (the lookup's error is its cause).
        """
        policy = self._config.retry
        attempt = 0
        uncertain: CarrierUnavailable | None = None
        while True:
            attempt += 1
            try:
                existing = find()
            except CarrierError as exc:
                if uncertain is None:
                    raise
                # The last create may have reached Bandwidth and we could not
                # look: the caller must hear "maybe applied" (and retry the
                # same submission, which looks again), not a plain lookup failure.
                raise uncertain from exc
            if existing is not None:
                return existing, None
            try:
                reply = create()
            except CarrierUnavailable as exc:
                details = exc.details if isinstance(exc.details, ErrorDetails) else None
                if details is None or not details.maybe_applied or attempt >= policy.attempts:
                    raise
                uncertain = exc
                self._sleep(policy.delay(attempt))
                continue
            order_id = reply.location_id() or self._id_in(reply)
            return order_id, reply

    # -- internals: reading answers ------------------------------------------

    def _update_from(
        self, kind: OrderKind, reply: Reply, carrier_ref: str, now: datetime
    ) -> CarrierUpdate:
        # Where the body has no LastModifiedDate, the answer's Date header is
        # Bandwidth's own time for this state: keeping every report about an
        # order on Bandwidth's clock keeps them comparable whatever our skew.
        when = reply.sent_at() or now
        body = reply.body
        # Each builder refuses a word the vocabulary does not know, before
        # anything is applied.
        if kind is OrderKind.NEW_NUMBER:
            return order_update(
                read_order(body, carrier_id=self.carrier_id), self.carrier_id, carrier_ref, when
            )
        if kind is OrderKind.DISCONNECT:
            return disconnect_update(
                read_disconnect(body, carrier_id=self.carrier_id),
                self.carrier_id,
                carrier_ref,
                when,
            )
        return portin_update(
            read_portin(body, carrier_id=self.carrier_id), self.carrier_id, carrier_ref, when
        )

    def _match(
        self, reply: Reply, key: str, kind: OrderKind, *, count_of_tns: int | None = None
    ) -> str | None:
        """The order in a list answer whose CustomerOrderId is ``key``.

        A row that does not show its CustomerOrderId is read in full before
        it is trusted (never mistake another order for ours), unless its
        ``CountOfTNs`` says it cannot be ours.
        """
        if reply.status in (204, 404) or not reply.body.strip():
            return None
        for row in read_order_list(reply.body, carrier_id=self.carrier_id)[: self._lookup_limit]:
            if row.customer_order_id is not None:
                if row.customer_order_id == key:
                    return row.order_id
                continue
            if count_of_tns is not None and row.count_of_tns not in (None, count_of_tns):
                continue
            detail = self._http.request(
                "GET",
                f"{RESOURCES[kind]}/{_segment(row.order_id)}",
                what=f"read {RESOURCES[kind]} order",
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
    return read_disconnect(body, carrier_id=carrier_id).customer_order_id


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


def _is_a_carrier(adapter: BandwidthCarrier) -> Carrier:
    # mypy --strict checks here that BandwidthCarrier satisfies the Carrier port.
    return adapter
