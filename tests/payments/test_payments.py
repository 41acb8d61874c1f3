"""Paying a registration through the API, with the mock gateway (no money moves): the amount is
the server's, a success is applied once, and money that arrives late is never kept for a seat
that is gone."""

from datetime import timedelta
from decimal import Decimal

import pytest
import responses
import time_machine
from django.utils import timezone

from payments.models import Invoice, Payment
from registrations.models import Registration, Ticket
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    PaymentFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error
from tests.payments.test_gateway_stripe import payment_intent
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
INVOICES = "/api/v1/invoices/"


def paid_event(price="40.00", capacity=10, **fields):
    event = EventFactory(capacity=capacity, currency="EUR", **fields)
    TicketTypeFactory(event=event, name="Standard", price=Decimal(price), quantity=capacity)
    return event


def hold(event, user=None, quantity=1) -> Registration:
    """A paid registration made through the API: pending, holding its seats."""
    user = user or UserFactory()
    response = authenticated_client(user).post(
        "/api/v1/registrations/", {"event": event.pk, "quantity": quantity}, format="json"
    )
    assert response.status_code == 201, response.json()
    return Registration.objects.get(pk=response.json()["id"])


def pay(registration, **extra):
    return authenticated_client(registration.user).post(
        PAYMENTS, {"registration": registration.pk, "provider": "mock", **extra}, format="json"
    )


def verify(payment_id, user, outcome="succeeded"):
    return authenticated_client(user).post(
        f"{PAYMENTS}{payment_id}/verify/", {"outcome": outcome}, format="json"
    )


class TestStartingAPayment:
    def test_the_amount_and_currency_are_the_registrations(self):
        registration = hold(paid_event("40.00"), quantity=2)

        response = pay(registration)

        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["amount"], body["currency"], body["status"]) == ("80.00", "EUR", "pending")
        assert body["provider"] == "mock" and body["client"]["order_id"].startswith("mock_order_")
        assert body["transaction_id"].startswith("pay_")
        assert ActivityLog.objects.filter(action="payment_created").count() == 1

    def test_an_amount_the_client_sends_must_be_the_servers(self):
        registration = hold(paid_event("40.00"))
        body = assert_error(pay(registration, amount="1.00"), 400, "validation_error")
        assert body["details"] == {"amount": ["This registration costs 40.00."]}
        assert not Payment.objects.exists()
        assert pay(registration, amount="40.00").status_code == 201

    def test_asking_again_while_one_is_pending_answers_that_one(self):
        registration = hold(paid_event())
        first = pay(registration).json()

        again = pay(registration)

        assert again.status_code == 200
        assert again.json()["id"] == first["id"]
        assert Payment.objects.count() == 1

    def test_someone_elses_registration_reads_like_one_that_does_not_exist(self):
        registration = hold(paid_event())
        response = authenticated_client(UserFactory()).post(
            PAYMENTS, {"registration": registration.pk, "provider": "mock"}, format="json"
        )
        body = assert_error(response, 400, "validation_error")
        assert "does not exist" in body["details"]["registration"][0]

    def test_a_free_registration_has_nothing_to_pay(self):
        event = EventFactory()
        TicketTypeFactory(event=event, price=Decimal("0.00"))
        assert_error(pay(hold(event)), 409, "invalid_state")

    def test_a_paid_registration_is_not_paid_twice(self):
        registration = hold(paid_event())
        verify(pay(registration).json()["id"], registration.user)
        assert_error(pay(registration), 409, "already_paid")

    def test_a_hold_that_ran_out_cannot_be_paid(self):
        registration = hold(paid_event())
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert_error(pay(registration), 409, "invalid_state")

    def test_a_registration_awaiting_approval_cannot_be_paid_yet(self):
        registration = hold(paid_event(requires_approval=True))
        assert_error(pay(registration), 409, "invalid_state")
        authenticated_client(registration.event.organizer).post(
            f"/api/v1/registrations/{registration.pk}/confirm/"
        )
        assert pay(registration).status_code == 201

    def test_a_provider_without_keys_is_disabled(self, settings):
        registration = hold(paid_event())
        settings.STRIPE_SECRET_KEY = ""
        body = assert_error(
            authenticated_client(registration.user).post(
                PAYMENTS, {"registration": registration.pk, "provider": "stripe"}, format="json"
            ),
            400,
            "provider_disabled",
        )
        assert "provider" in body["details"]
        settings.PAYMENTS_MOCK_ENABLED = False
        assert_error(pay(registration), 400, "provider_disabled")

    def test_an_unknown_provider_is_refused(self):
        registration = hold(paid_event())
        response = authenticated_client(registration.user).post(
            PAYMENTS, {"registration": registration.pk, "provider": "paypal"}, format="json"
        )
        assert_error(response, 400, "validation_error")


