"""The Stripe gateway against Stripe's HTTP API as `responses` plays it (the SDK speaks through
`requests`): no test reaches the network, an unregistered request fails as a connection error."""

import hashlib
import hmac
import json
import time
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from payments.providers.base import (
    Checkout,
    GatewayRefused,
    GatewayUnavailable,
    InvalidSignature,
    NoticeKind,
    Outcome,
    PaymentState,
    ProviderDisabled,
    RefundResult,
)
from payments.providers.stripe import (
    StripeGateway,
    from_minor_units,
    to_minor_units,
)

API = "https://api.stripe.com/v1"
SECRET = "whsec_test"


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 5
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
    return settings


@pytest.fixture(autouse=True)
def http():
    """Every HTTP request of a test goes to `responses`; each one registered must be made."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def gateway():
    return StripeGateway()


def form(call) -> dict:
    """The form-encoded body the SDK sent, one value a key (`metadata[reference]`)."""
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


def payment_intent(**fields) -> dict:
    """A PaymentIntent as Stripe's API returns it (https://docs.stripe.com/api/payment_intents)."""
    intent = {
        "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "object": "payment_intent",
        "amount": 2000,
        "amount_received": 0,
        "automatic_payment_methods": {"enabled": True},
        "capture_method": "automatic",
        "client_secret": "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
        "confirmation_method": "automatic",
        "created": 1680800504,
        "currency": "usd",
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": {"reference": "txn_1"},
        "payment_method": None,
        "status": "requires_payment_method",
    }
    intent.update(fields)
    return intent


CARD_DECLINED = {
    "type": "card_error",
    "code": "card_declined",
    "decline_code": "generic_decline",
    "message": "Your card was declined.",
    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
}


def refund_object(**fields) -> dict:
    """A Refund as Stripe returns it (https://docs.stripe.com/api/refunds/object)."""
    refund = {
        "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ",
        "object": "refund",
        "amount": 500,
        "charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "created": 1692942318,
        "currency": "usd",
        "metadata": {},
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "reason": None,
        "status": "succeeded",
    }
    refund.update(fields)
    return refund


# --- Configuration and amounts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("secret_key", "publishable_key"), [("", ""), ("sk_test_x", ""), ("", "pk_test_x")]
)
def test_disabled_without_both_keys(gateway, settings, secret_key, publishable_key):
    settings.STRIPE_SECRET_KEY = secret_key
    settings.STRIPE_PUBLISHABLE_KEY = publishable_key

    assert gateway.is_enabled() is False
    with pytest.raises(ProviderDisabled):
        gateway.create_checkout(
            amount=Decimal("10"), currency="USD", reference="txn_1", idempotency_key="k"
        )


def test_enabled_reads_the_settings_when_asked(settings):
    settings.STRIPE_SECRET_KEY = ""
    gateway = StripeGateway()
    assert gateway.is_enabled() is False

    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert gateway.is_enabled() is True
    assert gateway.name == "stripe"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("10", "usd", 1000),
        ("0.5", "USD", 50),
        ("500", "JPY", 500),
        ("1000.00", "krw", 1000),
        ("5.12", "KWD", 5120),  # three decimals, the last one 0
        ("100", "ISK", 10000),  # a "special case": still two decimals in the API
    ],
)
def test_to_minor_units(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor
    assert from_minor_units(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency"), [("12.345", "EUR"), ("1.5", "JPY"), ("5.125", "KWD"), ("NaN", "USD")]
)
def test_to_minor_units_refuses_what_the_currency_cannot_say(amount, currency):
    with pytest.raises(ValueError):
        to_minor_units(Decimal(amount), currency)


# --- Checkout ------------------------------------------------------------------------------


def test_create_checkout_creates_a_payment_intent_in_cents(gateway, http):
    http.post(f"{API}/payment_intents", json=payment_intent(amount=4250, currency="eur"))

    checkout = gateway.create_checkout(
        amount=Decimal("42.50"), currency="EUR", reference="txn_42", idempotency_key="pay-42-1"
    )

    assert checkout == Checkout(
        order_id="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        client={
            "client_secret": "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
            "publishable_key": "pk_test_x",
        },
    )
    (call,) = http.calls
    assert form(call) == {
        "amount": "4250",
        "currency": "eur",
        "metadata[reference]": "txn_42",
        "automatic_payment_methods[enabled]": "true",
    }
    assert call.request.headers["Idempotency-Key"] == "pay-42-1"
    assert call.request.headers["Authorization"] == "Bearer sk_test_x"


