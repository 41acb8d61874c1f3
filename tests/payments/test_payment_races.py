"""Money under concurrency, on PostgreSQL with real threads (own connections, released
together): a success applied once however many confirmations race, refunds that never pass
what was paid, and invoice numbers consecutive and never shared."""

import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import responses
from django.utils import timezone

from payments import services
from payments.models import Invoice, Payment, Refund
from registrations.models import Ticket
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    PaymentFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.registrations.test_concurrency import run_at_once
from users.models import ActivityLog

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

attempts = pytest.mark.parametrize("attempt", range(3))


def pending_payment(price="30.00"):
    event = EventFactory(capacity=20, currency="EUR")
    ticket_type = TicketTypeFactory(event=event, price=Decimal(price), quantity=20)
    return PaymentFactory(
        registration=RegistrationFactory(
            event=event,
            ticket_type=ticket_type,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=15),
        )
    )


@attempts
def test_a_success_confirmed_many_times_at_once_is_applied_once(attempt):
    payment = pending_payment()
    payer = authenticated_client(payment.user)

    responses = run_at_once(
        8,
        lambda i: payer.post(
            f"/api/v1/payments/{payment.pk}/verify/", {"outcome": "succeeded"}, format="json"
        ),
    )

    assert all(r.status_code == 200 for r in responses), responses
    assert Ticket.objects.filter(registration=payment.registration).count() == 1
    assert Invoice.objects.filter(payment=payment).count() == 1
    assert ActivityLog.objects.filter(action="payment_succeeded").count() == 1


@attempts
def test_refunds_asked_at_once_never_pass_what_was_paid(attempt):
    payment = pending_payment("30.00")
    services.apply_success(payment=payment, provider_payment_id="mock_pay")
    organizer = authenticated_client(payment.registration.event.organizer)

    responses = run_at_once(
        6,
        lambda i: organizer.post(
            f"/api/v1/payments/{payment.pk}/refund/", {"amount": "10.00"}, format="json"
        ),
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 201, 201, 409, 409, 409], [r.json() for r in responses]
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("30.00")
    assert payment.status == "refunded"
    assert Refund.objects.filter(payment=payment).count() == 3


@attempts
def test_invoice_numbers_taken_at_once_are_consecutive_and_never_shared(attempt):
    payments = [pending_payment() for _ in range(10)]

    results = run_at_once(
        10,
        lambda i: services.apply_success(payment=payments[i], provider_payment_id=f"p{i}"),
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    year = timezone.now().year
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, 11)]
    assert Payment.objects.filter(status="succeeded").count() == 10


@attempts
def test_verify_calls_and_webhooks_racing_apply_one_success(attempt, settings):
    """The client's verify calls and the gateway's webhooks (distinct deliveries of the same
    success) arrive together: one confirmation, one invoice, one log entry."""
    settings.RAZORPAY_KEY_ID = "rzp_test_x"
    settings.RAZORPAY_KEY_SECRET = "rzp_secret_x"
    settings.RAZORPAY_WEBHOOK_SECRET = "rzp_webhook_secret"
    settings.RAZORPAY_API_BASE = "https://api.razorpay.com"
    payment = pending_payment("499.50")
    Payment.objects.filter(pk=payment.pk).update(provider="razorpay", provider_order_id="order_r")
    order, paid_id = "order_r", "pay_r"
    signature = hmac.new(b"rzp_secret_x", f"{order}|{paid_id}".encode(), hashlib.sha256)
    verify_body = {
        "razorpay_order_id": order,
        "razorpay_payment_id": paid_id,
        "razorpay_signature": signature.hexdigest(),
    }
    hook = json.dumps(
        {
            "entity": "event",
            "event": "payment.captured",
            "contains": ["payment"],
            "payload": {
                "payment": {"entity": {"id": paid_id, "status": "captured", "order_id": order}}
            },
        }
    ).encode()
    hook_signature = hmac.new(b"rzp_webhook_secret", hook, hashlib.sha256).hexdigest()
    payer = authenticated_client(payment.user)
    gateway = authenticated_client(UserFactory())

    def act(i):
        if i % 2:
            return gateway.post(
                "/api/v1/payments/webhooks/razorpay/",
                data=hook,
                content_type="application/json",
                HTTP_X_RAZORPAY_SIGNATURE=hook_signature,
                HTTP_X_RAZORPAY_EVENT_ID=f"evt_{i}",
            )
        return payer.post(f"/api/v1/payments/{payment.pk}/verify/", verify_body, format="json")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        http.get(
            f"https://api.razorpay.com/v1/payments/{paid_id}",
            json={"id": paid_id, "status": "captured", "order_id": order, "amount": 49950},
        )
        results = run_at_once(8, act)

    assert all(r.status_code == 200 for r in results), [r.json() for r in results]
    assert Ticket.objects.filter(registration=payment.registration).count() == 1
    assert Invoice.objects.filter(payment=payment).count() == 1
    assert ActivityLog.objects.filter(action="payment_succeeded").count() == 1