class TestASuccessIsAppliedOnce:
    def test_it_confirms_the_registration_with_tickets_and_an_invoice(self):
        registration = hold(paid_event("40.00"), quantity=2)
        payment = pay(registration).json()

        response = verify(payment["id"], registration.user)

        assert response.status_code == 200
        assert response.json()["status"] == "succeeded"
        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert Ticket.objects.filter(registration=registration).count() == 2
        invoice = Invoice.objects.get(payment_id=payment["id"])
        assert invoice.number == f"INV-{timezone.now().year}-000001"
        assert (invoice.total, invoice.currency) == (Decimal("80.00"), "EUR")
        assert ActivityLog.objects.filter(action="payment_succeeded").count() == 1

    def test_verifying_again_changes_nothing(self):
        registration = hold(paid_event())
        payment = pay(registration).json()
        verify(payment["id"], registration.user)

        again = verify(payment["id"], registration.user)

        assert again.status_code == 200 and again.json()["status"] == "succeeded"
        assert Ticket.objects.filter(registration=registration).count() == 1
        assert Invoice.objects.count() == 1
        assert ActivityLog.objects.filter(action="payment_succeeded").count() == 1

    def test_a_failed_payment_keeps_the_hold_and_the_user_may_pay_again(self):
        registration = hold(paid_event())
        payment = pay(registration).json()

        failed = verify(payment["id"], registration.user, outcome="failed")

        assert failed.json()["status"] == "failed" and failed.json()["note"]
        registration.refresh_from_db()
        assert registration.status == "pending"
        second = pay(registration)
        assert second.status_code == 201 and second.json()["id"] != payment["id"]

    def test_invoice_numbers_follow_each_other(self):
        event = paid_event()
        numbers = []
        for _ in range(3):
            registration = hold(event)
            verify(pay(registration).json()["id"], registration.user)
            numbers.append(Invoice.objects.get(payment__registration=registration).number)
        year = timezone.now().year
        assert numbers == [f"INV-{year}-{n:06d}" for n in (1, 2, 3)]


class TestMoneyThatArrivesLate:
    """The hold ran out before the payment succeeded."""

    def test_the_seats_still_free_are_confirmed_for_it(self):
        registration = hold(paid_event(capacity=1))
        payment = pay(registration).json()

        with time_machine.travel(timezone.now() + timedelta(minutes=20)):
            response = verify(payment["id"], registration.user)

        assert response.json()["status"] == "succeeded"
        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert Invoice.objects.filter(payment_id=payment["id"]).exists()

    def test_seats_taken_meanwhile_mean_a_full_refund_and_no_oversold_seat(
        self, django_capture_on_commit_callbacks
    ):
        event = paid_event(capacity=1)
        late = hold(event)
        payment = pay(late).json()
        with time_machine.travel(timezone.now() + timedelta(minutes=20)):
            taker = hold(event)  # the seat went to someone else once the hold ran out

            with django_capture_on_commit_callbacks(execute=True):  # the refund, after commit
                verify(payment["id"], late.user)

        body = authenticated_client(late.user).get(f"{PAYMENTS}{payment['id']}/").json()
        assert body["status"] == "refunded"
        assert body["refunded_amount"] == "40.00"
        assert "refunded in full" in body["note"]
        assert [r["status"] for r in body["refunds"]] == ["succeeded"]
        late.refresh_from_db()
        assert late.status != "confirmed"
        assert not Ticket.objects.filter(registration=late).exists()
        assert not Invoice.objects.filter(payment_id=payment["id"]).exists()
        assert Registration.objects.get(pk=taker.pk).status == "pending"
        assert ActivityLog.objects.filter(action="refund_issued").count() == 1

    def test_a_registration_cancelled_while_paying_is_refunded(
        self, django_capture_on_commit_callbacks
    ):
        registration = hold(paid_event())
        payment = pay(registration).json()
        authenticated_client(registration.user).post(
            f"/api/v1/registrations/{registration.pk}/cancel/"
        )

        with django_capture_on_commit_callbacks(execute=True):
            verify(payment["id"], registration.user)

        body = authenticated_client(registration.user).get(f"{PAYMENTS}{payment['id']}/").json()

        assert body["status"] == "refunded"
        registration.refresh_from_db()
        assert registration.status == "cancelled"


