"""Money in the Django admin: read-only records, found by the ids finance is given, and a
refund action that goes through the same service as the API."""

import pytest

from payments.models import Payment
from tests.helpers import admin_change_url, assert_admin_lists
from tests.payments.test_payments import hold, paid_event, pay, verify

pytestmark = pytest.mark.django_db

PAYMENTS = "/admin/payments/payment/"


@pytest.fixture
def paid():
    registration = hold(paid_event("40.00"))
    verify(pay(registration).json()["id"], registration.user)
    return Payment.objects.get()


@pytest.mark.parametrize("field", ["transaction_id", "provider_order_id", "provider_payment_id"])
def test_a_payment_is_found_by_its_ids(admin_site, paid, field):
    other = Payment.objects.get(pk=pay(hold(paid_event())).json()["id"])
    page = admin_site.get(f"{PAYMENTS}?q={getattr(paid, field)}")
    assert_admin_lists(page, shown=[paid], hidden=[other])


def test_a_payment_is_found_by_its_invoice_number(admin_site, paid):
    page = admin_site.get(f"{PAYMENTS}?q={paid.invoice.number}")
    assert_admin_lists(page, shown=[paid])


def test_payments_cannot_be_edited_or_deleted(admin_site, paid):
    assert admin_site.get(admin_change_url(paid)).status_code == 200  # viewable
    assert admin_site.post(admin_change_url(paid), {"amount": "1.00"}).status_code == 403
    assert admin_site.get(f"{PAYMENTS}{paid.pk}/delete/").status_code == 403


def test_the_refund_action_refunds_through_the_service(
    admin_site, admin_user, paid, django_capture_on_commit_callbacks
):
    pending = Payment.objects.get(pk=pay(hold(paid_event())).json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_site.post(
            PAYMENTS,
            {"action": "refund_in_full", "_selected_action": [paid.pk, pending.pk]},
            follow=True,
        )
    messages = [str(m) for m in response.context["messages"]]
    assert "1 payments refunded." in messages
    assert any("pending" in m for m in messages)
    paid.refresh_from_db()
    assert paid.status == "refunded"
    assert paid.refunds.get().requested_by == admin_user
    assert paid.registration.status == "cancelled"
    assert Payment.objects.get(pk=pending.pk).status == "pending"
