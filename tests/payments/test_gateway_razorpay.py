"""The Razorpay gateway against Razorpay's HTTP API as `responses` plays it (no network): the
payloads are shaped like Razorpay's documented Order, Payment, Refund and webhook objects, and
every signature is computed here with the real algorithm (hex HMAC-SHA256)."""

import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import requests
import responses

from payments.providers import razorpay as razorpay_module
from payments.providers.base import (
    GatewayRefused,
    GatewayUnavailable,
    InvalidSignature,
    NoticeKind,
    Outcome,
    ProviderDisabled,
)
from payments.providers.razorpay import (
    RazorpayGateway,
    from_subunits,
    to_subunits,
)

API = "https://api.razorpay.com/v1"
KEY_ID = "rzp_test_x"
KEY_SECRET = "rzp_test_secret_x"
WEBHOOK_SECRET = "whsec_rzp_test_x"
ORDER_ID = "order_IluGWxBm9U8zJ8"
PAYMENT_ID = "pay_29QQoUBi66xm2f"


@pytest.fixture(autouse=True)
def razorpay_settings(settings):
    settings.RAZORPAY_KEY_ID = KEY_ID
    settings.RAZORPAY_KEY_SECRET = KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.RAZORPAY_API_BASE = "https://api.razorpay.com"
    settings.PAYMENT_GATEWAY_TIMEOUT_SECONDS = 7
    return settings


@pytest.fixture
def api():
    """Razorpay's API; a request to anything not registered fails as a connection error."""
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def gateway():
    return RazorpayGateway()


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def checkout_data(order_id=ORDER_ID, payment_id=PAYMENT_ID, signed_order_id=None) -> dict:
    """What Checkout hands back after a payment, signed with the key secret."""
    message = f"{signed_order_id or order_id}|{payment_id}".encode()
    return {
        "razorpay_order_id": order_id,
        "razorpay_payment_id": payment_id,
        "razorpay_signature": sign(KEY_SECRET, message),
    }


def order_entity(**fields) -> dict:
    return {
        "id": ORDER_ID,
        "entity": "order",
        "amount": 49950,
        "amount_paid": 0,
        "amount_due": 49950,
        "currency": "INR",
        "receipt": "idem-1",
        "offer_id": None,
        "status": "created",
        "attempts": 0,
        "notes": {"reference": "txn_1"},
        "created_at": 1642662092,
        **fields,
    }


def payment_entity(**fields) -> dict:
    return {
        "id": PAYMENT_ID,
        "entity": "payment",
        "amount": 49950,
        "currency": "INR",
        "status": "captured",
        "order_id": ORDER_ID,
        "invoice_id": None,
        "international": False,
        "method": "card",
        "amount_refunded": 0,
        "refund_status": None,
        "captured": True,
        "description": "Ticket",
        "card_id": "card_DZon6fd8J3IcA2",
        "bank": None,
        "wallet": None,
        "vpa": None,
        "email": "gaurav.kumar@example.com",
        "contact": "+919876543210",
        "notes": [],
        "fee": 1000,
        "tax": 0,
        "error_code": None,
        "error_description": None,
        "error_source": None,
        "error_step": None,
        "error_reason": None,
        "created_at": 1400826750,
        **fields,
    }


def refund_entity(**fields) -> dict:
    return {
        "id": "rfnd_FP8QHiV938haTz",
        "entity": "refund",
        "amount": 20000,
        "currency": "INR",
        "payment_id": PAYMENT_ID,
        "notes": [],
        "receipt": "refund-idem-1",
        "acquirer_data": {"arn": None},
        "created_at": 1597078866,
        "batch_id": None,
        "status": "processed",
        "speed_processed": "normal",
        "speed_requested": "normal",
        **fields,
    }


def collection(*items) -> dict:
    return {"entity": "collection", "count": len(items), "items": list(items)}