class TestWhoSeesWhat:
    def test_the_payer_the_events_organizer_and_admins_see_a_payment(self, admin_user):
        payment = PaymentFactory()
        organizer = payment.registration.event.organizer
        for viewer in (payment.user, organizer, admin_user):
            assert authenticated_client(viewer).get(f"{PAYMENTS}{payment.pk}/").status_code == 200
        for stranger in (UserFactory(), OrganizerFactory()):
            assert_error(
                authenticated_client(stranger).get(f"{PAYMENTS}{payment.pk}/"), 404, "not_found"
            )

    def test_only_the_payer_verifies(self):
        payment = PaymentFactory()
        organizer = payment.registration.event.organizer
        assert_error(verify(payment.pk, organizer), 403, "permission_denied")
        assert_error(verify(payment.pk, UserFactory()), 404, "not_found")

    def test_the_receipt_is_the_payers_and_the_admins(self, admin_user):
        registration = hold(paid_event("25.00"))
        payment = pay(registration).json()
        verify(payment["id"], registration.user)
        url = f"{PAYMENTS}{payment['id']}/receipt/"

        receipt = authenticated_client(registration.user).get(url).json()

        assert receipt["amount"] == "25.00" and receipt["status"] == "succeeded"
        assert receipt["invoice_number"].startswith("INV-")
        assert receipt["event"]["title"] == registration.event.title
        assert authenticated_client(admin_user).get(url).status_code == 200
        organizer = registration.event.organizer
        assert_error(authenticated_client(organizer).get(url), 403, "permission_denied")

    def test_lists_are_scoped_and_filtered(self, admin_user):
        mine = PaymentFactory()
        PaymentFactory()
        listed = authenticated_client(mine.user).get(PAYMENTS).json()
        assert [p["id"] for p in listed["results"]] == [mine.pk]
        event = mine.registration.event_id
        assert (
            authenticated_client(admin_user).get(f"{PAYMENTS}?event={event}").json()["count"] == 1
        )
        assert (
            authenticated_client(admin_user).get(f"{PAYMENTS}?status=succeeded").json()["count"]
            == 0
        )

    def test_the_list_query_count_is_fixed(self, admin_user, django_assert_max_num_queries):
        for _ in range(16):
            PaymentFactory()
        with django_assert_max_num_queries(5):
            response = authenticated_client(admin_user).get(PAYMENTS)
        assert response.json()["count"] == 16

    def test_invoices_are_seen_by_the_payer_and_the_events_organizer(self, admin_user):
        registration = hold(paid_event())
        verify(pay(registration).json()["id"], registration.user)
        invoice = Invoice.objects.get()
        organizer = registration.event.organizer
        for viewer in (registration.user, organizer, admin_user):
            response = authenticated_client(viewer).get(f"{INVOICES}{invoice.pk}/")
            assert response.status_code == 200
            assert response.json()["number"] == invoice.number
        assert_error(
            authenticated_client(UserFactory()).get(f"{INVOICES}{invoice.pk}/"), 404, "not_found"
        )
        found = authenticated_client(admin_user).get(f"{INVOICES}?search={invoice.number}")
        assert found.json()["count"] == 1
        assert authenticated_client(admin_user).get(f"{INVOICES}?is_sent=true").json()["count"] == 0


