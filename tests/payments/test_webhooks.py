"""Webhooks through the API: signed with the gateways' real algorithms on the raw body, stored
once by event id, and applied once together with the client's verify call, in any order."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
import responses

from payments.models import Invoice, Payment, WebhookEvent
from registrations.models import Registration, Ticket
from tests.conftest import authenticated_client
from tests.helpers import assert_error
from tests.payments.test_gateway_stripe import payment_intent
from tests.payments.test_payments import hold, paid_event
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

STRIPE_HOOK = "/api/v1/payments/webhooks/stripe/"
RAZORPAY_HOOK = "/api/v1/payments/webhooks/razorpay/"
STRIPE_SECRET = "whsec_test"
RAZORPAY_SECRET = "rzp_webhook_secret"


@pytest.fixture(autouse=True)
def gateways(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_SECRET
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.RAZORPAY_KEY_ID = "rzp_test_x"
    settings.RAZORPAY_KEY_SECRET = "rzp_secret_x"
    settings.RAZORPAY_WEBHOOK_SECRET = RAZORPAY_SECRET
    settings.RAZORPAY_API_BASE = "https://api.razorpay.com"


def stripe_payment(price="20.00"):
    """A pending Stripe payment of a held registration (its PaymentIntent intercepted)."""
    registration = hold(paid_event(price))
    with responses.RequestsMock() as http:
        http.post(
            "https://api.stripe.com/v1/payment_intents",
            json=payment_intent(id=f"pi_{registration.pk}", amount=2000, currency="eur"),
        )
        response = authenticated_client(registration.user).post(
            "/api/v1/payments/",
            {"registration": registration.pk, "provider": "stripe"},
            format="json",
        )
    return Payment.objects.get(pk=response.json()["id"])


def stripe_event(event_id: str, event_type: str, obj: dict) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "type": event_type,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
        }
    ).encode()


def post_stripe(client, body: bytes, secret: str = STRIPE_SECRET):
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return client.post(
        STRIPE_HOOK,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={digest.hexdigest()}",
    )


def succeeded(payment, event_id="evt_succeeded") -> bytes:
    return stripe_event(
        event_id,
        "payment_intent.succeeded",
        payment_intent(
            id=payment.provider_order_id, status="succeeded", latest_charge="ch_1", amount=2000
        ),
    )


def refunded(payment, amount_refunded: int, event_id="evt_refunded") -> bytes:
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 2000,
        "amount_refunded": amount_refunded,
        "currency": "eur",
        "payment_intent": payment.provider_order_id,
        "refunded": amount_refunded == 2000,
        "status": "succeeded",
    }
    return stripe_event(event_id, "charge.refunded", charge)


class TestStripeWebhooks:
    def test_a_success_confirms_the_registration(self, api_client):
        payment = stripe_payment()

        response = post_stripe(api_client, succeeded(payment))

        assert response.status_code == 200, response.json()
        assert response.json()["outcome"] == "payment succeeded"
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.provider_payment_id == "ch_1"
        assert Registration.objects.get(pk=payment.registration_id).status == "confirmed"
        assert WebhookEvent.objects.get().payment == payment

    def test_a_replayed_webhook_changes_nothing(self, api_client):
        payment = stripe_payment()
        post_stripe(api_client, succeeded(payment))

        again = post_stripe(api_client, succeeded(payment))

        assert again.status_code == 200
        assert WebhookEvent.objects.count() == 1
        assert Invoice.objects.count() == 1
        assert ActivityLog.objects.filter(action="payment_succeeded").count() == 1

    def test_webhook_then_verify_and_verify_then_webhook_apply_once(self, api_client):
        first, second = stripe_payment(), stripe_payment()
        with responses.RequestsMock() as http:
            http.get(  # only the second is asked: the first was applied by its webhook
                f"https://api.stripe.com/v1/payment_intents/{second.provider_order_id}",
                json=payment_intent(
                    id=second.provider_order_id, status="succeeded", latest_charge="ch_2"
                ),
            )
            verify = lambda payment: authenticated_client(payment.user).post(  # noqa: E731
                f"/api/v1/payments/{payment.pk}/verify/", {}, format="json"
            )
            post_stripe(api_client, succeeded(first, "evt_a"))
            assert verify(first).json()["status"] == "succeeded"  # already applied: no call
            assert verify(second).json()["status"] == "succeeded"
            post_stripe(api_client, succeeded(second, "evt_b"))
        for payment in (first, second):
            assert Ticket.objects.filter(registration=payment.registration).count() == 1
            assert Invoice.objects.filter(payment=payment).count() == 1
        assert ActivityLog.objects.filter(action="payment_succeeded").count() == 2

    @pytest.mark.parametrize("tamper", ["secret", "body", "missing"])
    def test_a_bad_or_missing_signature_is_refused_and_changes_nothing(self, api_client, tamper):
        payment = stripe_payment()
        body = succeeded(payment)
        if tamper == "missing":
            response = api_client.post(STRIPE_HOOK, data=body, content_type="application/json")
        elif tamper == "secret":
            response = post_stripe(api_client, body, secret="whsec_wrong")
        else:
            timestamp = int(time.time())
            digest = hmac.new(
                STRIPE_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
            ).hexdigest()
            response = api_client.post(
                STRIPE_HOOK,
                data=body.replace(b"succeeded", b"failed"),
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={digest}",
            )
        assert_error(response, 400, "invalid_signature")
        assert not WebhookEvent.objects.exists()
        assert Payment.objects.get(pk=payment.pk).status == "pending"

    def test_a_refund_arriving_before_the_success_leaves_consistent_books(self, api_client):
        payment = stripe_payment()

        post_stripe(api_client, refunded(payment, 2000))
        post_stripe(api_client, succeeded(payment))

        payment.refresh_from_db()
        assert payment.status == "refunded"
        assert payment.refunded_amount == Decimal("20.00")
        assert payment.refunds.get().reason == "Refunded at the payment provider."
        assert Registration.objects.get(pk=payment.registration_id).status == "cancelled"

    def test_a_partial_refund_at_the_gateway_is_recorded_once(self, api_client):
        payment = stripe_payment()
        post_stripe(api_client, succeeded(payment))

        post_stripe(api_client, refunded(payment, 500, "evt_r1"))
        post_stripe(api_client, refunded(payment, 500, "evt_r1"))  # replay
        post_stripe(api_client, refunded(payment, 1500, "evt_r2"))  # a second one: total 15

        payment.refresh_from_db()
        assert payment.status == "partially_refunded"
        assert payment.refunded_amount == Decimal("15.00")
        assert [r.amount for r in payment.refunds.all()] == [Decimal("5.00"), Decimal("10.00")]

    def test_a_failed_payment_keeps_the_hold(self, api_client):
        payment = stripe_payment()
        intent = payment_intent(
            id=payment.provider_order_id,
            status="requires_payment_method",
            last_payment_error={"message": "Your card was declined.", "code": "card_declined"},
        )
        response = post_stripe(
            api_client, stripe_event("evt_failed", "payment_intent.payment_failed", intent)
        )
        assert response.json()["outcome"] == "payment failed"
        payment.refresh_from_db()
        assert (payment.status, payment.note) == ("failed", "Your card was declined.")
        registration = Registration.objects.get(pk=payment.registration_id)
        assert registration.status == "pending" and registration.expires_at is not None

    def test_other_event_types_are_recorded_and_answered_200(self, api_client):
        response = post_stripe(
            api_client, stripe_event("evt_other", "customer.created", {"id": "cus_1"})
        )
        assert response.status_code == 200
        assert response.json()["outcome"] == "ignored"
        assert WebhookEvent.objects.get().event_type == "customer.created"


class TestRazorpayWebhooks:
    def razorpay_payment(self):
        registration = hold(paid_event("499.50"))
        with responses.RequestsMock() as http:
            http.post(
                "https://api.razorpay.com/v1/orders",
                json={
                    "id": f"order_{registration.pk}",
                    "entity": "order",
                    "amount": 49950,
                    "currency": "EUR",
                    "status": "created",
                },
            )
            response = authenticated_client(registration.user).post(
                "/api/v1/payments/",
                {"registration": registration.pk, "provider": "razorpay"},
                format="json",
            )
        return Payment.objects.get(pk=response.json()["id"])

    def post(self, client, body: bytes, event_id: str, secret=RAZORPAY_SECRET):
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return client.post(
            RAZORPAY_HOOK,
            data=body,
            content_type="application/json",
            HTTP_X_RAZORPAY_SIGNATURE=signature,
            HTTP_X_RAZORPAY_EVENT_ID=event_id,
        )

    def captured(self, payment) -> bytes:
        return json.dumps(
            {
                "entity": "event",
                "event": "payment.captured",
                "contains": ["payment"],
                "payload": {
                    "payment": {
                        "entity": {
                            "id": "pay_1",
                            "entity": "payment",
                            "amount": 49950,
                            "currency": "EUR",
                            "status": "captured",
                            "order_id": payment.provider_order_id,
                        }
                    }
                },
                "created_at": int(time.time()),
            }
        ).encode()

    def test_a_captured_payment_confirms_once(self, api_client):
        payment = self.razorpay_payment()

        for _ in range(2):
            response = self.post(api_client, self.captured(payment), "evt_rzp_1")

        assert response.status_code == 200
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.provider_payment_id == "pay_1"
        assert Ticket.objects.filter(registration=payment.registration).count() == 1
        assert WebhookEvent.objects.count() == 1

    def test_a_refund_made_at_razorpay_is_recorded_with_its_amount(self, api_client):
        payment = self.razorpay_payment()
        self.post(api_client, self.captured(payment), "evt_c")
        body = json.dumps(
            {
                "entity": "event",
                "event": "refund.processed",
                "contains": ["refund", "payment"],
                "payload": {
                    "refund": {
                        "entity": {
                            "id": "rfnd_1",
                            "entity": "refund",
                            "amount": 10000,
                            "currency": "EUR",
                            "payment_id": "pay_1",
                            "status": "processed",
                        }
                    },
                    "payment": {"entity": {"id": "pay_1", "order_id": payment.provider_order_id}},
                },
            }
        ).encode()

        response = self.post(api_client, body, "evt_r")

        assert response.json()["outcome"] == "refund recorded"
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == (
            "partially_refunded",
            Decimal("100.00"),
        )
        assert payment.refunds.get().provider_refund_id == "rfnd_1"

    def test_an_order_id_of_another_providers_payment_is_not_ours(self, api_client):
        stripe_one = stripe_payment()
        Payment.objects.filter(pk=stripe_one.pk).update(provider_order_id="order_shared")
        stripe_one.provider_order_id = "order_shared"
        response = self.post(api_client, self.captured(stripe_one), "evt_other_provider")
        assert response.json()["outcome"] == "no payment of ours"
        assert Payment.objects.get(pk=stripe_one.pk).status == "pending"

    def test_an_event_type_we_do_not_handle_is_stored_and_ignored(self, api_client):
        payment = self.razorpay_payment()
        body = json.dumps(
            {
                "entity": "event",
                "event": "order.paid",
                "contains": ["payment"],
                "payload": {
                    "payment": {"entity": {"id": "pay_9", "order_id": payment.provider_order_id}}
                },
            }
        ).encode()
        response = self.post(api_client, body, "evt_order_paid")
        assert response.json()["outcome"] == "ignored"
        assert WebhookEvent.objects.get().event_type == "order.paid"
        assert Payment.objects.get(pk=payment.pk).status == "pending"

    def test_a_forged_signature_is_refused(self, api_client):
        payment = self.razorpay_payment()
        response = self.post(api_client, self.captured(payment), "evt_x", secret="not-it")
        assert_error(response, 400, "invalid_signature")
        assert Payment.objects.get(pk=payment.pk).status == "pending"

    def test_without_a_webhook_secret_the_endpoint_says_it_is_disabled(self, api_client, settings):
        settings.RAZORPAY_WEBHOOK_SECRET = ""
        payment = self.razorpay_payment()
        assert_error(
            self.post(api_client, self.captured(payment), "evt_y"), 400, "provider_disabled"
        )


class TestRefundsTheGatewayAnswersLater:
    def test_a_pending_refund_of_ours_is_settled_by_the_charge_refunded_total(
        self, api_client, django_capture_on_commit_callbacks
    ):
        payment = stripe_payment()
        post_stripe(api_client, succeeded(payment))
        with responses.RequestsMock() as http:
            http.post(
                "https://api.stripe.com/v1/refunds",
                json={"id": "re_1", "object": "refund", "amount": 2000, "status": "pending"},
            )
            with django_capture_on_commit_callbacks(execute=True):
                authenticated_client(payment.registration.event.organizer).post(
                    f"/api/v1/payments/{payment.pk}/refund/", {}, format="json"
                )
        refund = payment.refunds.get()
        assert (refund.status, refund.provider_refund_id) == ("pending", "re_1")

        post_stripe(api_client, refunded(payment, 2000))  # no refund list on new API versions

        refund.refresh_from_db()
        payment.refresh_from_db()
        assert refund.status == "succeeded"
        assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("20.00"))
        assert payment.refunds.count() == 1

    def test_a_refund_the_gateway_refuses_is_failed_and_can_be_asked_again(
        self, api_client, django_capture_on_commit_callbacks
    ):
        payment = stripe_payment()
        post_stripe(api_client, succeeded(payment))
        organizer = authenticated_client(payment.registration.event.organizer)
        with responses.RequestsMock() as http:
            http.post(
                "https://api.stripe.com/v1/refunds",
                status=400,
                json={"error": {"type": "invalid_request_error", "message": "Not allowed."}},
            )
            with django_capture_on_commit_callbacks(execute=True):
                organizer.post(
                    f"/api/v1/payments/{payment.pk}/refund/", {"amount": "5.00"}, format="json"
                )
        refund = payment.refunds.get()
        assert refund.status == "failed" and "Not allowed." in refund.reason
        assert ActivityLog.objects.filter(action="refund_failed").count() == 1
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == ("succeeded", Decimal("0.00"))
        again = organizer.post(
            f"/api/v1/payments/{payment.pk}/refund/", {"amount": "20.00"}, format="json"
        )
        assert again.status_code == 201  # nothing is held back by the failed one