def test_create_checkout_in_a_zero_decimal_currency_sends_whole_units(gateway, http):
    http.post(f"{API}/payment_intents", json=payment_intent(amount=1500, currency="jpy"))

    gateway.create_checkout(
        amount=Decimal("1500"), currency="JPY", reference="txn_7", idempotency_key="pay-7-1"
    )

    (call,) = http.calls
    assert form(call)["amount"] == "1500"
    assert form(call)["currency"] == "jpy"


def test_the_api_base_setting_points_the_sdk_elsewhere(gateway, http, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:12111"
    http.post("http://127.0.0.1:12111/v1/payment_intents", json=payment_intent())
    http.get(
        "http://127.0.0.1:12111/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa",
        json=payment_intent(status="processing"),
    )

    checkout = gateway.create_checkout(
        amount=Decimal("20"), currency="USD", reference="txn_1", idempotency_key="k1"
    )
    gateway.confirm(order_id=checkout.order_id, data={})

    assert [urlsplit(call.request.url).netloc for call in http.calls] == ["127.0.0.1:12111"] * 2


# --- Confirm -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"status": "succeeded", "latest_charge": "ch_3MtwBwLkdIwHu7ix28a3tqPa"},
            PaymentState(Outcome.SUCCEEDED, payment_id="ch_3MtwBwLkdIwHu7ix28a3tqPa"),
        ),
        (  # latest_charge expanded
            {"status": "succeeded", "latest_charge": {"id": "ch_1", "object": "charge"}},
            PaymentState(Outcome.SUCCEEDED, payment_id="ch_1"),
        ),
        (
            {"status": "succeeded", "latest_charge": None},
            PaymentState(Outcome.SUCCEEDED, payment_id="pi_3MtwBwLkdIwHu7ix28a3tqPa"),
        ),
        ({"status": "processing"}, PaymentState(Outcome.PENDING)),
        ({"status": "requires_action"}, PaymentState(Outcome.PENDING)),
        ({"status": "requires_confirmation"}, PaymentState(Outcome.PENDING)),
        ({"status": "requires_payment_method"}, PaymentState(Outcome.PENDING)),
        (
            {"status": "requires_payment_method", "last_payment_error": CARD_DECLINED},
            PaymentState(Outcome.FAILED, failure_reason="Your card was declined."),
        ),
        (
            {"status": "canceled", "cancellation_reason": "abandoned"},
            PaymentState(Outcome.FAILED, failure_reason="The payment was canceled."),
        ),
    ],
)
def test_confirm_reads_the_payment_intent(gateway, http, fields, expected):
    http.get(f"{API}/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa", json=payment_intent(**fields))

    state = gateway.confirm(order_id="pi_3MtwBwLkdIwHu7ix28a3tqPa", data={"outcome": "succeeded"})

    assert state == expected