def error(code: str, description: str) -> dict:
    return {
        "error": {
            "code": code,
            "description": description,
            "source": "business",
            "step": "payment_initiation",
            "reason": "input_validation_failed",
            "metadata": {},
            "field": "amount",
        }
    }


def create(gateway, amount=Decimal("499.50"), currency="INR", key="idem-1"):
    return gateway.create_checkout(
        amount=amount, currency=currency, reference="txn_1", idempotency_key=key
    )


def refund(gateway, amount=Decimal("200.00"), key="refund-idem-1"):
    return gateway.refund(
        order_id=ORDER_ID,
        payment_id=PAYMENT_ID,
        amount=amount,
        currency="INR",
        idempotency_key=key,
    )


def test_the_module_imports_the_sdk_not_itself():
    assert razorpay_module.razorpay.__name__ == "razorpay"
    assert hasattr(razorpay_module.razorpay, "Client")


# --- Keys ----------------------------------------------------------------------------------


def test_enabled_with_both_keys(gateway):
    assert gateway.name == "razorpay"
    assert gateway.is_enabled()


@pytest.mark.parametrize("missing", ["RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET"])
def test_disabled_without_keys(gateway, razorpay_settings, api, missing):
    setattr(razorpay_settings, missing, "")

    assert not gateway.is_enabled()
    with pytest.raises(ProviderDisabled):
        create(gateway)
    with pytest.raises(ProviderDisabled):
        gateway.confirm(order_id=ORDER_ID, data=checkout_data())
    with pytest.raises(ProviderDisabled):
        refund(gateway)
    assert len(api.calls) == 0


# --- Amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "subunits"),
    [
        ("499.50", "INR", 49950),
        ("1", "INR", 100),
        ("0.01", "USD", 1),
        ("1500", "JPY", 1500),
        ("99.99", "KWD", 99990),
    ],
)
def test_amounts_go_to_razorpay_in_subunits(amount, currency, subunits):
    assert to_subunits(Decimal(amount), currency) == subunits
    assert from_subunits(subunits, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency"), [("499.505", "INR"), ("10.5", "JPY"), ("99.991", "KWD")]
)
def test_amounts_finer_than_razorpay_takes_are_refused(amount, currency):
    with pytest.raises(ValueError):
        to_subunits(Decimal(amount), currency)


# --- Checkout ------------------------------------------------------------------------------


def test_create_checkout_creates_an_order_in_paise(gateway, api):
    api.post(f"{API}/orders", json=order_entity())
    key = "checkout-" + "k" * 60

    checkout = create(gateway, key=key)

    assert checkout.order_id == ORDER_ID
    assert checkout.client == {
        "order_id": ORDER_ID,
        "key_id": KEY_ID,
        "amount": 49950,
        "currency": "INR",
    }
    request = api.calls[0].request
    assert json.loads(request.body) == {
        "amount": 49950,
        "currency": "INR",
        "receipt": key[:40],
        "notes": {"reference": "txn_1"},
    }
    credentials = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {credentials}"
    assert request.req_kwargs["timeout"] == 7


def test_create_checkout_goes_to_the_configured_api_base(gateway, razorpay_settings, api):
    razorpay_settings.RAZORPAY_API_BASE = "http://127.0.0.1:12112"
    api.post("http://127.0.0.1:12112/v1/orders", json=order_entity())

    assert create(gateway).order_id == ORDER_ID
    assert api.calls[0].request.url == "http://127.0.0.1:12112/v1/orders"


def test_a_refused_order_raises_gateway_refused_with_razorpays_words(gateway, api):
    api.post(
        f"{API}/orders",
        status=400,
        json=error("BAD_REQUEST_ERROR", "Order amount less than minimum amount allowed"),
    )

    with pytest.raises(GatewayRefused, match="less than minimum amount"):
        create(gateway)