class TestWhatTheReviewFound:
    """Money paths a review of the first version showed to be wrong."""

    def test_money_for_a_cancelled_event_is_refunded_never_a_revived_seat(
        self, django_capture_on_commit_callbacks
    ):
        registration = hold(paid_event())
        payment = pay(registration).json()
        later = timezone.now() + timedelta(minutes=20)
        with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
            authenticated_client(registration.event.organizer).post(
                f"/api/v1/events/{registration.event_id}/cancel/"
            )
            verify(payment["id"], registration.user)
        registration.refresh_from_db()
        assert registration.status != "confirmed"
        assert Payment.objects.get(pk=payment["id"]).status == "refunded"
        assert not Invoice.objects.exists()

    def test_a_late_payment_after_registering_again_is_refunded_not_a_500(
        self, django_capture_on_commit_callbacks
    ):
        event = paid_event()
        first = hold(event)
        payment = pay(first).json()
        with time_machine.travel(timezone.now() + timedelta(minutes=20)):
            again = hold(event, user=first.user)  # the old hold ran out: a new one
            with django_capture_on_commit_callbacks(execute=True):
                response = verify(payment["id"], first.user)
        assert response.status_code == 200
        assert Payment.objects.get(pk=payment["id"]).status == "refunded"
        assert Registration.objects.get(pk=again.pk).status == "pending"

    def test_a_second_payment_of_a_paid_place_is_refunded_and_the_place_kept(
        self, django_capture_on_commit_callbacks
    ):
        registration = hold(paid_event())
        first = pay(registration).json()
        verify(first["id"], registration.user, outcome="failed")  # the card failed...
        second = pay(registration).json()
        verify(second["id"], registration.user)  # ...another card paid
        # The first checkout is completed after all (a gateway retrying the same order).
        Payment.objects.filter(pk=first["id"]).update(status="pending")
        with django_capture_on_commit_callbacks(execute=True):
            verify(first["id"], registration.user)
        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert Payment.objects.get(pk=first["id"]).status == "refunded"
        assert Payment.objects.get(pk=second["id"]).status == "succeeded"

    def test_an_amount_the_currency_cannot_express_is_a_400(self, settings):
        settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
        event = EventFactory(currency="JPY")
        TicketTypeFactory(event=event, price=Decimal("1500.50"))
        registration = hold(event)
        response = authenticated_client(registration.user).post(
            PAYMENTS, {"registration": registration.pk, "provider": "stripe"}, format="json"
        )
        body = assert_error(response, 400, "validation_error")
        assert "amount" in body["details"]

    def test_paying_another_way_replaces_the_pending_checkout(self, settings):
        registration = hold(paid_event())
        first = pay(registration).json()
        settings.PAYMENTS_MOCK_ENABLED = True
        again = pay(registration)
        assert again.json()["id"] == first["id"]  # same provider: the same checkout
        settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
        with responses.RequestsMock() as http:
            http.post("https://api.stripe.com/v1/payment_intents", json=payment_intent())
            switched = authenticated_client(registration.user).post(
                PAYMENTS, {"registration": registration.pk, "provider": "stripe"}, format="json"
            )
        assert switched.status_code == 201
        old = Payment.objects.get(pk=first["id"])
        assert (old.status, old.note) == ("failed", "Replaced by a payment with stripe.")


def test_a_verify_call_with_an_outcome_that_is_not_one_is_a_400_and_changes_nothing():
    registration = hold(paid_event())
    payment = pay(registration).json()
    body = assert_error(
        verify(payment["id"], registration.user, outcome="maybe"), 400, "validation_error"
    )
    assert "outcome" in body["details"]
    assert Payment.objects.get(pk=payment["id"]).status == "pending"
