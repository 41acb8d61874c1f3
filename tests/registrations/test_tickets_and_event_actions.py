"""`tickets/` (list, detail, QR, check-in) and the event actions that touch registrations:
attendees (JSON and CSV), statistics, cancel, delete, capacity, online_url."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from payments.services import issue_invoice
from registrations.models import SessionAttendance, SessionProgress, Ticket, WaitlistEntry
from registrations.services import booking, checkin, waitlist
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    PaymentFactory,
    RegistrationFactory,
    SessionFactory,
    TicketFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def paid_registration(**fields):
    """A confirmed registration paid in full through the mock gateway, with its invoice."""
    registration = RegistrationFactory(**fields)
    payment = PaymentFactory(
        registration=registration, status="succeeded", processed_at=timezone.now()
    )
    issue_invoice(payment=payment, registration=registration, now=timezone.now())
    return registration


CHECK_IN = "/api/v1/tickets/check_in/"
EVENTS = "/api/v1/events/"


def book(event=None, user=None, quantity=1, price="0.00"):
    if event is None:
        event = EventFactory()
        TicketTypeFactory(event=event, price=Decimal(price), quantity=event.capacity)
    return booking.register_for_event(user=user or UserFactory(), event=event, quantity=quantity)


class TestTickets:
    def test_holders_list_their_tickets(self, user, user_client):
        registration = book(user=user, quantity=2)
        book()
        body = user_client.get(TICKETS).json()
        assert body["count"] == 2
        ticket = body["results"][0]
        assert set(ticket) == {
            "code",
            "event",
            "event_title",
            "registration",
            "attendee_name",
            "ticket_type",
            "checked_in_at",
            "is_valid",
        }
        assert ticket["registration"] == registration.pk and ticket["is_valid"] is True
        assert ticket["attendee_name"] == user.full_name

    def test_filter_by_event(self, user, user_client):
        mine = book(user=user)
        book(user=user)
        body = user_client.get(f"{TICKETS}?event={mine.event_id}").json()
        assert [t["event"] for t in body["results"]] == [mine.event_id]

    def test_detail_by_code_for_holder_organizer_and_admin(self, user, user_client, admin_client):
        registration = book(user=user)
        code = registration.tickets.get().code
        organizer = authenticated_client(registration.event.organizer)
        for client in (user_client, organizer, admin_client):
            assert client.get(f"{TICKETS}{code}/").json()["code"] == code

    def test_someone_elses_ticket_is_404(self, user_client):
        code = book().tickets.get().code
        assert_error(user_client.get(f"{TICKETS}{code}/"), 404, "not_found")
        assert_error(
            authenticated_client(OrganizerFactory()).get(f"{TICKETS}{code}/"), 404, "not_found"
        )
        assert_error(user_client.get(f"{TICKETS}{code}/qr/"), 404, "not_found")

    def test_qr_code_is_a_png_of_the_code(self, user, user_client):
        code = book(user=user).tickets.get().code
        response = user_client.get(f"{TICKETS}{code}/qr/", HTTP_ACCEPT="image/png")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.format == "PNG" and image.size[0] > 100

    def test_list_query_count_is_fixed(self, user, user_client, django_assert_max_num_queries):
        for _ in range(10):
            book(user=user, quantity=2)
        with django_assert_max_num_queries(3):
            assert len(user_client.get(TICKETS).json()["results"]) == 20

    def test_anonymous_is_401(self, api_client):
        assert_error(api_client.get(TICKETS), 401, "not_authenticated")


class TestCheckIn:
    def test_the_organizer_checks_a_ticket_in_once(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        code = book(event=event).tickets.get().code

        response = organizer_client.post(CHECK_IN, {"code": code}, format="json")

        assert response.status_code == 200
        assert response.json()["checked_in_at"] is not None
        again = assert_error(
            organizer_client.post(CHECK_IN, {"code": code}, format="json"),
            409,
            "already_checked_in",
        )
        assert again["details"]["checked_in_at"] == response.json()["checked_in_at"]
        assert ActivityLog.objects.filter(action="check_in", user=organizer).count() == 1

    def test_an_admin_checks_in_at_any_event(self, admin_client, admin_user):
        registration = book()
        code = registration.tickets.get().code
        response = admin_client.post(CHECK_IN, {"code": code}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == code and body["checked_in_at"] is not None
        assert body["registration"] == registration.pk and body["is_valid"] is True
        assert body["event"] == registration.event_id
        ticket = Ticket.objects.get(code=code)
        assert ticket.checked_in_at is not None and ticket.checked_in_by == admin_user
        assert ActivityLog.objects.filter(action="check_in", user=admin_user).count() == 1
        again = assert_error(
            admin_client.post(CHECK_IN, {"code": code}, format="json"), 409, "already_checked_in"
        )
        assert again["details"]["checked_in_at"] == body["checked_in_at"]

    def test_unknown_codes_and_other_organizers_tickets_are_404(self, organizer_client):
        assert_error(
            organizer_client.post(CHECK_IN, {"code": "no-such-code"}, format="json"),
            404,
            "not_found",
        )
        code = book().tickets.get().code
        assert_error(
            organizer_client.post(CHECK_IN, {"code": code}, format="json"), 404, "not_found"
        )
        assert Ticket.objects.get(code=code).checked_in_at is None

    def test_attendees_may_not_check_in(self, user, user_client):
        code = book(user=user).tickets.get().code
        assert_error(
            user_client.post(CHECK_IN, {"code": code}, format="json"), 403, "permission_denied"
        )

    def test_a_cancelled_registrations_ticket_is_refused(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        registration = book(event=event)
        booking.cancel_registration(registration=registration, actor=registration.user)
        assert_error(
            organizer_client.post(
                CHECK_IN, {"code": registration.tickets.get().code}, format="json"
            ),
            409,
            "not_confirmed",
        )

    def test_session_check_in_records_attendance_and_progress(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        session = SessionFactory(event=event)
        registration = book(event=event)
        code = registration.tickets.get().code

        response = organizer_client.post(
            CHECK_IN, {"code": code, "session": session.pk}, format="json"
        )

        assert response.status_code == 200
        assert SessionAttendance.objects.filter(session=session).count() == 1
        progress = registration.user.progress.get(session=session)
        assert progress.status == "completed" and progress.completed_at
        assert_error(
            organizer_client.post(CHECK_IN, {"code": code, "session": session.pk}, format="json"),
            409,
            "already_checked_in",
        )

    def test_a_session_of_another_event_is_refused(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        code = book(event=event).tickets.get().code
        other_session = SessionFactory(event=EventFactory(organizer=organizer))
        assert_error(
            organizer_client.post(
                CHECK_IN, {"code": code, "session": other_session.pk}, format="json"
            ),
            400,
            "validation_error",
        )

    @pytest.mark.parametrize(
        "data", [{}, {"code": ""}, {"code": "x" * 65}, {"code": "abc", "session": "one"}]
    )
    def test_bad_input_is_400(self, organizer_client, data):
        assert_error(organizer_client.post(CHECK_IN, data, format="json"), 400, "validation_error")


class TestAttendees:
    def _event_with_attendees(self, organizer):
        event = EventFactory(organizer=organizer, slug="django-day")
        TicketTypeFactory(event=event, name="General", price="0")
        alice = UserFactory(first_name="Alice", last_name="Smith", email="alice@example.com")
        first = book(event=event, user=alice, quantity=2)
        checkin.check_in(code=first.tickets.first().code, actor=organizer)
        book(event=event, user=UserFactory(first_name="=cmd", last_name="|calc"))
        return event

    def test_json_lists_registrations_with_check_ins(self, organizer, organizer_client):
        event = self._event_with_attendees(organizer)
        body = organizer_client.get(f"{EVENTS}{event.pk}/attendees/").json()
        assert body["count"] == 2
        first = body["results"][0]
        assert first["user_name"] == "Alice Smith" and first["email"] == "alice@example.com"
        assert first["ticket_type_name"] == "General" and first["quantity"] == 2
        assert first["status"] == "confirmed" and first["checked_in"] == 1

    def test_csv_has_a_header_and_a_row_per_registration(self, organizer, organizer_client):
        event = self._event_with_attendees(organizer)
        response = organizer_client.get(f"{EVENTS}{event.pk}/attendees/?format=csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert 'filename="django-day-attendees.csv"' in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:7] == [
            "registration",
            "name",
            "email",
            "ticket_type",
            "quantity",
            "status",
            "checked_in",
        ]
        assert rows[1][1:7] == [
            "Alice Smith",
            "alice@example.com",
            "General",
            "2",
            "confirmed",
            "1",
        ]
        assert rows[2][1] == "'=cmd |calc"  # no spreadsheet formula injection
        assert len(rows) == 3

    def test_only_the_organizer_and_admins(self, user_client, admin_client):
        event = self._event_with_attendees(OrganizerFactory())
        assert_error(user_client.get(f"{EVENTS}{event.pk}/attendees/"), 403, "permission_denied")
        assert_error(
            authenticated_client(OrganizerFactory()).get(
                f"{EVENTS}{event.pk}/attendees/?format=csv"
            ),
            403,
            "permission_denied",
        )
        assert admin_client.get(f"{EVENTS}{event.pk}/attendees/").status_code == 200

    def test_query_count_is_fixed(self, organizer, organizer_client, django_assert_max_num_queries):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        for _ in range(15):
            book(event=event)
        with django_assert_max_num_queries(5):
            assert organizer_client.get(f"{EVENTS}{event.pk}/attendees/").json()["count"] == 15


class TestStatistics:
    def test_numbers_for_the_organizer(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer, capacity=10, currency="EUR")
        cheap = TicketTypeFactory(event=event, name="Cheap", price="0", quantity=5)
        TicketTypeFactory(event=event, name="Dear", price="50.00", quantity=5)
        first = book(event=event, quantity=2)
        checkin.check_in(code=first.tickets.first().code, actor=organizer)
        booking.register_for_event(user=UserFactory(), event=event, quantity=3, ticket_type=cheap)
        paid = event.ticket_types.get(name="Dear")
        booking.register_for_event(user=UserFactory(), event=event, ticket_type=paid)
        WaitlistEntryFactory(event=event)

        body = organizer_client.get(f"{EVENTS}{event.pk}/statistics/").json()

        assert body["total_attendees"] == 5 and body["checked_in"] == 1
        assert body["available_spots"] == 4  # the paid hold counts
        assert body["waitlist_count"] == 1
        assert body["total_revenue"] == "0.00" and body["refunded_amount"] == "0.00"
        assert body["currency"] == "EUR"
        assert body["by_ticket_type"][0] == {
            "id": cheap.pk,
            "name": "Cheap",
            "price": "0.00",
            "quantity": 5,
            "sold": 5,
            "available": 0,
            "is_active": True,
        }
        assert body["registrations_by_day"] == [
            {"date": timezone.now().date().isoformat(), "registrations": 3, "seats": 6}
        ]

    def test_revenue_is_money_taken_and_kept(
        self, organizer, organizer_client, django_capture_on_commit_callbacks
    ):
        """With payments installed, revenue is what payments took less what was refunded (it
        was what confirmed registrations cost before money was recorded)."""
        event = EventFactory(organizer=organizer, capacity=20, currency="EUR")
        standard = TicketTypeFactory(
            event=event, name="Standard", price=Decimal("25.00"), quantity=10
        )
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("80.00"), quantity=10)
        free = TicketTypeFactory(event=event, name="Free", price="0", quantity=10)
        # Paid registrations: these count (2 x 25.00 + 80.00).
        paid_registration(event=event, ticket_type=standard, quantity=2)
        paid_registration(event=event, ticket_type=vip)
        # None of these does: free, rejected, a hold that ran out, a hold not paid yet.
        RegistrationFactory(event=event, ticket_type=free, quantity=3)
        RegistrationFactory(event=event, ticket_type=vip, status="rejected", confirmed_at=None)
        RegistrationFactory(
            event=event,
            ticket_type=vip,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(minutes=1),
        )
        hold = authenticated_client(UserFactory()).post(
            "/api/v1/registrations/", {"event": event.pk, "ticket_type": vip.pk}, format="json"
        )
        assert hold.json()["status"] == "pending"
        url = f"{EVENTS}{event.pk}/statistics/"

        body = organizer_client.get(url).json()

        assert Decimal(body["total_revenue"]) == Decimal("130.00") and body["currency"] == "EUR"
        assert body["refunded_amount"] == "0.00"
        assert body["total_attendees"] == 6

        # A cancellation before the refund deadline gives the money back: it no longer counts.
        cancelled = paid_registration(event=event, ticket_type=vip)
        assert Decimal(organizer_client.get(url).json()["total_revenue"]) == Decimal("210.00")
        with django_capture_on_commit_callbacks(execute=True):
            response = authenticated_client(cancelled.user).post(
                f"/api/v1/registrations/{cancelled.pk}/cancel/"
            )
        assert response.json()["status"] == "cancelled"
        body = organizer_client.get(url).json()
        assert Decimal(body["total_revenue"]) == Decimal("130.00")
        assert body["refunded_amount"] == "80.00"

    def test_revenue_of_another_event_does_not_count(self, admin_client):
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, price=Decimal("40.00"))
        paid_registration(event=event, ticket_type=ticket_type)
        elsewhere = TicketTypeFactory(price=Decimal("99.00"))
        paid_registration(event=elsewhere.event, ticket_type=elsewhere)
        body = admin_client.get(f"{EVENTS}{event.pk}/statistics/").json()
        assert Decimal(body["total_revenue"]) == Decimal("40.00")

    def test_revenue_is_a_money_string_with_two_decimals(self, admin_client):
        event = EventFactory()
        cheap = TicketTypeFactory(event=event, name="Cheap", price=Decimal("25.50"))
        dear = TicketTypeFactory(event=event, name="Dear", price=Decimal("80.00"))
        paid_registration(event=event, ticket_type=cheap)
        paid_registration(event=event, ticket_type=dear)
        body = admin_client.get(f"{EVENTS}{event.pk}/statistics/").json()
        assert body["total_revenue"] == "105.50"  # like every other amount: "29.99"

    def test_only_the_organizer_and_admins(self, user_client):
        event = EventFactory()
        assert_error(user_client.get(f"{EVENTS}{event.pk}/statistics/"), 403, "permission_denied")


class TestEventLifecycleWithRegistrations:
    def test_cancelling_an_event_cancels_registrations_and_the_waitlist(
        self, organizer, organizer_client
    ):
        event = EventFactory(organizer=organizer, capacity=1)
        TicketTypeFactory(event=event, price="0")
        registration = book(event=event)
        entry = WaitlistEntryFactory(event=event)

        organizer_client.post(f"{EVENTS}{event.pk}/cancel/")

        registration.refresh_from_db()
        entry.refresh_from_db()
        assert registration.status == "cancelled" and entry.status == "left"
        log = ActivityLog.objects.get(action="event_cancelled")
        assert log.metadata == {"event": event.pk, "registrations_cancelled": 1}

    def test_an_event_with_registrations_cannot_be_deleted_even_cancelled_ones(
        self, organizer, organizer_client
    ):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event, price="0")
        registration = book(event=event)
        assert_error(
            organizer_client.delete(f"{EVENTS}{event.pk}/"), 409, "event_has_registrations"
        )
        booking.cancel_registration(registration=registration, actor=organizer)
        # A cancelled registration is still a record (later: of money): it is kept.
        assert_error(
            organizer_client.delete(f"{EVENTS}{event.pk}/"), 409, "event_has_registrations"
        )
        registration.refresh_from_db()
        assert registration.status == "cancelled"

    def test_capacity_never_drops_below_seats_taken(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer, capacity=10)
        TicketTypeFactory(event=event, price="0")
        book(event=event, quantity=4)
        body = assert_error(
            organizer_client.patch(f"{EVENTS}{event.pk}/", {"capacity": 3}, format="json"),
            400,
            "validation_error",
        )
        assert "capacity" in body["details"]
        assert (
            organizer_client.patch(
                f"{EVENTS}{event.pk}/", {"capacity": 4}, format="json"
            ).status_code
            == 200
        )

    def test_ticket_quantity_never_drops_below_sold(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        ticket_type = TicketTypeFactory(event=event, price="0", quantity=10)
        book(event=event, quantity=3)
        assert_error(
            organizer_client.patch(
                f"/api/v1/ticket-types/{ticket_type.pk}/", {"quantity": 2}, format="json"
            ),
            400,
            "validation_error",
        )
        body = organizer_client.get(f"/api/v1/ticket-types/{ticket_type.pk}/").json()
        assert body["sold"] == 3 and body["available"] == 7

    def test_a_sold_ticket_type_cannot_be_deleted(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer)
        ticket_type = TicketTypeFactory(event=event, price="0")
        book(event=event)
        assert_error(
            organizer_client.delete(f"/api/v1/ticket-types/{ticket_type.pk}/"), 409, "invalid_state"
        )
        unsold = TicketTypeFactory(event=event, name="Unsold")
        assert organizer_client.delete(f"/api/v1/ticket-types/{unsold.pk}/").status_code == 204

    def test_the_event_shows_seats_and_waitlist(self, api_client):
        event = EventFactory(capacity=3)
        TicketTypeFactory(event=event, price="0")
        book(event=event, quantity=3)
        WaitlistEntryFactory.create_batch(2, event=event)
        body = api_client.get(f"{EVENTS}{event.pk}/").json()
        assert body["attendees_count"] == 3 and body["available_spots"] == 0
        assert body["waitlist_count"] == 2
        assert body["ticket_types"][0]["sold"] == 3
        assert api_client.get(f"{EVENTS}?has_availability=true").json()["count"] == 0

    def test_confirmed_attendees_see_the_online_link(self, user, user_client):
        event = EventFactory(is_online=True, online_url="https://meet.example.com/room")
        TicketTypeFactory(event=event, price="0")
        assert user_client.get(f"{EVENTS}{event.pk}/").json()["online_url"] is None
        book(event=event, user=user)
        assert user_client.get(f"{EVENTS}{event.pk}/").json()["online_url"] == event.online_url
        listed = user_client.get(EVENTS).json()["results"][0]
        assert listed["online_url"] == event.online_url
        ics = user_client.get(f"{EVENTS}{event.pk}/calendar.ics").content
        assert b"meet.example.com/room" in ics

    def test_a_pending_registration_does_not_reveal_the_link(self, user, user_client):
        event = EventFactory(is_online=True, online_url="https://meet.example.com/room")
        TicketTypeFactory(event=event, price="10.00")
        book(event=event, user=user)
        assert user_client.get(f"{EVENTS}{event.pk}/").json()["online_url"] is None

    def test_raising_the_capacity_promotes_the_waitlist(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer, capacity=1)
        TicketTypeFactory(event=event, price="0", quantity=5)
        book(event=event)
        entry = WaitlistEntryFactory(event=event)
        organizer_client.patch(f"{EVENTS}{event.pk}/", {"capacity": 2}, format="json")
        entry.refresh_from_db()
        assert entry.status == "converted" and entry.registration.status == "confirmed"

    def test_event_list_query_count_is_fixed_with_registrations(
        self, user, user_client, django_assert_max_num_queries
    ):
        for _ in range(12):
            event = EventFactory()
            TicketTypeFactory(event=event, price="0")
            book(event=event, user=user)
            WaitlistEntryFactory(event=event)
        with django_assert_max_num_queries(6):  # user, count, events, types, sessions, tags
            assert len(user_client.get(EVENTS).json()["results"]) == 12


def test_waitlist_entries_leave_when_their_user_registers_directly(user):
    event = EventFactory(capacity=1)
    TicketTypeFactory(event=event, price="0")
    first = book(event=event)
    entry = waitlist.join_waitlist(user=user, event=event)
    booking.cancel_registration(registration=first, actor=first.user)
    entry.refresh_from_db()
    assert entry.status == "converted"
    assert WaitlistEntry.objects.filter(user=user, status="waiting").count() == 0


def test_past_events_do_not_promote(user):
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(capacity=1, starts_at=start, ends_at=start + timedelta(hours=3))
    TicketTypeFactory(event=event, price="0")
    registration = RegistrationFactory(event=event, ticket_type=event.ticket_types.get())
    entry = WaitlistEntryFactory(event=event, user=user)
    booking.cancel_registration(registration=registration, actor=event.organizer)
    entry.refresh_from_db()
    assert entry.status == "waiting"


class TestDeletingAnEventsPartsKeepsTheRecords:
    """Deleting a session or a ticket type never takes people's records with it silently."""

    def test_a_session_someone_was_checked_in_to_cannot_be_deleted(self):
        ticket = TicketFactory()
        session = SessionFactory(event=ticket.event)
        SessionAttendance.objects.create(ticket=ticket, session=session)
        door = authenticated_client(ticket.event.organizer)

        assert_error(door.delete(f"/api/v1/sessions/{session.pk}/"), 409, "invalid_state")
        assert SessionAttendance.objects.filter(session=session).exists()

    def test_a_session_nobody_attended_goes_with_its_progress_counted_in_the_log(self):
        session = SessionFactory()
        for _ in range(2):
            SessionProgress.objects.create(user=UserFactory(), session=session)

        response = authenticated_client(session.event.organizer).delete(
            f"/api/v1/sessions/{session.pk}/"
        )

        assert response.status_code == 204
        assert not SessionProgress.objects.filter(session_id=session.pk).exists()
        entry = ActivityLog.objects.get(action="session_deleted", target_id=str(session.pk))
        assert entry.metadata["progress_removed"] == 2

    def test_people_waiting_for_a_deleted_ticket_type_keep_their_place_for_any_type(self):
        event = EventFactory(capacity=1)
        TicketTypeFactory(event=event, quantity=1)
        unsold = TicketTypeFactory(event=event, quantity=1)
        entry = WaitlistEntryFactory(event=event, ticket_type=unsold)

        response = authenticated_client(event.organizer).delete(
            f"/api/v1/ticket-types/{unsold.pk}/"
        )

        assert response.status_code == 204
        entry.refresh_from_db()
        assert entry.ticket_type is None and entry.status == "waiting"
        deleted = ActivityLog.objects.get(action="ticket_type_deleted", target_id=str(unsold.pk))
        assert deleted.metadata["waitlist_moved_to_any_type"] == 1


def test_an_events_currency_is_fixed_once_anyone_registered(organizer, organizer_client):
    event = EventFactory(organizer=organizer, currency="EUR")
    url = f"{EVENTS}{event.pk}/"
    assert organizer_client.patch(url, {"currency": "GBP"}, format="json").status_code == 200
    RegistrationFactory(event=event, status="cancelled")  # even a cancelled one was priced

    assert_error(
        organizer_client.patch(url, {"currency": "USD"}, format="json"), 409, "invalid_state"
    )
    event.refresh_from_db()
    assert event.currency == "GBP"
    same = organizer_client.patch(url, {"currency": "GBP", "title": "Renamed"}, format="json")
    assert same.status_code == 200  # sending the same currency again changes nothing
