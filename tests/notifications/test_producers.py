"""Who is told what: each change the services make tells the people it happened to, once, and
nobody else. The changes are made through the real services (the API where it is the way in);
the notifications follow their facts after the commit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.facts import fact_type, record
from events.services import cancel_event, update_event
from notifications.models import Notification
from notifications.services import producers
from payments.services import refund_payment
from registrations.models import Registration, RegistrationStatus, WaitlistEntry
from registrations.services import booking, waitlist
from tests.conftest import authenticated_client
from tests.factories import EventFactory, TicketTypeFactory, UserFactory
from tests.helpers import iso
from users.models import ActivityLog, User

pytestmark = pytest.mark.django_db

CERTIFICATE_ISSUED = fact_type("certificate.issued", action="certificate_issued")


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what follows the commit (the fact handlers, their e-mails) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("type", flat=True)
    )


def free_event(capacity=10, **fields):
    event = EventFactory(capacity=capacity, **fields)
    TicketTypeFactory(event=event, name="Free", price=Decimal("0.00"), quantity=capacity)
    return event


def paid_event(capacity=10, price="30.00", **fields):
    event = EventFactory(capacity=capacity, currency="EUR", **fields)
    TicketTypeFactory(event=event, name="Standard", price=Decimal(price), quantity=capacity)
    return event


def pay(registration):
    client = authenticated_client(registration.user)
    payment = client.post(
        "/api/v1/payments/", {"registration": registration.pk, "provider": "mock"}
    ).json()
    return client.post(f"/api/v1/payments/{payment['id']}/verify/", {"outcome": "succeeded"})


class TestBooking:
    def test_a_free_booking_tells_its_holder_they_are_going(self, user, after_commit):
        event = free_event()
        bystander = UserFactory()

        with after_commit():
            booking.register_for_event(user=user, event=event)

        notification = Notification.objects.get(user=user)
        assert notification.type == "registration_confirmed"
        assert notification.title == f"You're going: {event.title}"
        assert notification.event == event and not notification.is_read
        assert "1 seat (Free) confirmed" in notification.message
        assert told(bystander) == [] and told(event.organizer) == []

    def test_a_paid_booking_says_until_when_the_seats_are_held(self, user, after_commit):
        event = paid_event(timezone="Europe/Berlin")

        with after_commit():
            registration = booking.register_for_event(user=user, event=event)

        notification = Notification.objects.get(user=user)
        assert notification.type == "registration_pending"
        assert "Pay 30.00 EUR by then" in notification.message
        assert "(Europe/Berlin)" in notification.message
        assert notification.data == {
            "registration": registration.pk,
            "expires_at": iso(registration.expires_at),
        }

    def test_a_booking_awaiting_approval_says_so_and_the_decision_is_told_too(
        self, user, after_commit
    ):
        event = paid_event(requires_approval=True)
        with after_commit():
            registration = booking.register_for_event(user=user, event=event)
        with after_commit():
            booking.approve_registration(registration=registration, actor=event.organizer)

        first, second = Notification.objects.filter(user=user).order_by("id")
        assert (first.type, first.title) == (
            "registration_pending",
            f"Awaiting approval: {event.title}",
        )
        assert (second.type, second.title) == (
            "registration_pending",
            f"Approved, now pay: {event.title}",
        )
        assert "Pay 30.00 EUR by " in second.message

    def test_an_approved_free_booking_is_told_as_confirmed_only(self, user, after_commit):
        event = free_event(requires_approval=True)
        with after_commit():
            registration = booking.register_for_event(user=user, event=event)
            booking.approve_registration(registration=registration, actor=event.organizer)

        assert told(user) == ["registration_pending", "registration_confirmed"]

    def test_a_rejection_tells_the_person_they_were_not_accepted(self, user, after_commit):
        event = free_event(requires_approval=True)
        registration = booking.register_for_event(user=user, event=event)

        with after_commit():
            booking.reject_registration(registration=registration, actor=event.organizer)

        notification = Notification.objects.get(user=user)
        assert (notification.type, notification.title) == (
            "registration_cancelled",
            f"Not accepted: {event.title}",
        )


class TestCancelling:
    def test_cancelling_ones_own_place_is_confirmed_to_the_holder(self, user, after_commit):
        registration = booking.register_for_event(user=user, event=free_event())

        with after_commit():
            booking.cancel_registration(registration=registration, actor=user)

        notification = Notification.objects.get(user=user)
        assert notification.type == "registration_cancelled"
        assert notification.message.startswith("You cancelled your registration")
        assert notification.data == {"registration": registration.pk, "refund_due": "0.00"}

    def test_a_cancellation_by_the_organizer_says_who_and_what_comes_back(self, after_commit):
        event = paid_event()
        registration = booking.register_for_event(user=UserFactory(), event=event)
        pay(registration)

        with after_commit():
            booking.cancel_registration(registration=registration, actor=event.organizer)

        cancelled = Notification.objects.get(user=registration.user, type="registration_cancelled")
        assert cancelled.message == (
            f"The organizer cancelled your registration for {event.title}. "
            "30.00 EUR is being refunded to you."
        )
        assert Notification.objects.filter(user=registration.user, type="refund_issued").exists()
        assert told(event.organizer) == []


class TestTheWaitlist:
    def test_a_paid_place_that_opens_up_is_offered_to_the_next_in_line_only(self, after_commit):
        event = paid_event(capacity=1)
        holder = booking.register_for_event(user=UserFactory(), event=event)
        pay(holder)
        first, second = UserFactory(), UserFactory()
        waitlist.join_waitlist(user=first, event=event)
        waitlist.join_waitlist(user=second, event=event)

        with after_commit():
            booking.cancel_registration(registration=holder, actor=event.organizer)

        offer = Notification.objects.get(user=first)
        assert offer.type == "waitlist_offer"
        assert offer.title == f"A place opened up: {event.title}"
        entry = WaitlistEntry.objects.get(user=first)
        assert offer.data["waitlist_entry"] == entry.pk
        assert offer.data["registration"] == entry.registration_id
        assert "Pay 30.00 EUR by " in offer.message
        assert told(second) == []

    def test_a_free_place_from_the_waitlist_is_a_confirmation_that_says_so(self, after_commit):
        event = free_event(capacity=1)
        holder = booking.register_for_event(user=UserFactory(), event=event)
        waiting = UserFactory()
        waitlist.join_waitlist(user=waiting, event=event)

        with after_commit():
            booking.cancel_registration(registration=holder, actor=holder.user)

        notification = Notification.objects.get(user=waiting)
        assert notification.type == "registration_confirmed"
        assert notification.message.startswith("A place opened up on the waitlist and it is yours")


class TestMoney:
    def test_a_successful_payment_sends_a_receipt_and_a_confirmation(self, user, after_commit):
        event = paid_event()
        registration = booking.register_for_event(user=user, event=event)

        with after_commit():
            assert pay(registration).status_code == 200

        assert told(user) == ["registration_confirmed", "payment_succeeded"]
        receipt = Notification.objects.get(user=user, type="payment_succeeded")
        assert receipt.message.startswith("We received 30.00 EUR for 1 seat (Standard)")
        assert receipt.data["amount"] == "30.00" and receipt.data["currency"] == "EUR"

    def test_a_failed_payment_says_the_seats_stay_held(self, user, after_commit):
        registration = booking.register_for_event(user=user, event=paid_event())
        client = authenticated_client(user)
        payment = client.post(
            "/api/v1/payments/", {"registration": registration.pk, "provider": "mock"}
        ).json()

        with after_commit():
            client.post(f"/api/v1/payments/{payment['id']}/verify/", {"outcome": "failed"})

        failed = Notification.objects.get(user=user, type="payment_failed")
        assert failed.title == f"Payment failed: {registration.event.title}"
        assert "Your seats stay held until" in failed.message

    def test_a_refund_is_told_to_the_payer_not_to_the_organizer_who_made_it(self, after_commit):
        event = paid_event()
        registration = booking.register_for_event(user=UserFactory(), event=event)
        pay(registration)
        payment = registration.payments.get()

        with after_commit():
            refund_payment(payment=payment, amount=Decimal("10.00"), actor=event.organizer)

        refund = Notification.objects.get(user=registration.user, type="refund_issued")
        assert refund.message.startswith(f"10.00 EUR of your payment for {event.title}")
        assert refund.data["amount"] == "10.00"
        assert told(event.organizer) == []


class TestChangesToTheEvent:
    def test_a_new_time_or_place_is_told_to_everyone_holding_a_place(self, after_commit):
        event = paid_event(capacity=5, requires_approval=False)
        confirmed = booking.register_for_event(user=UserFactory(), event=event)
        pay(confirmed)
        pending = booking.register_for_event(user=UserFactory(), event=event)
        gone = booking.register_for_event(user=UserFactory(), event=event)
        booking.cancel_registration(registration=gone, actor=gone.user)
        Notification.objects.all().delete()

        with after_commit():
            update_event(
                event=event,
                actor=event.organizer,
                starts_at=event.starts_at + timedelta(days=1),
                ends_at=event.ends_at + timedelta(days=1),
                location="Room 4",
            )

        told_users = set(Notification.objects.values_list("user", flat=True))
        assert told_users == {confirmed.user_id, pending.user_id}
        notification = Notification.objects.get(user=confirmed.user)
        assert notification.type == "event_updated"
        assert "It now starts" in notification.message and "at Room 4" in notification.message
        assert notification.data == {"changed": ["ends_at", "location", "starts_at"]}

    def test_a_change_that_is_neither_time_nor_place_tells_nobody(self, user, after_commit):
        event = free_event()
        booking.register_for_event(user=user, event=event)
        Notification.objects.all().delete()

        with after_commit():
            update_event(event=event, actor=event.organizer, description="New words.")

        assert not Notification.objects.exists()

    def test_a_cancelled_event_is_told_once_to_each_attendee_and_each_waiting(self, after_commit):
        event = free_event(capacity=2)
        attendees = [
            booking.register_for_event(user=UserFactory(), event=event).user for _ in range(2)
        ]
        waiting = UserFactory()
        waitlist.join_waitlist(user=waiting, event=event)
        Notification.objects.all().delete()

        with after_commit():
            cancel_event(event=event, actor=event.organizer)

        for person in [*attendees, waiting]:
            assert told(person) == ["event_cancelled"]
        assert told(event.organizer) == []
        on_the_list = Notification.objects.get(user=waiting)
        assert "You were on its waitlist" in on_the_list.message
        assert ActivityLog.objects.filter(action="waitlist_left").get().metadata == {
            "event": event.pk,
            "event_cancelled": True,
        }


class TestFromAppsAbove:
    def test_an_issued_certificate_is_told_from_its_fact_alone(self, user, after_commit):
        event = free_event()

        with after_commit():
            record(
                CERTIFICATE_ISSUED,
                user=user,
                target=event,  # any object: only its id is read, as the certificate's
                data={
                    "user": user.pk,
                    "event": event.pk,
                    "event_title": event.title,
                    "number": "CERT-7Q2X",
                },
            )

        notification = Notification.objects.get(user=user)
        assert notification.type == "certificate_issued"
        assert notification.title == f"Your certificate: {event.title}"
        assert notification.data == {"certificate": event.pk, "number": "CERT-7Q2X"}


class TestOncePerFact:
    def test_facts_handled_again_tell_nobody_twice(self, user, django_capture_on_commit_callbacks):
        event = free_event()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            booking.register_for_event(user=user, event=event)

        for callback in callbacks:  # a retried task delivers the same facts again
            callback()

        assert told(user) == ["registration_confirmed"]


class TestFanOut:
    def test_an_event_with_a_thousand_attendees_is_told_in_a_few_queries(
        self, django_capture_on_commit_callbacks
    ):
        """Every handler that follows the cancellation (notifications, webhooks, refunds, the
        cache) together: a fixed number of queries per 500 people, not one per person."""
        event = free_event(capacity=1000)
        ticket_type = event.ticket_types.get()
        people = User.objects.bulk_create(
            User(username=f"attendee{n}", email=f"attendee{n}@example.com") for n in range(1000)
        )
        Registration.objects.bulk_create(
            Registration(
                event=event,
                user=person,
                ticket_type=ticket_type,
                quantity=1,
                status=RegistrationStatus.CONFIRMED,
                unit_price=Decimal("0.00"),
                total_price=Decimal("0.00"),
                currency=event.currency,
                confirmed_at=timezone.now(),
            )
            for person in people
        )
        with django_capture_on_commit_callbacks() as handlers:
            cancel_event(event=event, actor=event.organizer)

        with CaptureQueriesContext(connection) as queries:
            for handler in handlers:  # what follows the commit, e-mails queued not sent
                handler()

        assert Notification.objects.filter(type="event_cancelled").count() == 1000
        # 28 on SQLite (its inserts take about 70 rows each); one query per person is 1000+
        assert len(queries) <= 40, [query["sql"][:80] for query in queries]


def test_every_producer_is_subscribed():
    from config.facts import _handlers

    subscribed = {
        name
        for name, subscriptions in _handlers.items()
        if any(s.handler is producers.notify_about for s in subscriptions)
    }
    assert subscribed == set(producers.PRODUCERS)
