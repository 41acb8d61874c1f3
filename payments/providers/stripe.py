"""Stripe, through PaymentIntents and the official SDK's `StripeClient` (never the global
`stripe.api_key`). A checkout is a PaymentIntent: the client completes it with Stripe.js from
its `client_secret`, and we learn how it went by re-reading the PaymentIntent (`confirm`) or from
a signed webhook (`read_webhook`).

Errors, besides those of `base`:
- `GatewayUnavailable`: Stripe could not be reached or timed out (`APIConnectionError`), failed
  on its side (5xx), asked us to slow down (429), or answered with something the SDK calls an
  `APIError` (an unreadable answer, a 409 conflict on an idempotency key still in use). The SDK
  never retries (`max_network_retries=0`): the caller retries with the same idempotency key.
- `GatewayRefused` (defined here): Stripe answered and said no (4xx: a declined card, an invalid
  request, a bad key, an idempotency key reused with other parameters). Retrying the same call
  will not help; its message is Stripe's.
- `ValueError` from `to_minor_units`: an amount the currency cannot express (12.345 EUR, 1.5 JPY).
"""

import json
from contextlib import contextmanager
from decimal import Decimal

import stripe
from django.conf import settings

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

# https://docs.stripe.com/currencies#zero-decimal: amounts are whole units (¥500 is 500).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
        "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }
)  # fmt: skip
# https://docs.stripe.com/currencies#three-decimal: in thousandths, the last digit 0.
THREE_DECIMAL_CURRENCIES = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Every other currency has two decimals in the API, ISK, HUF and TWD included (Stripe's "special
# cases" still take 100 for 1 unit, only in whole units for ISK).


def _decimals(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL_CURRENCIES:
        return 0
    if code in THREE_DECIMAL_CURRENCIES:
        return 3
    return 2


def to_minor_units(amount: Decimal, currency: str) -> int:
    """`amount` (major units) as the integer Stripe wants: 12.34 EUR -> 1234, 500 JPY -> 500,
    5.12 KWD -> 5120. ValueError when the amount has more decimals than the currency has (nothing
    is rounded away silently), or, for three-decimal currencies, does not end in 0."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    minor = amount.scaleb(_decimals(currency))
    if not minor.is_finite() or minor != minor.to_integral_value():
        raise ValueError(f"{amount} {currency.upper()} is not a whole number of minor units.")
    result = int(minor)
    if currency.upper() in THREE_DECIMAL_CURRENCIES and result % 10:
        raise ValueError(f"{amount} {currency.upper()}: Stripe takes it in steps of 0.010.")
    return result


def from_minor_units(minor: int, currency: str) -> Decimal:
    """The inverse of `to_minor_units`: 1234 EUR cents -> Decimal("12.34")."""
    return Decimal(int(minor)).scaleb(-_decimals(currency))


@contextmanager
def _stripe_errors():
    """SDK errors as the gateway's: unavailable (network, 5xx, 429, APIError) or refused (4xx)."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        raise GatewayUnavailable(f"Stripe: {error.user_message or error}") from error
    except stripe.StripeError as error:
        if error.http_status is not None and error.http_status >= 500:
            raise GatewayUnavailable(f"Stripe: {error.user_message or error}") from error
        raise GatewayRefused(
            error.user_message or str(error) or type(error).__name__,
            code=error.code or "",
            http_status=error.http_status,
        ) from error


def _id_of(value) -> str:
    """An expandable field's id, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _error_message(payment_intent: dict) -> str:
    error = payment_intent.get("last_payment_error") or {}
    return error.get("message") or error.get("code") or ""


class StripeGateway(Gateway):
    name = "stripe"

    def is_enabled(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)

    def _client(self) -> stripe.StripeClient:
        if not self.is_enabled():
            raise ProviderDisabled(self.name)
        return stripe.StripeClient(
            api_key=settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            http_client=stripe.RequestsClient(timeout=settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS),
            max_network_retries=0,
        )

    def create_checkout(
        self, *, amount: Decimal, currency: str, reference: str, idempotency_key: str
    ) -> Checkout:
        params = {
            "amount": to_minor_units(amount, currency),
            "currency": currency.lower(),
            "metadata": {"reference": reference},
            "automatic_payment_methods": {"enabled": True},
        }
        client = self._client()
        with _stripe_errors():
            intent = client.v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return Checkout(
            order_id=intent.id,
            client={
                "client_secret": intent.client_secret,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            },
        )

    def confirm(self, *, order_id: str, data: dict) -> PaymentState:
        """Re-reads the PaymentIntent; what the client sent (`data`) is not trusted."""
        client = self._client()
        with _stripe_errors():
            intent = client.v1.payment_intents.retrieve(order_id).to_dict()
        status = intent.get("status")
        if status == "succeeded":
            payment_id = _id_of(intent.get("latest_charge")) or intent["id"]
            return PaymentState(Outcome.SUCCEEDED, payment_id=payment_id)
        reason = _error_message(intent)
        if status == "canceled":
            return PaymentState(
                Outcome.FAILED, failure_reason=reason or "The payment was canceled."
            )
        if status == "requires_payment_method" and intent.get("last_payment_error"):
            # The attempt failed; the customer may still pay this PaymentIntent with another
            # method, and then payment_intent.succeeded arrives by webhook.
            return PaymentState(Outcome.FAILED, failure_reason=reason or "The payment failed.")
        # processing, requires_action, requires_confirmation, requires_capture, and
        # requires_payment_method before any attempt.
        return PaymentState(Outcome.PENDING)

    def refund(
        self,
        *,
        order_id: str,
        payment_id: str,
        amount: Decimal,
        currency: str,
        idempotency_key: str,
    ) -> RefundResult:
        """Refunds through the PaymentIntent (Stripe picks its successful charge); `payment_id`
        is not needed."""
        params = {"payment_intent": order_id, "amount": to_minor_units(amount, currency)}
        client = self._client()
        with _stripe_errors():
            refund = client.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        if refund.status == "succeeded":
            outcome = Outcome.SUCCEEDED
        elif refund.status in ("pending", "requires_action"):
            outcome = Outcome.PENDING
        else:  # failed, canceled
            outcome = Outcome.FAILED
        return RefundResult(refund_id=refund.id, outcome=outcome)

    def read_webhook(self, *, body: bytes, headers: dict) -> WebhookNotice:
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            raise ProviderDisabled(self.name)
        signature = next(
            (value for key, value in headers.items() if key.lower() == "stripe-signature"), None
        )
        if not signature:
            raise InvalidSignature("No Stripe-Signature header.")
        try:
            # The SDK's check: HMAC-SHA256 of "{t}.{body}", and t within the tolerance.
            stripe.WebhookSignature.verify_header(
                body, signature, secret, settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS
            )
            event = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError: not JSON
            raise InvalidSignature(str(error)) from error
        if not (
            isinstance(event, dict)
            and isinstance(event.get("id"), str)
            and isinstance(event.get("type"), str)
            and isinstance((event.get("data") or {}).get("object"), dict)
        ):
            raise InvalidSignature("The body is not a Stripe event.")
        return _notice(event)


def _notice(event: dict) -> WebhookNotice:
    event_type = event["type"]
    obj = event["data"]["object"]
    common = {"event_id": event["id"], "event_type": event_type, "payload": event}
    if event_type == "payment_intent.succeeded":
        return WebhookNotice(
            kind=NoticeKind.PAYMENT_SUCCEEDED,
            order_id=obj.get("id") or "",
            payment_id=_id_of(obj.get("latest_charge")) or obj.get("id") or "",
            **common,
        )
    if event_type == "payment_intent.payment_failed":
        return WebhookNotice(
            kind=NoticeKind.PAYMENT_FAILED,
            order_id=obj.get("id") or "",
            payment_id=_id_of(obj.get("latest_charge")),
            failure_reason=_error_message(obj) or "The payment failed.",
            **common,
        )
    if event_type == "charge.refunded":
        # `refunds` is only in charges of API versions before 2022-11-15 (or expanded).
        refunds = (obj.get("refunds") or {}).get("data") or []
        newest = max(refunds, key=lambda refund: refund.get("created") or 0, default=None)
        return WebhookNotice(
            kind=NoticeKind.REFUNDED,
            order_id=_id_of(obj.get("payment_intent")),
            payment_id=obj.get("id") or "",
            refund_id=_id_of(newest),
            # What the charge has had refunded in all, this refund and the ones before it.
            refunded_total=from_minor_units(
                obj.get("amount_refunded") or 0, obj.get("currency") or ""
            ),
            **common,
        )
    return WebhookNotice(kind=NoticeKind.OTHER, **common)