def test_wrong_keys_are_refused(gateway, api):
    api.post(
        f"{API}/orders",
        status=401,
        json=error("BAD_REQUEST_ERROR", "The api key provided is invalid"),
    )

    with pytest.raises(GatewayRefused, match="api key provided is invalid"):
        create(gateway)


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": error("SERVER_ERROR", "We are facing some trouble")},
        {"status": 502, "json": error("GATEWAY_ERROR", "Bank is down")},
        # The SDK raises BadRequestError for this code whatever the status: 5xx still wins.
        {"status": 503, "json": error("BAD_REQUEST_ERROR", "Service unavailable")},
        {"status": 429, "json": error("BAD_REQUEST_ERROR", "Too many requests")},
        {"status": 502, "body": "<html>Bad Gateway</html>", "content_type": "text/html"},
        {"body": requests.exceptions.ConnectionError("connection refused")},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
    ],
    ids=["500", "502-gateway-error", "503-bad-request-code", "429", "html-502", "conn", "timeout"],
)
def test_create_checkout_when_razorpay_is_unavailable(gateway, api, answer):
    api.post(f"{API}/orders", **answer)

    with pytest.raises(GatewayUnavailable):
        create(gateway)


def test_an_order_without_an_id_is_not_taken(gateway, api):
    api.post(f"{API}/orders", json={"error": None})

    with pytest.raises(GatewayUnavailable):
        create(gateway)


# --- Confirm -------------------------------------------------------------------------------


def test_confirm_a_captured_payment(gateway, api):
    api.get(f"{API}/payments/{PAYMENT_ID}", json=payment_entity())

    state = gateway.confirm(order_id=ORDER_ID, data=checkout_data())

    assert state.outcome == Outcome.SUCCEEDED
    assert state.payment_id == PAYMENT_ID
    assert state.failure_reason == ""
    assert api.calls[0].request.req_kwargs["timeout"] == 7


def test_confirm_a_failed_payment(gateway, api):
    api.get(
        f"{API}/payments/{PAYMENT_ID}",
        json=payment_entity(
            status="failed",
            captured=False,
            error_code="BAD_REQUEST_ERROR",
            error_description="Payment processing failed because of incorrect OTP",
            error_reason="incorrect_otp",
        ),
    )

    state = gateway.confirm(order_id=ORDER_ID, data=checkout_data())

    assert state.outcome == Outcome.FAILED
    assert state.payment_id == PAYMENT_ID
    assert state.failure_reason == "Payment processing failed because of incorrect OTP"


@pytest.mark.parametrize("status", ["authorized", "created", "refunded"])
def test_confirm_a_payment_not_yet_captured_is_pending(gateway, api, status):
    api.get(f"{API}/payments/{PAYMENT_ID}", json=payment_entity(status=status, captured=False))

    state = gateway.confirm(order_id=ORDER_ID, data=checkout_data())

    assert state.outcome == Outcome.PENDING
    assert state.payment_id == PAYMENT_ID


@pytest.mark.parametrize(
    "data",
    [
        # Forged: a signature not made with our key secret.
        {**checkout_data(), "razorpay_signature": sign("not-the-secret", b"x")},
        {
            **checkout_data(),
            "razorpay_signature": sign("guess", f"{ORDER_ID}|{PAYMENT_ID}".encode()),
        },
        # A genuine signature for another order, sent for ours.
        checkout_data(signed_order_id="order_OtherOrder0001"),
        # A genuine payment of another order, presented as ours.
        checkout_data(order_id="order_OtherOrder0001"),
        # Incomplete.
        {**checkout_data(), "razorpay_signature": ""},
        {key: value for key, value in checkout_data().items() if key != "razorpay_signature"},
        {key: value for key, value in checkout_data().items() if key != "razorpay_payment_id"},
        {**checkout_data(), "razorpay_signature": "é" * 64},
        {},
    ],
    ids=[
        "forged",
        "other-secret",
        "signed-for-another-order",
        "another-orders-payment",
        "empty-signature",
        "no-signature",
        "no-payment-id",
        "not-hex",
        "nothing",
    ],
)
def test_confirm_refuses_a_bad_signature_without_asking_razorpay(gateway, api, data):
    with pytest.raises(InvalidSignature):
        gateway.confirm(order_id=ORDER_ID, data=data)

    assert len(api.calls) == 0