# --- Refund --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("succeeded", Outcome.SUCCEEDED),
        ("pending", Outcome.PENDING),
        ("requires_action", Outcome.PENDING),
        ("failed", Outcome.FAILED),
        ("canceled", Outcome.FAILED),
    ],
)
def test_refund(gateway, http, status, outcome):
    http.post(f"{API}/refunds", json=refund_object(status=status))

    result = gateway.refund(
        order_id="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        payment_id="ch_3MtwBwLkdIwHu7ix28a3tqPa",
        amount=Decimal("5.00"),
        currency="USD",
        idempotency_key="refund-9-1",
    )

    assert result == RefundResult(refund_id="re_1Nispe2eZvKYlo2Cd31jOCgZ", outcome=outcome)
    (call,) = http.calls
    assert form(call) == {"payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "amount": "500"}
    assert call.request.headers["Idempotency-Key"] == "refund-9-1"


# --- Stripe unavailable, or saying no ------------------------------------------------------


def create(gateway):
    return gateway.create_checkout(
        amount=Decimal("10"), currency="USD", reference="txn_1", idempotency_key="k"
    )


def confirm(gateway):
    return gateway.confirm(order_id="pi_3MtwBwLkdIwHu7ix28a3tqPa", data={})


def refund(gateway):
    return gateway.refund(
        order_id="pi_3MtwBwLkdIwHu7ix28a3tqPa",
        payment_id="",
        amount=Decimal("10"),
        currency="USD",
        idempotency_key="k",
    )


CALLS = [
    (create, responses.POST, f"{API}/payment_intents"),
    (confirm, responses.GET, f"{API}/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa"),
    (refund, responses.POST, f"{API}/refunds"),
]
API_ERROR = {"error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}}


@pytest.mark.parametrize(("call", "method", "url"), CALLS)
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": API_ERROR},
        {"status": 503, "body": "<html>Service Unavailable</html>"},
        {"status": 429, "json": {"error": {"type": "invalid_request_error", "code": "rate_limit"}}},
        {"body": requests.ConnectionError("Connection refused")},
        {"body": requests.ReadTimeout("Read timed out.")},
    ],
    ids=["500", "503-html", "429", "connection-error", "timeout"],
)
def test_stripe_unavailable(gateway, http, call, method, url, answer):
    http.add(method, url, **answer)

    with pytest.raises(GatewayUnavailable):
        call(gateway)

    assert len(http.calls) == 1  # no retry by the SDK: the caller retries, same idempotency key


@pytest.mark.parametrize(("call", "method", "url"), CALLS)
def test_stripe_refusing_is_gateway_refused(gateway, http, call, method, url):
    http.add(method, url, status=402, json={"error": CARD_DECLINED})

    with pytest.raises(GatewayRefused) as raised:
        call(gateway)

    assert str(raised.value) == "Your card was declined."
    assert raised.value.code == "card_declined"
    assert raised.value.http_status == 402


def test_an_invalid_request_is_gateway_refused(gateway, http):
    message = "No such payment_intent: 'pi_missing'"
    error = {"type": "invalid_request_error", "code": "resource_missing", "message": message}
    http.get(f"{API}/payment_intents/pi_missing", status=404, json={"error": error})

    with pytest.raises(GatewayRefused, match="No such payment_intent"):
        gateway.confirm(order_id="pi_missing", data={})


# --- Webhooks ------------------------------------------------------------------------------


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header as Stripe makes it: HMAC-SHA256 of "{t}.{body}"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_type: str, obj: dict) -> bytes:
    """An Event as Stripe posts it (https://docs.stripe.com/api/events/object)."""
    return json.dumps(
        {
            "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
            "object": "event",
            "api_version": "2024-06-20",
            "created": 1686089970,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        },
        indent=2,
    ).encode()


def charge(**fields) -> dict:
    """A refunded Charge (https://docs.stripe.com/api/charges/object)."""
    data = {
        "id": "ch_3MtwBwLkdIwHu7ix28a3tqPa",
        "object": "charge",
        "amount": 2000,
        "amount_captured": 2000,
        "amount_refunded": 500,
        "currency": "usd",
        "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
        "refunded": False,
        "status": "succeeded",
    }
    data.update(fields)
    return data


def read(gateway, body: bytes, **headers):
    return gateway.read_webhook(body=body, headers={"stripe-signature": sign(body), **headers})


def test_webhook_payment_intent_succeeded(gateway):
    body = event(
        "payment_intent.succeeded",
        payment_intent(status="succeeded", latest_charge="ch_3MtwBwLkdIwHu7ix28a3tqPa"),
    )

    notice = read(gateway, body)

    assert notice.kind == NoticeKind.PAYMENT_SUCCEEDED
    assert notice.event_id == "evt_1NG8Du2eZvKYlo2CUI79vXWy"
    assert notice.event_type == "payment_intent.succeeded"
    assert notice.order_id == "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    assert notice.payment_id == "ch_3MtwBwLkdIwHu7ix28a3tqPa"
    assert notice.payload == json.loads(body)
    assert type(notice.payload) is dict


def test_webhook_payment_intent_payment_failed(gateway):
    body = event(
        "payment_intent.payment_failed",
        payment_intent(status="requires_payment_method", last_payment_error=CARD_DECLINED),
    )

    notice = read(gateway, body)

    assert notice.kind == NoticeKind.PAYMENT_FAILED
    assert notice.order_id == "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    assert notice.failure_reason == "Your card was declined."


