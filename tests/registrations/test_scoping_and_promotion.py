"""What one event's changes must never touch (another event's places, queue or holds), which
ticket type a promotion gives, and what the journal records of each step. Mutation testing
found these untested: dropping `event=event` from a query, or the waiter's chosen ticket type,
left every other test green."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from events.cache import next_change_at
from registrations.models import Registration, WaitlistEntry
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error, iso
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

REGISTRATIONS = "/api/v1/registrations/"
EVENTS = "/api/v1/events/"


def full_event(*, price="0.00", capacity=1, **fields):
    """An event whose seats are all taken, with one person waiting."""
    event = EventFactory(capacity=capacity, **fields)
    ticket_type = TicketTypeFactory(event=event, price=Decimal(price), quantity=capacity)
    holders = [RegistrationFactory(event=event, ticket_type=ticket_type) for _ in range(capacity)]
    waiting = WaitlistEntry.objects.create(event=event, user=UserFactory())
    return event, holders, waiting


def run_out_hold(event, ticket_type=None):
    return RegistrationFactory(
        event=event,
        ticket_type=ticket_type or event.ticket_types.first(),
        status="pending",
        confirmed_at=None,
        expires_at=timezone.now() - timedelta(minutes=1),
    )


class TestOneEventAtATime:
    def test_a_freed_seat_goes_to_its_own_events_queue_only(self):
        _, _, other_waiting = full_event()  # queued first, at another event
        event, [holder], waiting = full_event()

        authenticated_client(holder.user).post(f"{REGISTRATIONS}{holder.pk}/cancel/")

        waiting.refresh_from_db()
        other_waiting.refresh_from_db()
        assert waiting.status == "converted"
        assert other_waiting.status == "waiting"
        assert not Registration.objects.filter(event=event, user=other_waiting.user).exists()

    def test_cancelling_an_event_leaves_other_events_places_and_queues_alone(self):
        event, _, _ = full_event(capacity=2)
        _, [other_holder, _], other_waiting = full_event(capacity=2)

        response = authenticated_client(event.organizer).post(f"{EVENTS}{event.pk}/cancel/")

        assert response.status_code == 200
        other_holder.refresh_from_db()
        other_waiting.refresh_from_db()
        assert (other_holder.status, other_holder.cancelled_at) == ("confirmed", None)
        assert other_waiting.status == "waiting"
        assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {
            "cancelled"
        }
        assert all(
            cancelled_at is not None
            for cancelled_at in Registration.objects.filter(event=event).values_list(
                "cancelled_at", flat=True
            )
        )

    def test_cancelling_an_event_leaves_a_hold_that_ran_out_to_expire(self):
        event, _, _ = full_event(price="10.00", capacity=2)
        ran_out = run_out_hold(event)

        authenticated_client(event.organizer).post(f"{EVENTS}{event.pk}/cancel/")

        ran_out.refresh_from_db()
        assert ran_out.status == "pending"  # not cancelled: it is no longer anyone's place
        assert not ActivityLog.objects.filter(
            action="registration_cancelled", target_id=str(ran_out.pk)
        ).exists()
        assert ActivityLog.objects.filter(action="registration_cancelled").count() == 2

    def test_an_event_with_nobody_registered_is_deleted_whatever_other_events_hold(self):
        empty = EventFactory()
        full_event()
        response = authenticated_client(empty.organizer).delete(f"{EVENTS}{empty.pk}/")
        assert response.status_code == 204

    def test_booking_one_event_settles_only_its_own_run_out_holds(self, user_client):
        event = EventFactory(capacity=5)
        TicketTypeFactory(event=event, price=Decimal("10.00"), quantity=5)
        other = EventFactory(capacity=5)
        TicketTypeFactory(event=other, price=Decimal("10.00"), quantity=5)
        other_hold = run_out_hold(other)

        assert user_client.post(REGISTRATIONS, {"event": event.pk}).status_code == 201

        other_hold.refresh_from_db()
        assert other_hold.status == "pending"  # its own event's lock settles it, not this one's

    def test_an_event_page_lives_until_its_own_next_hold_runs_out_not_anothers(self):
        now = timezone.now()
        event = EventFactory(starts_at=now + timedelta(days=3))
        TicketTypeFactory(event=event)
        other = EventFactory(starts_at=now + timedelta(days=3))
        TicketTypeFactory(event=other)
        soon = RegistrationFactory(
            event=other, status="pending", confirmed_at=None, expires_at=now + timedelta(minutes=5)
        )
        assert next_change_at(now, event_id=other.pk) == soon.expires_at
        assert next_change_at(now, event_id=event.pk) != soon.expires_at


class TestPromotionGivesWhatWasAskedFor:
    def test_a_waiter_for_one_ticket_type_gets_that_type(self):
        event = EventFactory(capacity=2)
        cheap = TicketTypeFactory(event=event, name="Cheap", price=Decimal("0.00"), quantity=2)
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("0.00"), quantity=2)
        holders = [RegistrationFactory(event=event, ticket_type=cheap) for _ in range(2)]
        waiting = WaitlistEntry.objects.create(event=event, user=UserFactory(), ticket_type=vip)

        authenticated_client(holders[0].user).post(f"{REGISTRATIONS}{holders[0].pk}/cancel/")

        waiting.refresh_from_db()
        assert waiting.status == "converted"
        assert waiting.registration.ticket_type == vip

    def test_a_ticket_types_own_limit_holds_during_promotion(self):
        event = EventFactory(capacity=5)
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("0.00"), quantity=1)
        standard = TicketTypeFactory(event=event, name="Std", price=Decimal("0.00"), quantity=4)
        RegistrationFactory(event=event, ticket_type=vip)
        holders = [RegistrationFactory(event=event, ticket_type=standard) for _ in range(4)]
        for_vip = WaitlistEntry.objects.create(event=event, user=UserFactory(), ticket_type=vip)
        for_any = WaitlistEntry.objects.create(event=event, user=UserFactory())

        authenticated_client(holders[0].user).post(f"{REGISTRATIONS}{holders[0].pk}/cancel/")

        for_vip.refresh_from_db()
        for_any.refresh_from_db()
        assert for_vip.status == "waiting"  # VIP is sold out: the freed seat is a Std seat
        assert for_any.status == "converted"
        assert for_any.registration.ticket_type == standard
        assert Registration.objects.filter(ticket_type=vip, status="confirmed").count() == 1

    def test_more_capacity_on_a_paid_event_offers_the_seat_for_the_offer_window(self, settings):
        event, _, waiting = full_event(price="15.00")
        event.ticket_types.update(quantity=5)  # the capacity is what is full
        before = timezone.now()

        response = authenticated_client(event.organizer).patch(
            f"{EVENTS}{event.pk}/", {"capacity": 2}, format="json"
        )

        assert response.status_code == 200
        waiting.refresh_from_db()
        assert waiting.status == "offered"
        window = timedelta(hours=settings.WAITLIST_OFFER_HOURS)
        assert before + window <= waiting.offer_expires_at <= timezone.now() + window


class TestOrderLimits:
    def test_exactly_the_most_one_order_may_hold_is_allowed(self, user_client):
        event = EventFactory(capacity=10)
        TicketTypeFactory(event=event, price=Decimal("0.00"), quantity=10, max_per_order=3)
        response = user_client.post(REGISTRATIONS, {"event": event.pk, "quantity": 3})
        assert response.status_code == 201, response.json()
        assert response.json()["quantity"] == 3

    def test_one_more_than_that_is_refused(self, user_client):
        event = EventFactory(capacity=10)
        TicketTypeFactory(event=event, price=Decimal("0.00"), quantity=10, max_per_order=3)
        assert_error(
            user_client.post(REGISTRATIONS, {"event": event.pk, "quantity": 4}),
            400,
            "validation_error",
        )


class TestTheJournalOfEachStep:
    def test_a_booking_records_who_from_where_and_what(self, user, user_client):
        event = EventFactory(capacity=5)
        TicketTypeFactory(event=event, price=Decimal("0.00"))

        body = user_client.post(
            REGISTRATIONS, {"event": event.pk, "quantity": 2}, HTTP_USER_AGENT="app/2"
        ).json()

        for action in ("registration_created", "registration_confirmed"):
            entry = ActivityLog.objects.get(action=action)
            assert (entry.user, entry.ip_address, entry.user_agent) == (user, "127.0.0.1", "app/2")
            assert (entry.target_type, entry.target_id) == ("registration", str(body["id"]))
            assert entry.metadata["event"] == event.pk
        created = ActivityLog.objects.get(action="registration_created").metadata
        assert (created["quantity"], created["status"]) == (2, "confirmed")
        assert ActivityLog.objects.get(action="registration_confirmed").metadata["user"] == user.pk

    def test_an_expired_hold_and_the_promotion_it_makes_are_recorded(self):
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("10.00"), quantity=1)
        hold = run_out_hold(event, ticket_type)
        waiting = WaitlistEntry.objects.create(event=event, user=UserFactory())

        authenticated_client(UserFactory()).post(REGISTRATIONS, {"event": event.pk})

        expired = ActivityLog.objects.get(action="registration_expired")
        assert (expired.user, expired.target_id) == (hold.user, str(hold.pk))
        assert expired.metadata == {"event": event.pk, "expires_at": hold.expires_at.isoformat()}
        waiting.refresh_from_db()
        promoted = ActivityLog.objects.get(action="waitlist_promoted")
        assert (promoted.user, promoted.target_id) == (waiting.user, str(waiting.registration_id))
        assert promoted.metadata == {
            "event": event.pk,
            "waitlist_entry": waiting.pk,
            "status": "offered",
            "expires_at": iso(waiting.offer_expires_at),
        }

    def test_an_approval_records_the_organizer_as_who_confirmed(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer, requires_approval=True, capacity=3)
        TicketTypeFactory(event=event, price=Decimal("0.00"))
        attendee = UserFactory()
        created = authenticated_client(attendee).post(REGISTRATIONS, {"event": event.pk}).json()

        organizer_client.post(f"{REGISTRATIONS}{created['id']}/confirm/", HTTP_USER_AGENT="desk")

        confirmed = ActivityLog.objects.get(action="registration_confirmed")
        assert (confirmed.user, confirmed.user_agent) == (organizer, "desk")
        assert confirmed.metadata == {"event": event.pk, "user": attendee.pk}


def open_offer(event, ticket_type) -> WaitlistEntry:
    """Someone promoted from the waitlist, whose offer (a pending hold) is still open."""
    offered_to = UserFactory()
    offer = RegistrationFactory(
        event=event,
        ticket_type=ticket_type,
        user=offered_to,
        status="pending",
        confirmed_at=None,
        expires_at=timezone.now() + timedelta(hours=2),
    )
    return WaitlistEntry.objects.create(
        event=event, user=offered_to, status="offered", registration=offer
    )


class TestOnlyWhatIsAskedForChanges:
    def test_cancelling_one_place_leaves_other_peoples_open_offers_alone(self):
        event = EventFactory(capacity=3)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("10.00"), quantity=3)
        holder = RegistrationFactory(event=event, ticket_type=ticket_type)
        entry = open_offer(event, ticket_type)

        authenticated_client(holder.user).post(f"{REGISTRATIONS}{holder.pk}/cancel/")

        entry.refresh_from_db()
        assert entry.status == "offered"

    def test_a_hold_running_out_leaves_other_peoples_open_offers_alone(self):
        event = EventFactory(capacity=3)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("10.00"), quantity=3)
        run_out_hold(event, ticket_type)
        entry = open_offer(event, ticket_type)

        authenticated_client(UserFactory()).post(REGISTRATIONS, {"event": event.pk})

        entry.refresh_from_db()
        assert entry.status == "offered"

    def test_cancelling_an_event_keeps_the_history_of_its_queue(self):
        event, [holder], waiting = full_event(capacity=1)
        authenticated_client(holder.user).post(f"{REGISTRATIONS}{holder.pk}/cancel/")
        waiting.refresh_from_db()
        assert waiting.status == "converted"

        authenticated_client(event.organizer).post(f"{EVENTS}{event.pk}/cancel/")

        waiting.refresh_from_db()
        assert waiting.status == "converted"  # what happened stays; only open places close

    def test_one_seat_left_of_a_ticket_type_goes_to_one_waiter_only(self):
        event = EventFactory(capacity=10)
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("0.00"), quantity=2)
        holders = [RegistrationFactory(event=event, ticket_type=vip) for _ in range(2)]
        first, second = (
            WaitlistEntry.objects.create(event=event, user=UserFactory(), ticket_type=vip)
            for _ in range(2)
        )

        authenticated_client(holders[0].user).post(f"{REGISTRATIONS}{holders[0].pk}/cancel/")

        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == ("converted", "waiting")
        assert Registration.objects.filter(ticket_type=vip, status="confirmed").count() == 2


class TestSessionCheckIns:
    @pytest.fixture
    def door(self, organizer):
        return authenticated_client(organizer)

    def test_each_ticket_and_each_session_is_its_own_admission(self, organizer, door):
        from registrations.models import SessionAttendance
        from tests.factories import SessionFactory, TicketFactory

        event = EventFactory(organizer=organizer)
        morning, afternoon = SessionFactory(event=event), SessionFactory(event=event)
        mine, yours = (
            TicketFactory(registration__event=event, registration__ticket_type__event=event)
            for _ in range(2)
        )
        for ticket, session in ((mine, morning), (yours, morning), (mine, afternoon)):
            response = door.post(
                "/api/v1/tickets/check_in/", {"code": ticket.code, "session": session.pk}
            )
            assert response.status_code == 200, response.json()
        assert SessionAttendance.objects.count() == 3

    def test_a_second_session_check_in_says_when_the_first_was(self, organizer, door):
        from tests.factories import SessionFactory, TicketFactory

        event = EventFactory(organizer=organizer)
        session = SessionFactory(event=event)
        ticket = TicketFactory(registration__event=event, registration__ticket_type__event=event)
        body = {"code": ticket.code, "session": session.pk}
        door.post("/api/v1/tickets/check_in/", body)

        again = assert_error(
            door.post("/api/v1/tickets/check_in/", body), 409, "already_checked_in"
        )

        assert again["details"]["checked_in_at"].endswith("Z")


def test_declining_an_offer_cancels_its_registration_on_the_one_cancellation_path():
    event = EventFactory(capacity=3)
    ticket_type = TicketTypeFactory(event=event, price=Decimal("10.00"), quantity=3)
    entry = open_offer(event, ticket_type)

    response = authenticated_client(entry.user).post(f"/api/v1/waitlist/{entry.pk}/leave/")

    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.status == "left" and entry.registration.status == "cancelled"
    cancelled = ActivityLog.objects.get(action="registration_cancelled")
    assert (cancelled.user, cancelled.target_id) == (entry.user, str(entry.registration_id))
    assert cancelled.metadata["refund_due"] == "0.00"  # an unpaid hold: nothing to give back
