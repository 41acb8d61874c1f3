"""`registrations/`: booking, holds, approval, cancellation, and who may see and do what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.models import Registration, Ticket
from registrations.services import booking
from tests.conftest import authenticated_client
from tests.factories import (
    AdminFactory,
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrations/"

CONTRACT_FIELDS = {
    "id",
    "event",
    "event_title",
    "user",
    "user_name",
    "ticket_type",
    "quantity",
    "status",
    "promo_code",
    "discount_amount",
    "unit_price",
    "total_price",
    "currency",
    "special_requirements",
    "expires_at",
    "tickets",
    "payment_status",
    "created_at",
    "confirmed_at",
    "cancelled_at",
}


def free_event(**overrides):
    event = EventFactory(**overrides)
    TicketTypeFactory(event=event, name="Free", price=Decimal("0.00"), quantity=event.capacity)
    return event


def paid_event(price="25.00", **overrides):
    event = EventFactory(currency="EUR", **overrides)
    TicketTypeFactory(event=event, name="Standard", price=Decimal(price), quantity=event.capacity)
    return event


class TestBooking:
    def test_a_free_event_confirms_at_once_with_one_ticket_per_seat(self, user_client, user):
        event = free_event()
        response = user_client.post(URL, {"event": event.pk, "quantity": 3}, format="json")

        assert response.status_code == 201, response.json()
        body = response.json()
        assert set(body) == CONTRACT_FIELDS
        assert body["status"] == "confirmed" and body["confirmed_at"]
        assert body["user"] == user.pk and body["quantity"] == 3
        assert body["total_price"] == "0.00" and body["payment_status"] == "free"
        assert body["expires_at"] is None
        codes = [ticket["code"] for ticket in body["tickets"]]
        assert len(codes) == 3 and len(set(codes)) == 3
        assert all(len(code) >= 32 for code in codes)  # 192 random bits, base64url
        entry = ActivityLog.objects.get(action="registration_created")
        assert entry.user == user and entry.target_id == str(body["id"])

    def test_a_paid_event_holds_the_seats_pending_payment(self, user_client, settings):
        settings.REGISTRATION_HOLD_MINUTES = 15
        event = paid_event(price="25.00")
        before = timezone.now()

        body = user_client.post(URL, {"event": event.pk, "quantity": 2}, format="json").json()

        assert body["status"] == "pending" and body["tickets"] == []
        assert body["unit_price"] == "25.00" and body["total_price"] == "50.00"
        assert body["currency"] == "EUR" and body["payment_status"] == "unpaid"
        expires = Registration.objects.get(pk=body["id"]).expires_at
        assert before + timedelta(minutes=14) < expires <= timezone.now() + timedelta(minutes=15)

    def test_the_price_comes_from_the_server_not_the_client(self, user_client):
        event = paid_event(price="40.00")
        body = user_client.post(
            URL, {"event": event.pk, "unit_price": "0.01", "total_price": "0.01"}, format="json"
        ).json()
        assert body["unit_price"] == "40.00" and body["total_price"] == "40.00"

    def test_the_cheapest_ticket_type_on_sale_is_the_default(self, user_client):
        event = EventFactory()
        TicketTypeFactory(event=event, name="VIP", price="90.00")
        cheap = TicketTypeFactory(event=event, name="Regular", price="10.00")
        TicketTypeFactory(event=event, name="Hidden", price="1.00", is_active=False)
        TicketTypeFactory(
            event=event, name="Later", price="2.00", sales_start=timezone.now() + timedelta(days=1)
        )
        body = user_client.post(URL, {"event": event.pk}, format="json").json()
        assert body["ticket_type"] == cheap.pk

    def test_a_chosen_ticket_type_is_used(self, user_client):
        event = EventFactory()
        TicketTypeFactory(event=event, price="10.00")
        vip = TicketTypeFactory(event=event, name="VIP", price="90.00")
        body = user_client.post(
            URL, {"event": event.pk, "ticket_type": vip.pk}, format="json"
        ).json()
        assert body["ticket_type"] == vip.pk and body["total_price"] == "90.00"

    def test_an_event_requiring_approval_holds_the_seats_until_decided(self, user_client):
        event = free_event(requires_approval=True, capacity=1)
        body = user_client.post(URL, {"event": event.pk}, format="json").json()
        assert body["status"] == "pending" and body["expires_at"] is None
        assert body["tickets"] == [] and body["confirmed_at"] is None

        # The one seat is held: the event is sold out for everyone else...
        other = authenticated_client(UserFactory())
        detail = other.get(f"/api/v1/events/{event.pk}/").json()
        assert detail["available_spots"] == 0 and detail["attendees_count"] == 1
        sold_out = assert_error(
            other.post(URL, {"event": event.pk}, format="json"), 409, "sold_out"
        )
        assert sold_out["details"] == {"available": 0}
        # ...and stays held however long the decision takes: the expiry job leaves it alone.
        from registrations.tasks import expire_holds

        assert expire_holds() == 0
        assert user_client.get(f"{URL}{body['id']}/").json()["status"] == "pending"
        assert_error(other.post(URL, {"event": event.pk}, format="json"), 409, "sold_out")
        assert not Registration.objects.filter(event=event).exclude(pk=body["id"]).exists()

    def test_special_requirements_are_kept(self, user_client):
        event = free_event()
        body = user_client.post(
            URL, {"event": event.pk, "special_requirements": "Vegan"}, format="json"
        ).json()
        assert body["special_requirements"] == "Vegan"


class TestBookingConflicts:
    def test_sold_out_when_the_event_is_full(self, user_client):
        event = free_event(capacity=2)
        RegistrationFactory(event=event, ticket_type=event.ticket_types.get(), quantity=2)
        body = assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 409, "sold_out"
        )
        assert body["details"] == {"available": 0}

    def test_sold_out_when_the_ticket_type_is_exhausted(self, user_client):
        event = EventFactory(capacity=100)
        scarce = TicketTypeFactory(event=event, quantity=1, price="0")
        RegistrationFactory(event=event, ticket_type=scarce)
        assert_error(
            user_client.post(URL, {"event": event.pk, "ticket_type": scarce.pk}, format="json"),
            409,
            "sold_out",
        )

    def test_asking_for_more_than_is_left_says_how_many_are(self, user_client):
        event = free_event(capacity=3)
        RegistrationFactory(event=event, ticket_type=event.ticket_types.get(), quantity=2)
        body = assert_error(
            user_client.post(URL, {"event": event.pk, "quantity": 2}, format="json"),
            409,
            "sold_out",
        )
        assert body["details"] == {"available": 1}
        assert "1 seat" in body["message"]

    def test_pending_holds_take_seats(self, user_client):
        event = paid_event(capacity=1)
        RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            status="pending",
            expires_at=timezone.now() + timedelta(minutes=10),
            confirmed_at=None,
        )
        assert_error(user_client.post(URL, {"event": event.pk}, format="json"), 409, "sold_out")

    def test_an_expired_hold_frees_its_seats_at_once(self, user_client):
        event = paid_event(capacity=1)
        stale = RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            status="pending",
            expires_at=timezone.now() - timedelta(seconds=1),
            confirmed_at=None,
        )
        response = user_client.post(URL, {"event": event.pk}, format="json")
        assert response.status_code == 201
        stale.refresh_from_db()
        assert stale.status == "expired"

    def test_already_registered(self, user_client, user):
        event = free_event()
        user_client.post(URL, {"event": event.pk}, format="json")
        assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 409, "already_registered"
        )
        assert Registration.objects.filter(user=user).count() == 1

    def test_registering_again_after_cancelling_is_allowed(self, user_client):
        event = free_event()
        first = user_client.post(URL, {"event": event.pk}, format="json").json()
        user_client.post(f"{URL}{first['id']}/cancel/")
        assert user_client.post(URL, {"event": event.pk}, format="json").status_code == 201

    @pytest.mark.parametrize(
        "overrides",
        [
            {"status": "cancelled"},
            {"registration_deadline": timezone.now() - timedelta(minutes=1)},
            {"registration_opens_at": timezone.now() + timedelta(days=1)},
        ],
        ids=["cancelled", "past-deadline", "not-yet-open"],
    )
    def test_registration_closed(self, user_client, overrides):
        event = free_event(**overrides)
        assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 409, "registration_closed"
        )

    def test_an_event_that_has_started_is_closed(self, user_client):
        start = timezone.now() - timedelta(hours=1)
        event = free_event(starts_at=start, ends_at=start + timedelta(hours=5))
        assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 409, "registration_closed"
        )

    def test_a_ticket_type_off_sale_is_closed(self, user_client):
        event = EventFactory()
        ended = TicketTypeFactory(event=event, sales_end=timezone.now() - timedelta(hours=1))
        assert_error(
            user_client.post(URL, {"event": event.pk, "ticket_type": ended.pk}, format="json"),
            409,
            "registration_closed",
        )

    def test_an_event_with_nothing_on_sale_is_closed(self, user_client):
        event = EventFactory()
        assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 409, "registration_closed"
        )


class TestBookingInput:
    @pytest.mark.parametrize(
        "data, field",
        [
            ({"event": None}, "event"),
            ({"quantity": 0}, "quantity"),
            ({"quantity": "two"}, "quantity"),
            ({"quantity": 101}, "quantity"),
            ({"event": "abc"}, "event"),
            ({"event": 999999}, "event"),
            ({"ticket_type": 999999}, "ticket_type"),
            ({"special_requirements": "x" * 2001}, "special_requirements"),
        ],
    )
    def test_bad_input_is_400_and_books_nothing(self, user_client, data, field):
        event = free_event()
        body = assert_error(
            user_client.post(URL, {"event": event.pk, **data}, format="json"),
            400,
            "validation_error",
        )
        assert field in body["details"]
        assert not Registration.objects.exists()

    def test_more_than_max_per_order_is_refused(self, user_client):
        event = EventFactory()
        TicketTypeFactory(event=event, price="0", max_per_order=2)
        body = assert_error(
            user_client.post(URL, {"event": event.pk, "quantity": 3}, format="json"),
            400,
            "validation_error",
        )
        assert "quantity" in body["details"]

    def test_a_ticket_type_of_another_event_is_refused(self, user_client):
        event = free_event()
        other = TicketTypeFactory()
        body = assert_error(
            user_client.post(URL, {"event": event.pk, "ticket_type": other.pk}, format="json"),
            400,
            "validation_error",
        )
        assert "ticket_type" in body["details"]

    def test_an_event_you_cannot_see_does_not_exist(self, user_client):
        event = free_event(status="draft")
        body = assert_error(
            user_client.post(URL, {"event": event.pk}, format="json"), 400, "validation_error"
        )
        assert "event" in body["details"]

    def test_anonymous_cannot_book(self, api_client):
        event = free_event()
        assert_error(
            api_client.post(URL, {"event": event.pk}, format="json"), 401, "not_authenticated"
        )


class TestReading:
    def test_users_see_only_their_own(self, user_client, user):
        mine = RegistrationFactory(user=user)
        RegistrationFactory()
        body = user_client.get(URL).json()
        assert [r["id"] for r in body["results"]] == [mine.pk]

    def test_others_registrations_are_404(self, user_client):
        theirs = RegistrationFactory()
        assert_error(user_client.get(f"{URL}{theirs.pk}/"), 404, "not_found")
        assert_error(user_client.post(f"{URL}{theirs.pk}/cancel/"), 404, "not_found")

    def test_organizers_see_those_for_their_events(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        for_mine = RegistrationFactory(event=event)
        RegistrationFactory()
        body = organizer_client.get(f"{URL}?event={event.pk}").json()
        assert [r["id"] for r in body["results"]] == [for_mine.pk]
        assert organizer_client.get(f"{URL}{for_mine.pk}/").status_code == 200

    def test_admins_see_all(self, admin_client):
        RegistrationFactory.create_batch(3)
        assert admin_client.get(URL).json()["count"] == 3

    def test_filter_by_status_uses_the_displayed_status(self, user, user_client):
        RegistrationFactory(
            user=user,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        held = RegistrationFactory(
            user=user,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=5),
        )
        body = user_client.get(f"{URL}?status=pending").json()
        assert [r["id"] for r in body["results"]] == [held.pk]
        expired = user_client.get(f"{URL}?status=expired").json()["results"]
        assert [r["status"] for r in expired] == ["expired"]

    def test_invalid_filter_values_are_400(self, user_client):
        assert_error(user_client.get(f"{URL}?status=lost"), 400, "validation_error")
        assert_error(user_client.get(f"{URL}?event=abc"), 400, "validation_error")

    def test_ordering_by_created_at(self, user, user_client):
        first, second = RegistrationFactory(user=user), RegistrationFactory(user=user)
        ids = [r["id"] for r in user_client.get(f"{URL}?ordering=created_at").json()["results"]]
        assert ids == [first.pk, second.pk]

    def test_list_query_count_does_not_grow_with_the_page(
        self, user, user_client, django_assert_max_num_queries
    ):
        for _ in range(25):
            event = free_event()
            booking.register_for_event(user=user, event=event, quantity=2)
        with django_assert_max_num_queries(4):  # user, count, page, tickets
            response = user_client.get(f"{URL}?page_size=25")
        assert len(response.json()["results"]) == 25


class TestCancellation:
    def test_owner_cancels_before_the_start_and_the_seats_free_up(self, user_client):
        event = free_event(capacity=1)
        registration = user_client.post(URL, {"event": event.pk}, format="json").json()

        response = user_client.post(f"{URL}{registration['id']}/cancel/")

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled" and response.json()["cancelled_at"]
        other = authenticated_client(UserFactory())
        assert other.post(URL, {"event": event.pk}, format="json").status_code == 201
        entry = ActivityLog.objects.get(action="registration_cancelled")
        assert entry.metadata["by_manager"] is False

    def test_owner_cannot_cancel_after_the_start(self, user, user_client):
        start = timezone.now() - timedelta(hours=1)
        event = free_event(starts_at=start, ends_at=start + timedelta(hours=3))
        registration = RegistrationFactory(event=event, user=user)
        assert_error(user_client.post(f"{URL}{registration.pk}/cancel/"), 409, "not_cancellable")

    def test_the_organizer_cancels_at_any_time(self, organizer, organizer_client):
        start = timezone.now() - timedelta(hours=1)
        event = free_event(organizer=organizer, starts_at=start, ends_at=start + timedelta(hours=3))
        registration = RegistrationFactory(event=event)
        assert (
            organizer_client.post(f"{URL}{registration.pk}/cancel/").json()["status"] == "cancelled"
        )

    def test_an_admin_cancels_any(self, admin_client, admin_user):
        event = paid_event(capacity=1)
        registration = RegistrationFactory(event=event, ticket_type=event.ticket_types.get())
        newcomer = authenticated_client(UserFactory())
        assert_error(newcomer.post(URL, {"event": event.pk}, format="json"), 409, "sold_out")

        response = admin_client.post(f"{URL}{registration.pk}/cancel/")

        assert response.status_code == 200
        body = response.json()
        assert body["id"] == registration.pk
        assert body["status"] == "cancelled" and body["cancelled_at"]
        registration.refresh_from_db()
        assert registration.status == "cancelled" and registration.cancelled_at is not None
        entry = ActivityLog.objects.get(action="registration_cancelled")
        assert entry.user == admin_user and entry.metadata["by_manager"] is True
        # The seat is free again.
        assert admin_client.get(f"/api/v1/events/{event.pk}/").json()["available_spots"] == 1
        assert newcomer.post(URL, {"event": event.pk}, format="json").status_code == 201

    def test_cancelling_twice_is_not_cancellable(self, user, user_client):
        registration = RegistrationFactory(user=user, status="cancelled")
        assert_error(user_client.post(f"{URL}{registration.pk}/cancel/"), 409, "not_cancellable")

    def test_an_expired_hold_is_not_cancellable(self, user, user_client):
        registration = RegistrationFactory(
            user=user,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        assert_error(user_client.post(f"{URL}{registration.pk}/cancel/"), 409, "not_cancellable")

    def test_tickets_of_a_cancelled_registration_stop_being_valid(self, user_client):
        event = free_event()
        registration = user_client.post(URL, {"event": event.pk}, format="json").json()
        user_client.post(f"{URL}{registration['id']}/cancel/")
        [ticket] = user_client.get("/api/v1/tickets/").json()["results"]
        assert ticket["is_valid"] is False


class TestRefundRule:
    """The rule the payments capability applies when a cancellation moves money."""

    def _confirmed_paid(self, hours_before_start, refund_deadline_hours=24):
        start = timezone.now() + timedelta(hours=hours_before_start)
        event = paid_event(
            price="30.00",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            refund_deadline_hours=refund_deadline_hours,
        )
        return RegistrationFactory(event=event, ticket_type=event.ticket_types.get())

    def test_attendee_gets_everything_back_before_the_deadline(self):
        registration = self._confirmed_paid(hours_before_start=48)
        assert booking.refund_due_on_cancellation(
            registration, by_manager=False, now=timezone.now()
        ) == Decimal("30.00")

    def test_attendee_gets_nothing_back_after_the_deadline(self):
        registration = self._confirmed_paid(hours_before_start=10)
        assert booking.refund_due_on_cancellation(
            registration, by_manager=False, now=timezone.now()
        ) == Decimal("0.00")

    def test_organizer_cancellations_always_refund_in_full(self):
        registration = self._confirmed_paid(hours_before_start=1)
        assert booking.refund_due_on_cancellation(
            registration, by_manager=True, now=timezone.now()
        ) == Decimal("30.00")

    def test_nothing_is_due_on_an_unpaid_hold(self):
        registration = self._confirmed_paid(hours_before_start=48)
        registration.status = "pending"
        assert booking.refund_due_on_cancellation(
            registration, by_manager=True, now=timezone.now()
        ) == Decimal("0.00")


class TestRefundOnCancellation:
    """What a cancellation through the API gives back, as recorded for the payments capability
    (`refund_due` in the activity log, docs/decisions.md): everything when the organizer or an
    admin cancels, or when the attendee cancels at least `refund_deadline_hours` before the
    start; nothing after that, and nothing for what was never paid."""

    def _paid(self, starts_in, refund_deadline_hours=24, user=None, organizer=None):
        start = timezone.now() + starts_in
        extra = {"organizer": organizer} if organizer else {}
        event = paid_event(
            price="30.00",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            refund_deadline_hours=refund_deadline_hours,
            **extra,
        )
        return RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            quantity=2,
            user=user or UserFactory(),
        )

    def _cancel(self, client, registration):
        response = client.post(f"{URL}{registration.pk}/cancel/")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "cancelled"

    def _refund_due(self, registration):
        logs = authenticated_client(AdminFactory()).get(
            "/api/v1/activity-logs/?action=registration_cancelled"
        )
        [entry] = [e for e in logs.json()["results"] if e["target_id"] == str(registration.pk)]
        return entry["metadata"]["refund_due"]

    @pytest.mark.parametrize(
        "starts_in, deadline_hours, due",
        [
            (timedelta(hours=48), 24, "60.00"),
            (timedelta(hours=24, minutes=5), 24, "60.00"),
            (timedelta(hours=23, minutes=55), 24, "0.00"),
            (timedelta(hours=10), 24, "0.00"),
            (timedelta(hours=48), 72, "0.00"),
            (timedelta(hours=1), 0, "60.00"),
        ],
        ids=[
            "48h-early",
            "just-before-deadline",
            "just-after-deadline",
            "10h-early",
            "72h-rule",
            "no-deadline",
        ],
    )
    def test_the_attendee_is_refunded_in_full_before_the_deadline_and_nothing_after(
        self, user, user_client, starts_in, deadline_hours, due
    ):
        registration = self._paid(starts_in, refund_deadline_hours=deadline_hours, user=user)
        self._cancel(user_client, registration)
        assert self._refund_due(registration) == due

    def test_the_organizer_always_refunds_in_full(self, organizer, organizer_client):
        late = self._paid(timedelta(hours=1), organizer=organizer)
        self._cancel(organizer_client, late)
        assert self._refund_due(late) == "60.00"

        started = self._paid(timedelta(hours=-1), organizer=organizer)
        assert started.event.starts_at < timezone.now()
        self._cancel(organizer_client, started)
        assert self._refund_due(started) == "60.00"

    def test_an_admin_always_refunds_in_full(self, admin_client):
        registration = self._paid(timedelta(hours=2))
        self._cancel(admin_client, registration)
        assert self._refund_due(registration) == "60.00"

    def test_nothing_is_due_for_a_free_registration(self, user, user_client, organizer):
        event = free_event(organizer=organizer)
        mine = user_client.post(URL, {"event": event.pk}, format="json").json()
        self._cancel(user_client, Registration.objects.get(pk=mine["id"]))
        assert self._refund_due(Registration.objects.get(pk=mine["id"])) == "0.00"

        theirs = RegistrationFactory(event=event, ticket_type=event.ticket_types.get())
        self._cancel(authenticated_client(organizer), theirs)
        assert self._refund_due(theirs) == "0.00"

    def test_nothing_is_due_for_an_unpaid_hold(self, user_client):
        event = paid_event(price="30.00")
        hold = user_client.post(URL, {"event": event.pk}, format="json").json()
        assert hold["status"] == "pending" and hold["payment_status"] == "unpaid"
        registration = Registration.objects.get(pk=hold["id"])
        self._cancel(user_client, registration)
        assert self._refund_due(registration) == "0.00"


class TestPaymentStatus:
    """`payment_status` on a registration: `free`, `unpaid` (a paid registration not
    confirmed), `paid` (docs/decisions.md)."""

    def _status(self, registration):
        client = authenticated_client(registration.user)
        response = client.get(f"{URL}{registration.pk}/")
        assert response.status_code == 200
        listed = client.get(URL).json()["results"]
        assert [r["payment_status"] for r in listed if r["id"] == registration.pk] == [
            response.json()["payment_status"]
        ]
        return response.json()["payment_status"]

    def test_a_confirmed_free_registration_is_free(self):
        event = free_event()
        assert (
            self._status(RegistrationFactory(event=event, ticket_type=event.ticket_types.get()))
            == "free"
        )

    def test_a_free_registration_awaiting_approval_is_free(self, user, user_client):
        event = free_event(requires_approval=True)
        body = user_client.post(URL, {"event": event.pk}, format="json").json()
        assert body["status"] == "pending"
        assert self._status(Registration.objects.get(pk=body["id"])) == "free"

    def test_a_paid_hold_is_unpaid(self, user, user_client):
        event = paid_event()
        body = user_client.post(URL, {"event": event.pk}, format="json").json()
        assert self._status(Registration.objects.get(pk=body["id"])) == "unpaid"

    def test_an_approved_paid_registration_awaiting_payment_is_unpaid(self, user_client):
        event = paid_event(requires_approval=True)
        body = user_client.post(URL, {"event": event.pk}, format="json").json()
        approved = authenticated_client(event.organizer).post(f"{URL}{body['id']}/confirm/")
        assert approved.json()["status"] == "pending" and approved.json()["expires_at"]
        assert self._status(Registration.objects.get(pk=body["id"])) == "unpaid"

    def test_a_hold_that_ran_out_unpaid_is_unpaid(self):
        event = paid_event()
        registration = RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        assert self._status(registration) == "unpaid"

    def test_a_confirmed_paid_registration_is_paid(self):
        event = paid_event(price="25.00")
        registration = RegistrationFactory(event=event, ticket_type=event.ticket_types.get())
        assert registration.total_price == Decimal("25.00")
        assert self._status(registration) == "paid"


class TestApproval:
    def _pending(self, organizer, price="0.00", capacity=50):
        event = EventFactory(organizer=organizer, requires_approval=True, capacity=capacity)
        TicketTypeFactory(event=event, price=Decimal(price), quantity=capacity)
        response = authenticated_client(UserFactory()).post(URL, {"event": event.pk}, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "pending"
        return Registration.objects.get(pk=response.json()["id"])

    def test_approving_a_free_registration_confirms_it_with_tickets(
        self, organizer, organizer_client
    ):
        registration = self._pending(organizer)
        body = organizer_client.post(f"{URL}{registration.pk}/confirm/").json()
        assert body["status"] == "confirmed" and len(body["tickets"]) == 1
        assert ActivityLog.objects.filter(action="registration_approved").exists()

    def test_approving_a_paid_registration_starts_the_payment_hold(
        self, organizer, organizer_client
    ):
        registration = self._pending(organizer, price="50.00")
        body = organizer_client.post(f"{URL}{registration.pk}/confirm/").json()
        assert body["status"] == "pending" and body["expires_at"] is not None
        assert_error(
            organizer_client.post(f"{URL}{registration.pk}/confirm/"), 409, "invalid_state"
        )

    def test_rejecting_frees_the_seats(self, organizer, organizer_client):
        registration = self._pending(organizer, capacity=1)
        event_url = f"/api/v1/events/{registration.event_id}/"
        newcomer = authenticated_client(UserFactory())
        assert_error(
            newcomer.post(URL, {"event": registration.event_id}, format="json"), 409, "sold_out"
        )

        body = organizer_client.post(f"{URL}{registration.pk}/reject/").json()

        assert body["status"] == "rejected" and body["cancelled_at"]
        assert body["tickets"] == []
        registration.refresh_from_db()
        assert registration.status == "rejected"
        assert ActivityLog.objects.filter(
            action="registration_rejected", user=organizer, target_id=str(registration.pk)
        ).exists()
        assert organizer_client.get(event_url).json()["available_spots"] == 1
        assert_error(organizer_client.post(f"{URL}{registration.pk}/reject/"), 409, "invalid_state")
        booked = newcomer.post(URL, {"event": registration.event_id}, format="json")
        assert booked.status_code == 201 and booked.json()["status"] == "pending"
        assert organizer_client.get(event_url).json()["available_spots"] == 0

    def test_rejecting_gives_the_seat_to_the_waitlist_at_once(self, organizer, organizer_client):
        registration = self._pending(organizer, capacity=1)
        waiting_user = UserFactory()
        waiting = authenticated_client(waiting_user)
        joined = waiting.post("/api/v1/waitlist/", {"event": registration.event_id}, format="json")
        assert joined.status_code == 201, joined.json()  # sold out: the pending one holds it
        entry_url = f"/api/v1/waitlist/{joined.json()['id']}/"
        assert waiting.get(entry_url).json()["status"] == "waiting"

        organizer_client.post(f"{URL}{registration.pk}/reject/")

        # Promoted by the rejection itself: the event still requires approval, so the new
        # registration awaits the organizer's decision, holding the seat.
        entry = waiting.get(entry_url).json()
        assert entry["status"] == "offered" and entry["registration"] is not None
        promoted = waiting.get(f"{URL}{entry['registration']}/").json()
        assert promoted["user"] == waiting_user.pk
        assert promoted["event"] == registration.event_id
        assert promoted["status"] == "pending" and promoted["expires_at"] is None
        newcomer = authenticated_client(UserFactory())
        assert_error(
            newcomer.post(URL, {"event": registration.event_id}, format="json"), 409, "sold_out"
        )
        confirmed = organizer_client.post(f"{URL}{entry['registration']}/confirm/").json()
        assert confirmed["status"] == "confirmed" and len(confirmed["tickets"]) == 1
        assert waiting.get(entry_url).json()["status"] == "converted"

    def test_an_admin_confirms_a_registration_for_someone_elses_event(
        self, organizer, admin_client, admin_user
    ):
        registration = self._pending(organizer)

        response = admin_client.post(f"{URL}{registration.pk}/confirm/")

        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["id"] == registration.pk
        assert body["status"] == "confirmed" and body["confirmed_at"]
        assert len(body["tickets"]) == 1
        registration.refresh_from_db()
        assert registration.status == "confirmed" and registration.tickets.count() == 1
        assert ActivityLog.objects.filter(
            action="registration_approved", user=admin_user, target_id=str(registration.pk)
        ).exists()

    def test_an_admin_rejects_a_registration_for_someone_elses_event(
        self, organizer, admin_client, admin_user
    ):
        registration = self._pending(organizer, capacity=1)

        response = admin_client.post(f"{URL}{registration.pk}/reject/")

        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "rejected" and response.json()["cancelled_at"]
        registration.refresh_from_db()
        assert registration.status == "rejected"
        assert ActivityLog.objects.filter(
            action="registration_rejected", user=admin_user, target_id=str(registration.pk)
        ).exists()
        newcomer = authenticated_client(UserFactory())
        booked = newcomer.post(URL, {"event": registration.event_id}, format="json")
        assert booked.status_code == 201

    def test_the_attendee_cannot_decide_their_own(self, organizer):
        registration = self._pending(organizer)
        client = authenticated_client(registration.user)
        assert_error(client.post(f"{URL}{registration.pk}/confirm/"), 403, "permission_denied")

    def test_another_organizer_cannot_see_it(self, organizer):
        registration = self._pending(organizer)
        intruder = authenticated_client(OrganizerFactory())
        assert_error(intruder.post(f"{URL}{registration.pk}/confirm/"), 404, "not_found")

    def test_only_events_requiring_approval_have_decisions(self, organizer, organizer_client):
        registration = RegistrationFactory(event=EventFactory(organizer=organizer))
        assert_error(
            organizer_client.post(f"{URL}{registration.pk}/confirm/"), 409, "invalid_state"
        )


class TestExpiryJob:
    def test_expire_holds_marks_them_and_is_safe_to_repeat(self):
        event = paid_event()
        stale = RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        live = RegistrationFactory(
            event=event,
            ticket_type=event.ticket_types.get(),
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=5),
        )
        from registrations.tasks import expire_holds

        # `.result`, not `.get()`: Celery's "would block" flag is a process global that threads
        # enqueueing eager tasks at once (the PostgreSQL race tests) can leave set.
        assert expire_holds.delay().result == 1
        assert expire_holds() == 0
        stale.refresh_from_db()
        live.refresh_from_db()
        assert stale.status == "expired" and live.status == "pending"


def test_one_active_registration_per_user_and_event_is_a_database_rule():
    from django.db import IntegrityError, transaction

    registration = RegistrationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(
            event=registration.event,
            user=registration.user,
            ticket_type=registration.ticket_type,
            status="pending",
        )
    RegistrationFactory(
        event=registration.event,
        user=registration.user,
        ticket_type=registration.ticket_type,
        status="cancelled",
    )
    assert Ticket.objects.count() == 0


class TestApprovalSwitchedOff:
    """An organizer who stops requiring approval settles the registrations still awaiting a
    decision, as approving each would: nobody is left pending with no one able to decide."""

    def _book(self, event):
        response = authenticated_client(UserFactory()).post(URL, {"event": event.pk}, format="json")
        assert response.json()["status"] == "pending"
        return Registration.objects.get(pk=response.json()["id"])

    def _switch_off(self, event):
        response = authenticated_client(event.organizer).patch(
            f"/api/v1/events/{event.pk}/", {"requires_approval": False}, format="json"
        )
        assert response.status_code == 200, response.json()

    def test_free_registrations_awaiting_approval_are_confirmed_with_tickets(self):
        event = free_event(requires_approval=True)
        waiting = self._book(event)

        self._switch_off(event)

        waiting.refresh_from_db()
        assert waiting.status == "confirmed" and waiting.approved_at is not None
        assert waiting.tickets.count() == 1
        assert ActivityLog.objects.filter(
            action="registration_approved", target_id=str(waiting.pk)
        ).exists()

    def test_paid_ones_are_held_for_payment_and_holds_already_running_keep_their_end(self):
        event = paid_event(requires_approval=True)
        waiting = self._book(event)
        approved = self._book(event)
        authenticated_client(event.organizer).post(f"{URL}{approved.pk}/confirm/")
        approved.refresh_from_db()
        hold_end = approved.expires_at

        self._switch_off(event)

        waiting.refresh_from_db()
        approved.refresh_from_db()
        assert waiting.status == "pending" and waiting.expires_at is not None
        assert approved.expires_at == hold_end
        assert not waiting.tickets.exists()