def test_webhook_charge_refunded(gateway):
    refunds = {
        "object": "list",
        "data": [
            {"id": "re_new", "object": "refund", "amount": 300, "created": 1686090000},
            {"id": "re_old", "object": "refund", "amount": 200, "created": 1686080000},
        ],
        "has_more": False,
    }
    body = event("charge.refunded", charge(refunds=refunds))

    notice = read(gateway, body)

    assert notice.kind == NoticeKind.REFUNDED
    assert notice.order_id == "pi_3MtwBwLkdIwHu7ix28a3tqPa"
    assert notice.payment_id == "ch_3MtwBwLkdIwHu7ix28a3tqPa"
    assert notice.refund_id == "re_new"
    assert notice.refunded_total == Decimal("5.00")


def test_webhook_charge_refunded_without_its_refunds_in_a_zero_decimal_currency(gateway):
    # Since API version 2022-11-15 a charge no longer carries its refunds.
    body = event("charge.refunded", charge(currency="jpy", amount=2000, amount_refunded=2000))

    notice = read(gateway, body)

    assert notice.kind == NoticeKind.REFUNDED
    assert notice.refund_id == ""
    assert notice.refunded_total == Decimal("2000")


def test_webhook_of_another_type(gateway):
    body = event("customer.created", {"id": "cus_NffrFeUfNV2Hib", "object": "customer"})

    notice = read(gateway, body)

    assert notice.kind == NoticeKind.OTHER
    assert notice.event_type == "customer.created"
    assert notice.event_id == "evt_1NG8Du2eZvKYlo2CUI79vXWy"


def test_webhook_header_name_in_any_case(gateway):
    body = event("customer.created", {"id": "cus_1", "object": "customer"})

    notice = gateway.read_webhook(body=body, headers={"Stripe-Signature": sign(body)})

    assert notice.kind == NoticeKind.OTHER


SUCCEEDED = event("payment_intent.succeeded", payment_intent(status="succeeded"))
TAMPERED = SUCCEEDED.replace(b'"succeeded"', b'"canceled"', 1)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (SUCCEEDED, lambda: {"stripe-signature": sign(SUCCEEDED, secret="whsec_other")}),
        (SUCCEEDED, lambda: {}),
        (SUCCEEDED, lambda: {"stripe-signature": ""}),
        (SUCCEEDED, lambda: {"stripe-signature": "nonsense"}),
        (SUCCEEDED, lambda: {"stripe-signature": sign(SUCCEEDED).replace("v1=", "v0=")}),
        (TAMPERED, lambda: {"stripe-signature": sign(SUCCEEDED)}),
        (b"not json", lambda: {"stripe-signature": sign(b"not json")}),
        (b"\xff\xfe", lambda: {"stripe-signature": sign(b"\xff\xfe")}),
        (b"[1, 2]", lambda: {"stripe-signature": sign(b"[1, 2]")}),
    ],
    ids=[
        "wrong-secret",
        "missing-header",
        "empty-header",
        "unreadable-header",
        "other-scheme",
        "body-changed-after-signing",
        "signed-but-not-json",
        "signed-but-not-utf8",
        "signed-but-not-an-event",
    ],
)
def test_webhook_that_does_not_check(gateway, body, headers):
    # Headers are signed when the test runs: the timestamp must be fresh.
    with pytest.raises(InvalidSignature):
        gateway.read_webhook(body=body, headers=headers())


def test_webhook_older_than_the_tolerance(gateway, settings):
    settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
    signed_at = int(time.time()) - 301

    with pytest.raises(InvalidSignature, match="tolerance"):
        gateway.read_webhook(
            body=SUCCEEDED, headers={"stripe-signature": sign(SUCCEEDED, timestamp=signed_at)}
        )


def test_webhook_within_the_tolerance(gateway):
    signed_at = int(time.time()) - 290

    notice = gateway.read_webhook(
        body=SUCCEEDED, headers={"stripe-signature": sign(SUCCEEDED, timestamp=signed_at)}
    )

    assert notice.kind == NoticeKind.PAYMENT_SUCCEEDED


def test_webhook_without_a_secret_is_disabled(gateway, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    with pytest.raises(ProviderDisabled):
        gateway.read_webhook(body=SUCCEEDED, headers={"stripe-signature": sign(SUCCEEDED)})
