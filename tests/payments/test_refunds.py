"""Refunds are records: partial or full, never above what remains, through the gateway after
the commit. A full refund cancels the registration; a cancellation refunds what its rules say."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from payments.models import Payment, Refund
from registrations.models import Registration
from tests.conftest import authenticated_client
from tests.factories import UserFactory
from tests.helpers import assert_error
from tests.payments.test_payments import hold, paid_event, pay, verify
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"


@pytest.fixture
def paid(django_capture_on_commit_callbacks):
    """A registration paid 40.00 EUR through the mock gateway, and its payment."""
    registration = hold(paid_event("40.00", refund_deadline_hours=24))
    payment_id = pay(registration).json()["id"]
    verify(payment_id, registration.user)
    return registration, Payment.objects.get(pk=payment_id)


def refund(payment, actor, capture, **data):
    with capture(execute=True):  # the gateway is asked after the commit
        return authenticated_client(actor).post(
            f"{PAYMENTS}{payment.pk}/refund/", data, format="json"
        )


class TestRefundingAPayment:
    def test_a_partial_then_a_full_refund(self, paid, django_capture_on_commit_callbacks):
        registration, payment = paid
        organizer = registration.event.organizer

        partial = refund(payment, organizer, django_capture_on_commit_callbacks, amount="15.00")

        assert partial.status_code == 201, partial.json()
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == (
            "partially_refunded",
            Decimal("15.00"),
        )
        registration.refresh_from_db()
        assert registration.status == "confirmed"

        rest = refund(payment, organizer, django_capture_on_commit_callbacks)

        assert rest.status_code == 201
        body = authenticated_client(organizer).get(f"{PAYMENTS}{payment.pk}/").json()
        assert (body["status"], body["refunded_amount"]) == ("refunded", "40.00")
        assert [(r["amount"], r["status"]) for r in body["refunds"]] == [
            ("15.00", "succeeded"),
            ("25.00", "succeeded"),
        ]
        registration.refresh_from_db()
        assert registration.status == "cancelled"
        ticket = registration.tickets.get()
        door = authenticated_client(organizer).post(
            "/api/v1/tickets/check_in/", {"code": ticket.code}, format="json"
        )
        assert_error(door, 409, "not_confirmed")  # its ticket no longer admits anyone
        assert Refund.objects.filter(requested_by=organizer).count() == 2
        assert ActivityLog.objects.filter(action="refund_issued").count() == 2

    def test_more_than_remains_is_refused(self, paid, django_capture_on_commit_callbacks):
        registration, payment = paid
        organizer = registration.event.organizer
        refund(payment, organizer, django_capture_on_commit_callbacks, amount="30.00")

        body = assert_error(
            refund(payment, organizer, django_capture_on_commit_callbacks, amount="10.01"),
            400,
            "validation_error",
        )

        assert body["details"] == {"amount": ["Ensure this value is at most 10.00."]}
        assert Refund.objects.count() == 1

    def test_nothing_left_is_a_conflict(self, paid, django_capture_on_commit_callbacks):
        registration, payment = paid
        organizer = registration.event.organizer
        refund(payment, organizer, django_capture_on_commit_callbacks)
        assert_error(
            refund(payment, organizer, django_capture_on_commit_callbacks),
            409,
            "not_refundable",
        )

    def test_a_pending_payment_is_not_refundable(self, django_capture_on_commit_callbacks):
        registration = hold(paid_event())
        payment = Payment.objects.get(pk=pay(registration).json()["id"])
        assert_error(
            refund(payment, registration.event.organizer, django_capture_on_commit_callbacks),
            409,
            "not_refundable",
        )

    def test_only_the_events_organizer_and_admins_refund(
        self, paid, admin_user, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        capture = django_capture_on_commit_callbacks
        assert_error(refund(payment, registration.user, capture), 403, "permission_denied")
        assert_error(refund(payment, UserFactory(), capture), 404, "not_found")
        assert refund(payment, admin_user, capture, amount="1.00").status_code == 201

    def test_an_amount_below_a_cent_is_refused(self, paid, django_capture_on_commit_callbacks):
        registration, payment = paid
        assert_error(
            refund(
                payment,
                registration.event.organizer,
                django_capture_on_commit_callbacks,
                amount="0",
            ),
            400,
            "validation_error",
        )


class TestCancellingRefundsWhatIsDue:
    def test_the_holder_cancelling_before_the_deadline_gets_everything_back(
        self, paid, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        with django_capture_on_commit_callbacks(execute=True):
            authenticated_client(registration.user).post(
                f"/api/v1/registrations/{registration.pk}/cancel/"
            )
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("40.00"))
        refund = payment.refunds.get()
        assert (refund.requested_by, refund.reason) == (
            registration.user,
            "Registration cancelled.",
        )

    def test_only_the_cancelled_registrations_own_payment_is_refunded(
        self, paid, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        neighbour = hold(registration.event)
        neighbour_payment = Payment.objects.get(pk=pay(neighbour).json()["id"])
        verify(neighbour_payment.pk, neighbour.user)
        with django_capture_on_commit_callbacks(execute=True):
            authenticated_client(registration.user).post(
                f"/api/v1/registrations/{registration.pk}/cancel/"
            )
        neighbour_payment.refresh_from_db()
        assert (neighbour_payment.status, neighbour_payment.refunded_amount) == (
            "succeeded",
            Decimal("0.00"),
        )
        assert Payment.objects.get(pk=payment.pk).status == "refunded"

    def test_what_was_refunded_before_is_not_refunded_again(
        self, paid, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        refund(
            payment,
            registration.event.organizer,
            django_capture_on_commit_callbacks,
            amount="15.00",
        )
        with django_capture_on_commit_callbacks(execute=True):
            authenticated_client(registration.user).post(
                f"/api/v1/registrations/{registration.pk}/cancel/"
            )
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("40.00"))
        assert [r.amount for r in payment.refunds.all()] == [Decimal("15.00"), Decimal("25.00")]

    def test_after_the_deadline_the_holder_gets_nothing_back(
        self, paid, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        late = registration.event.starts_at - timedelta(hours=2)
        with time_machine.travel(late), django_capture_on_commit_callbacks(execute=True):
            authenticated_client(registration.user).post(
                f"/api/v1/registrations/{registration.pk}/cancel/"
            )
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == ("succeeded", Decimal("0.00"))
        assert Registration.objects.get(pk=registration.pk).status == "cancelled"

    def test_the_organizer_cancelling_the_event_refunds_everyone_in_full(
        self, paid, django_capture_on_commit_callbacks
    ):
        registration, payment = paid
        late = timezone.now() + timedelta(days=9, hours=23)  # past the holder's deadline
        with time_machine.travel(late), django_capture_on_commit_callbacks(execute=True):
            response = authenticated_client(registration.event.organizer).post(
                f"/api/v1/events/{registration.event_id}/cancel/"
            )
        assert response.status_code == 200
        payment.refresh_from_db()
        assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("40.00"))
