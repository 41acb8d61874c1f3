"""Razorpay (Orders + Standard Checkout), through the official SDK (`razorpay` 2.x).

The flow: `create_checkout` creates an Order and hands its id and our public key id to the
client, which opens Razorpay Checkout. After paying, Checkout returns the order id, the payment
id and a signature (hex HMAC-SHA256 of "order_id|payment_id" with the key secret), which
`confirm` checks before it asks Razorpay how the payment stands. Webhooks are signed with their
own secret (hex HMAC-SHA256 of the raw body, header `X-Razorpay-Signature`).

Amounts: Razorpay takes integers in the currency's subunit. Most currencies have two decimals
(rupees -> paise, x100). Razorpay also takes the zero-decimal JPY (x1) and the three-decimal
KWD, BHD and OMR (x1000, where Razorpay wants the last digit to be 0). An amount finer than
what the currency allows raises ValueError: money is never rounded here.

Errors: the SDK decides which exception to raise from the error *code* in the body, not from
the HTTP status (a 4xx body without a code comes out as `ServerError`). So the session notes
the status of each answer, and the status decides: 4xx -> `GatewayRefused` (with Razorpay's
description), except 429 (rate limit), which like a 5xx, a timeout, a connection error or an
unreadable answer is `GatewayUnavailable`.

Idempotency: Razorpay has no idempotency key for orders or refunds; `receipt` is only our
reference (max 40 characters) and Razorpay does not refuse a second one with the same
receipt. A retried `create_checkout` may therefore create a second order, which is harmless
(an order moves no money until it is paid, and Checkout is only given the latest). A retried
refund could refund twice, so `refund` first looks for a refund of the payment with the same
receipt and returns it instead of asking for another.
"""

import hashlib
import hmac
import json
from decimal import Decimal

import razorpay  # the SDK: absolute imports, so not this module (payments.providers.razorpay)
import requests
from django.conf import settings
from razorpay.errors import BadRequestError, GatewayError, ServerError

from payments.providers.base import (
    Checkout,
    Gateway,
    GatewayRefused,
    GatewayUnavailable,
    InvalidSignature,
    NoticeKind,
    Outcome,
    PaymentState,
    ProviderDisabled,
    RefundResult,
    WebhookNotice,
)

# Razorpay's `receipt` (orders, refunds) takes at most 40 characters.
RECEIPT_MAX_LENGTH = 40

# Currencies whose subunit is not a hundredth (Razorpay's documented exceptions); every other
# currency is taken as two-decimal.
_EXPONENTS = {"JPY": 0, "KWD": 3, "BHD": 3, "OMR": 3}

_PAYMENT_OUTCOMES = {"captured": Outcome.SUCCEEDED, "failed": Outcome.FAILED}
_REFUND_OUTCOMES = {"processed": Outcome.SUCCEEDED, "failed": Outcome.FAILED}
_NOTICE_KINDS = {
    "payment.captured": NoticeKind.PAYMENT_SUCCEEDED,
    "payment.failed": NoticeKind.PAYMENT_FAILED,
    "refund.processed": NoticeKind.REFUNDED,
}


def to_subunits(amount: Decimal, currency: str) -> int:
    """`amount` in major units (rupees) as Razorpay's integer subunits (paise)."""
    exponent = _EXPONENTS.get(currency.upper(), 2)
    subunits = Decimal(amount).scaleb(exponent)
    if subunits != subunits.to_integral_value():
        raise ValueError(f"{amount} {currency} is finer than the currency's smallest unit.")
    subunits = int(subunits)
    if exponent == 3 and subunits % 10:
        raise ValueError(f"Razorpay takes {currency} amounts in steps of 0.010 ({amount}).")
    return subunits


def from_subunits(subunits: int, currency: str) -> Decimal:
    """Razorpay's integer subunits (paise) as a Decimal in major units (rupees)."""
    return Decimal(int(subunits)).scaleb(-_EXPONENTS.get(currency.upper(), 2))