def test_confirm_refuses_a_payment_of_another_order(gateway, api):
    api.get(f"{API}/payments/{PAYMENT_ID}", json=payment_entity(order_id="order_OtherOrder0001"))

    with pytest.raises(InvalidSignature):
        gateway.confirm(order_id=ORDER_ID, data=checkout_data())


def test_confirm_when_razorpay_is_unavailable(gateway, api):
    api.get(
        f"{API}/payments/{PAYMENT_ID}",
        status=500,
        json=error("SERVER_ERROR", "We are facing some trouble"),
    )

    with pytest.raises(GatewayUnavailable):
        gateway.confirm(order_id=ORDER_ID, data=checkout_data())


# --- Refund --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("processed", Outcome.SUCCEEDED),
        ("pending", Outcome.PENDING),
        ("failed", Outcome.FAILED),
        ("something_new", Outcome.PENDING),
    ],
)
def test_refund(gateway, api, status, outcome):
    api.get(f"{API}/payments/{PAYMENT_ID}/refunds", json=collection())
    api.post(f"{API}/payments/{PAYMENT_ID}/refund", json=refund_entity(status=status))

    result = refund(gateway)

    assert result.refund_id == "rfnd_FP8QHiV938haTz"
    assert result.outcome == outcome
    assert json.loads(api.calls[1].request.body) == {"amount": 20000, "receipt": "refund-idem-1"}


def test_a_refund_retried_with_the_same_key_is_not_made_twice(gateway, api):
    other = refund_entity(id="rfnd_Other000000001", receipt="refund-idem-0")
    api.get(
        f"{API}/payments/{PAYMENT_ID}/refunds",
        json=collection(other, refund_entity(status="pending")),
    )

    result = refund(gateway)

    assert result.refund_id == "rfnd_FP8QHiV938haTz"
    assert result.outcome == Outcome.PENDING
    assert [call.request.method for call in api.calls] == ["GET"]


def test_a_refused_refund(gateway, api):
    api.get(f"{API}/payments/{PAYMENT_ID}/refunds", json=collection())
    api.post(
        f"{API}/payments/{PAYMENT_ID}/refund",
        status=400,
        json=error("BAD_REQUEST_ERROR", "The refund amount provided is greater than amount"),
    )

    with pytest.raises(GatewayRefused, match="greater than amount"):
        refund(gateway)


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 500, "json": error("SERVER_ERROR", "We are facing some trouble")},
        {"body": requests.exceptions.ConnectionError("connection reset")},
    ],
    ids=["500", "conn"],
)
def test_refund_when_razorpay_is_unavailable(gateway, api, answer):
    api.get(f"{API}/payments/{PAYMENT_ID}/refunds", json=collection())
    api.post(f"{API}/payments/{PAYMENT_ID}/refund", **answer)

    with pytest.raises(GatewayUnavailable):
        refund(gateway)


# --- Webhooks ------------------------------------------------------------------------------


def webhook(event: str, contains: dict) -> bytes:
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_BFQ7uQEaa7j2z7",
            "event": event,
            "contains": list(contains),
            "payload": {name: {"entity": entity} for name, entity in contains.items()},
            "created_at": 1567674606,
        }
    ).encode()


def signed(body: bytes, event_id="evt_Jx7Gh2Hd8kL9aB") -> dict:
    headers = {"x-razorpay-signature": sign(WEBHOOK_SECRET, body)}
    if event_id:
        headers["x-razorpay-event-id"] = event_id
    return headers


def test_webhook_payment_captured(gateway):
    body = webhook("payment.captured", {"payment": payment_entity()})

    notice = gateway.read_webhook(body=body, headers=signed(body))

    assert notice.event_id == "evt_Jx7Gh2Hd8kL9aB"
    assert notice.event_type == "payment.captured"
    assert notice.kind == NoticeKind.PAYMENT_SUCCEEDED
    assert notice.order_id == ORDER_ID
    assert notice.payment_id == PAYMENT_ID
    assert notice.payload == json.loads(body)


