"""The whole flow through the API with the real gateways' SDKs, their HTTP intercepted with
`responses` (payloads shaped like Stripe's and Razorpay's documented ones): start a payment,
come back from the checkout, and a gateway that is down loses nothing."""

import hashlib
import hmac
from datetime import timedelta

import pytest
import requests
import responses
import time_machine
from django.utils import timezone

from payments.models import Invoice, Payment, Refund
from payments.tasks import send_pending_refunds
from registrations.models import Registration
from tests.conftest import authenticated_client
from tests.helpers import assert_error
from tests.payments.test_gateway_razorpay import order_entity, payment_entity
from tests.payments.test_gateway_stripe import payment_intent
from tests.payments.test_payments import hold, paid_event

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
STRIPE = "https://api.stripe.com/v1"
RAZORPAY = "https://api.razorpay.com/v1"


@pytest.fixture(autouse=True)
def gateways(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.RAZORPAY_KEY_ID = "rzp_test_x"
    settings.RAZORPAY_KEY_SECRET = "rzp_secret_x"
    settings.RAZORPAY_API_BASE = "https://api.razorpay.com"


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def start(registration, provider):
    return authenticated_client(registration.user).post(
        PAYMENTS, {"registration": registration.pk, "provider": provider}, format="json"
    )


def test_stripe_from_payment_intent_to_confirmed_registration(http):
    registration = hold(paid_event("20.00"))
    http.post(f"{STRIPE}/payment_intents", json=payment_intent(amount=2000, currency="eur"))

    started = start(registration, "stripe")

    assert started.status_code == 201, started.json()
    body = started.json()
    assert body["client"]["publishable_key"] == "pk_test_x"
    assert body["client"]["client_secret"].startswith(body["provider_order_id"])
    sent = http.calls[0].request
    assert "amount=2000" in sent.body and "currency=eur" in sent.body
    assert sent.headers["Idempotency-Key"] == body["transaction_id"]

    http.get(
        f"{STRIPE}/payment_intents/{body['provider_order_id']}",
        json=payment_intent(status="succeeded", latest_charge="ch_1", amount=2000),
    )
    verified = authenticated_client(registration.user).post(
        f"{PAYMENTS}{body['id']}/verify/", {}, format="json"
    )

    assert verified.json()["status"] == "succeeded"
    assert verified.json()["provider_payment_id"] == "ch_1"
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert Invoice.objects.filter(payment_id=body["id"]).exists()


def test_razorpay_with_the_signature_checkout_hands_back(http):
    registration = hold(paid_event("499.50"))
    http.post(f"{RAZORPAY}/orders", json=order_entity(amount=49950, currency="EUR"))
    body = start(registration, "razorpay").json()
    assert body["client"] == {
        "order_id": body["provider_order_id"],
        "key_id": "rzp_test_x",
        "amount": 49950,
        "currency": "EUR",
    }
    order_id, payment_id = body["provider_order_id"], "pay_29QQoUBi66xm2f"
    http.get(f"{RAZORPAY}/payments/{payment_id}", json=payment_entity(order_id=order_id))
    signature = hmac.new(
        b"rzp_secret_x", f"{order_id}|{payment_id}".encode(), hashlib.sha256
    ).hexdigest()

    forged = authenticated_client(registration.user).post(
        f"{PAYMENTS}{body['id']}/verify/",
        {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": "0" * 64,
        },
        format="json",
    )
    assert_error(forged, 400, "invalid_signature")
    assert Payment.objects.get(pk=body["id"]).status == "pending"

    verified = authenticated_client(registration.user).post(
        f"{PAYMENTS}{body['id']}/verify/",
        {
            "razorpay_order_id": order_id,
            "razorpay_payment_id": payment_id,
            "razorpay_signature": signature,
        },
        format="json",
    )
    assert verified.json()["status"] == "succeeded"
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500, "json": {"error": {"type": "api_error", "message": "Down"}}},
        {"body": requests.ConnectionError("unreachable")},
    ],
    ids=["5xx", "no-connection"],
)
def test_a_gateway_that_is_down_is_a_502_and_nothing_is_lost(http, failure):
    registration = hold(paid_event("20.00"))
    http.post(f"{STRIPE}/payment_intents", **failure)

    assert_error(start(registration, "stripe"), 502, "provider_unavailable")

    assert not Payment.objects.exists()
    registration.refresh_from_db()
    assert registration.status == "pending" and registration.expires_at is not None
    http.post(f"{STRIPE}/payment_intents", json=payment_intent(amount=2000, currency="eur"))
    assert start(registration, "stripe").status_code == 201


def test_a_card_the_gateway_refuses_is_a_400_payment_refused(http):
    registration = hold(paid_event("20.00"))
    http.post(
        f"{STRIPE}/payment_intents",
        status=402,
        json={"error": {"type": "card_error", "code": "card_declined", "message": "Declined."}},
    )
    body = assert_error(start(registration, "stripe"), 400, "payment_refused")
    assert body["details"] == {"provider_code": "card_declined"}
    assert not Payment.objects.exists()


def test_a_refund_the_gateway_could_not_take_is_sent_again_later(
    http, django_capture_on_commit_callbacks
):
    registration = hold(paid_event("20.00"))
    http.post(f"{STRIPE}/payment_intents", json=payment_intent(amount=2000, currency="eur"))
    payment_id = start(registration, "stripe").json()["id"]
    payment = Payment.objects.get(pk=payment_id)
    http.get(
        f"{STRIPE}/payment_intents/{payment.provider_order_id}",
        json=payment_intent(status="succeeded", latest_charge="ch_1"),
    )
    authenticated_client(registration.user).post(f"{PAYMENTS}{payment_id}/verify/", {})
    http.post(f"{STRIPE}/refunds", status=503, json={"error": {"message": "Down"}})

    with django_capture_on_commit_callbacks(execute=True):
        response = authenticated_client(registration.event.organizer).post(
            f"{PAYMENTS}{payment_id}/refund/", {}, format="json"
        )

    assert response.status_code == 201
    refund = Refund.objects.get()
    assert (refund.status, refund.provider_refund_id) == ("pending", "")
    http.post(
        f"{STRIPE}/refunds",
        json={"id": "re_1", "object": "refund", "amount": 2000, "status": "succeeded"},
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert send_pending_refunds() == 1
    sent = http.calls[-1].request
    assert f"payment_intent={payment.provider_order_id}" in sent.body and "amount=2000" in sent.body
    assert sent.headers["Idempotency-Key"] == f"refund_{refund.pk}_{payment.transaction_id}"
    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("succeeded", "re_1")
    payment.refresh_from_db()
    assert payment.status == "refunded"