def _hmac_hex(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode()


def _signature_matches(secret: str, message: bytes, signature) -> bool:
    """Whether `signature` (hex, as sent) is the HMAC-SHA256 of `message`, in constant time."""
    if not isinstance(signature, str) or not signature:
        return False
    return hmac.compare_digest(_hmac_hex(secret, message), signature.strip().encode())


class _Session(requests.Session):
    """The SDK's HTTP session: every request gets our timeout (the SDK sets none), and the
    status of the last answer is kept, since the SDK's exceptions do not carry it."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.last_status: int | None = None

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        self.last_status = None
        response = super().request(method, url, *args, **kwargs)
        self.last_status = response.status_code
        return response


class RazorpayGateway(Gateway):
    name = "razorpay"

    def is_enabled(self) -> bool:
        return bool(settings.RAZORPAY_KEY_ID and settings.RAZORPAY_KEY_SECRET)

    # --- Calls to Razorpay -----------------------------------------------------------------

    def _client(self) -> razorpay.Client:
        if not self.is_enabled():
            raise ProviderDisabled(self.name)
        client = razorpay.Client(
            session=_Session(timeout=settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS),
            auth=(settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET),
            base_url=settings.RAZORPAY_API_BASE,
        )
        # One attempt per call: the SDK's retries sleep for seconds inside a web request.
        client.enable_retry(False)
        return client

    @staticmethod
    def _call(client: razorpay.Client, method, *args) -> dict:
        """Call an SDK method and put its failures in our terms."""
        try:
            answer = method(*args)
        except requests.exceptions.RequestException as exc:
            # Connection error, timeout, or an answer that is not JSON (a proxy's HTML page).
            raise GatewayUnavailable(f"Razorpay could not be reached: {exc}") from exc
        except (BadRequestError, GatewayError, ServerError) as exc:
            status = client.session.last_status
            if status is not None and 400 <= status < 500 and status != 429:
                raise GatewayRefused(str(exc) or f"Razorpay refused the call ({status}).") from exc
            raise GatewayUnavailable(f"Razorpay failed ({status}): {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayUnavailable("Razorpay answered with something that is not an object.")
        return answer

    @staticmethod
    def _id(entity: dict) -> str:
        entity_id = entity.get("id")
        if not isinstance(entity_id, str) or not entity_id:
            raise GatewayUnavailable("Razorpay answered without an id.")
        return entity_id

    # --- Gateway -------------------------------------------------------------------------------

    def create_checkout(self, *, amount, currency, reference, idempotency_key) -> Checkout:
        client = self._client()
        subunits = to_subunits(amount, currency)
        order = self._call(
            client,
            client.order.create,
            {
                "amount": subunits,
                "currency": currency,
                "receipt": idempotency_key[:RECEIPT_MAX_LENGTH],
                "notes": {"reference": reference},
            },
        )
        order_id = self._id(order)
        return Checkout(
            order_id=order_id,
            client={
                "order_id": order_id,
                "key_id": settings.RAZORPAY_KEY_ID,
                "amount": subunits,
                "currency": currency,
            },
        )

    def confirm(self, *, order_id: str, data: dict) -> PaymentState:
        """Check Checkout's signature, then ask Razorpay how the payment stands.

        `authorized` is PENDING, not captured here: with the account's automatic capture
        (Razorpay's default for Orders) Razorpay captures it within moments and sends
        `payment.captured`; capturing from here too would race it.
        """
        if not self.is_enabled():
            raise ProviderDisabled(self.name)
        signed_order_id = data.get("razorpay_order_id")
        payment_id = data.get("razorpay_payment_id")
        signature = data.get("razorpay_signature")
        if not all(isinstance(value, str) and value for value in (signed_order_id, payment_id)):
            raise InvalidSignature("Razorpay's order id or payment id is missing.")
        if signed_order_id != order_id:
            raise InvalidSignature("The payment was made for another order.")
        message = f"{order_id}|{payment_id}".encode()
        if not _signature_matches(settings.RAZORPAY_KEY_SECRET, message, signature):
            raise InvalidSignature("Razorpay's payment signature does not match.")

        client = self._client()
        payment = self._call(client, client.payment.fetch, payment_id)
        if payment.get("order_id") != order_id:
            raise InvalidSignature("The payment belongs to another order.")
        outcome = _PAYMENT_OUTCOMES.get(payment.get("status"), Outcome.PENDING)
        failure_reason = ""
        if outcome == Outcome.FAILED:
            failure_reason = payment.get("error_description") or "The payment failed."
        return PaymentState(outcome, payment_id=payment_id, failure_reason=failure_reason)

    def refund(
        self, *, order_id: str, payment_id: str, amount: Decimal, currency: str, idempotency_key
    ) -> RefundResult:
        """Refund `amount` of the payment, once per `idempotency_key`: a refund of the payment
        with the same receipt (an earlier attempt whose answer was lost) is returned as is.

        Razorpay's refund statuses are `pending`, `processed` and `failed`; any other is taken
        as pending, so that a refund which may still go through is never reported failed."""
        client = self._client()
        subunits = to_subunits(amount, currency)
        receipt = idempotency_key[:RECEIPT_MAX_LENGTH]
        refund = None
        if receipt:
            earlier = self._call(
                client, client.payment.fetch_multiple_refund, payment_id, {"count": 100}
            )
            refund = next(
                (
                    item
                    for item in earlier.get("items") or []
                    if isinstance(item, dict) and item.get("receipt") == receipt
                ),
                None,
            )
        if refund is None:
            refund = self._call(
                client, client.payment.refund, payment_id, {"amount": subunits, "receipt": receipt}
            )
        return RefundResult(
            refund_id=self._id(refund),
            outcome=_REFUND_OUTCOMES.get(refund.get("status"), Outcome.PENDING),
        )

    def read_webhook(self, *, body: bytes, headers: dict) -> WebhookNotice:
        secret = settings.RAZORPAY_WEBHOOK_SECRET
        if not secret:
            raise ProviderDisabled(self.name)
        if isinstance(body, str):
            body = body.encode()
        headers = {str(name).lower(): value for name, value in headers.items()}
        if not _signature_matches(secret, body, headers.get("x-razorpay-signature")):
            raise InvalidSignature("Razorpay's webhook signature does not match.")
        try:
            payload = json.loads(body)
        except ValueError as exc:  # also UnicodeDecodeError
            raise InvalidSignature("The webhook's body is not JSON.") from exc
        if not isinstance(payload, dict):
            raise InvalidSignature("The webhook's body is not a JSON object.")

        # Razorpay's event id; without it, the body (retries of an event resend it unchanged).
        event_id = headers.get("x-razorpay-event-id") or (
            "sha256:" + hashlib.sha256(body).hexdigest()
        )
        event_type = payload.get("event")
        event_type = event_type if isinstance(event_type, str) else ""
        kind = _NOTICE_KINDS.get(event_type, NoticeKind.OTHER)
        payment = _entity(payload, "payment")
        notice = {
            "event_id": event_id,
            "event_type": event_type,
            "kind": kind,
            "payload": payload,
        }
        if kind in (NoticeKind.PAYMENT_SUCCEEDED, NoticeKind.PAYMENT_FAILED):
            notice["order_id"] = _text(payment.get("order_id"))
            notice["payment_id"] = _text(payment.get("id"))
            if kind == NoticeKind.PAYMENT_FAILED:
                notice["failure_reason"] = _text(payment.get("error_description"))
        elif kind == NoticeKind.REFUNDED:
            refund = _entity(payload, "refund")
            notice["order_id"] = _text(payment.get("order_id"))
            notice["payment_id"] = _text(refund.get("payment_id"))
            notice["refund_id"] = _text(refund.get("id"))
            subunits = refund.get("amount")
            if isinstance(subunits, int) and not isinstance(subunits, bool):
                notice["amount"] = from_subunits(subunits, _text(refund.get("currency")) or "INR")
        return WebhookNotice(**notice)


def _entity(payload: dict, name: str) -> dict:
    """`payload.<name>.entity` of a webhook, or {} when it is not there."""
    wrapper = payload.get("payload")
    wrapper = wrapper.get(name) if isinstance(wrapper, dict) else None
    entity = wrapper.get("entity") if isinstance(wrapper, dict) else None
    return entity if isinstance(entity, dict) else {}


def _text(value) -> str:
    return value if isinstance(value, str) else ""