def test_webhook_payment_failed(gateway):
    failed = payment_entity(
        status="failed", captured=False, error_description="Payment was cancelled by the user"
    )
    body = webhook("payment.failed", {"payment": failed})

    notice = gateway.read_webhook(body=body, headers=signed(body))

    assert notice.kind == NoticeKind.PAYMENT_FAILED
    assert notice.order_id == ORDER_ID
    assert notice.payment_id == PAYMENT_ID
    assert notice.failure_reason == "Payment was cancelled by the user"


def test_webhook_refund_processed(gateway):
    body = webhook(
        "refund.processed", {"refund": refund_entity(amount=20050), "payment": payment_entity()}
    )

    notice = gateway.read_webhook(body=body, headers=signed(body))

    assert notice.kind == NoticeKind.REFUNDED
    assert notice.refund_id == "rfnd_FP8QHiV938haTz"
    assert notice.payment_id == PAYMENT_ID
    assert notice.order_id == ORDER_ID
    assert notice.amount == Decimal("200.50")


def test_webhook_refund_processed_without_the_payment(gateway):
    body = webhook("refund.processed", {"refund": refund_entity()})

    notice = gateway.read_webhook(body=body, headers=signed(body))

    assert notice.kind == NoticeKind.REFUNDED
    assert notice.order_id == ""
    assert notice.amount == Decimal("200.00")


def test_webhook_of_another_type(gateway):
    body = webhook("order.paid", {"payment": payment_entity(), "order": order_entity()})

    notice = gateway.read_webhook(body=body, headers=signed(body))

    assert notice.kind == NoticeKind.OTHER
    assert notice.event_type == "order.paid"
    assert notice.payload["payload"]["order"]["entity"]["id"] == ORDER_ID


def test_webhook_without_an_event_id_is_known_by_its_body(gateway):
    body = webhook("payment.captured", {"payment": payment_entity()})

    first = gateway.read_webhook(body=body, headers=signed(body, event_id=None))
    again = gateway.read_webhook(body=body, headers=signed(body, event_id=None))

    assert first.event_id == again.event_id == "sha256:" + hashlib.sha256(body).hexdigest()


def test_webhook_headers_in_any_case(gateway):
    body = webhook("payment.captured", {"payment": payment_entity()})
    headers = {"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body), "X-Razorpay-Event-Id": "evt_1"}

    assert gateway.read_webhook(body=body, headers=headers).event_id == "evt_1"


BODY = webhook("payment.captured", {"payment": payment_entity()})


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (BODY, {"x-razorpay-signature": sign("another-secret", BODY)}),
        (BODY, {"x-razorpay-signature": "deadbeef"}),
        (BODY, {"x-razorpay-signature": ""}),
        (BODY, {}),
        # Changed after signing: the amount, then the event.
        (BODY.replace(b'"amount": 49950', b'"amount": 1'), signed(BODY)),
        (BODY.replace(b"payment.captured", b"payment.failed"), signed(BODY)),
        # Signed, but not a JSON object.
        (b"not json", signed(b"not json")),
        (b"[1, 2]", signed(b"[1, 2]")),
    ],
    ids=[
        "other-secret",
        "wrong",
        "empty",
        "missing",
        "amount-changed",
        "event-changed",
        "not-json",
        "not-object",
    ],
)
def test_webhook_with_a_bad_signature(gateway, body, headers):
    with pytest.raises(InvalidSignature):
        gateway.read_webhook(body=body, headers=headers)


def test_webhook_without_a_webhook_secret(gateway, razorpay_settings):
    razorpay_settings.RAZORPAY_WEBHOOK_SECRET = ""

    with pytest.raises(ProviderDisabled):
        gateway.read_webhook(body=BODY, headers=signed(BODY))
