"""`waitlist/`: joining a sold-out event, the queue and its positions, leaving, and promotion
when seats free up (cancellation, more capacity, more tickets, holds that run out)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import Registration, Ticket, WaitlistEntry
from registrations.services import booking
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/waitlist/"
REGISTRATIONS = "/api/v1/registrations/"

CONTRACT_FIELDS = {
    "id",
    "event",
    "ticket_type",
    "quantity",
    "status",
    "position",
    "offer_expires_at",
    "created_at",
}


def sold_out_event(*, seats=1, price="0.00", type_quantity=None, **overrides):
    """An event whose `seats` are all taken by confirmed registrations of one ticket type."""
    event = EventFactory(capacity=seats, **overrides)
    ticket_type = TicketTypeFactory(
        event=event,
        name="Standard",
        price=Decimal(price),
        quantity=seats if type_quantity is None else type_quantity,
    )
    holders = [RegistrationFactory(event=event, ticket_type=ticket_type) for _ in range(seats)]
    return event, ticket_type, holders


def join(client, event, **data):
    return client.post(URL, {"event": event.pk, **data}, format="json")


def entry_of(user, event) -> WaitlistEntry:
    return WaitlistEntry.objects.get(user=user, event=event)


def parse(when: str) -> datetime:
    return datetime.fromisoformat(when)


def cancel(registration):
    """The holder cancels their registration through the API."""
    response = authenticated_client(registration.user).post(
        f"{REGISTRATIONS}{registration.pk}/cancel/"
    )
    assert response.status_code == 200, response.json()
    return response


def waiters(event, n):
    """`n` users who join the queue of `event` through the API, in this order."""
    users = UserFactory.create_batch(n)
    for someone in users:
        assert join(authenticated_client(someone), event).status_code == 201
    return users


class TestJoin:
    def test_a_sold_out_event_can_be_joined_at_position_one(self, user_client, user):
        event, _, _ = sold_out_event()

        response = join(user_client, event)

        assert response.status_code == 201, response.json()
        body = response.json()
        assert set(body) >= CONTRACT_FIELDS
        assert body["event"] == event.pk
        assert body["status"] == "waiting"
        assert body["position"] == 1
        assert body["quantity"] == 1
        assert body["ticket_type"] is None
        assert body["offer_expires_at"] is None
        assert entry_of(user, event).pk == body["id"]

    def test_a_sold_out_ticket_type_can_be_waited_for_while_others_have_seats(self, user_client):
        event = EventFactory(capacity=10)
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("90.00"), quantity=1)
        TicketTypeFactory(event=event, name="Regular", price=Decimal("10.00"), quantity=9)
        RegistrationFactory(event=event, ticket_type=vip)

        response = join(user_client, event, ticket_type=vip.pk)

        assert response.status_code == 201, response.json()
        assert response.json()["ticket_type"] == vip.pk

    def test_free_seats_for_the_request_are_409_seats_available(self, user_client, user):
        event = EventFactory(capacity=5)
        TicketTypeFactory(event=event, quantity=5)

        assert_error(join(user_client, event), 409, "seats_available")
        assert not WaitlistEntry.objects.filter(user=user).exists()

    def test_any_ticket_type_with_seats_is_409_seats_available(self, user_client):
        event = EventFactory(capacity=10)
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("90.00"), quantity=1)
        TicketTypeFactory(event=event, name="Regular", price=Decimal("10.00"), quantity=9)
        RegistrationFactory(event=event, ticket_type=vip)

        assert_error(join(user_client, event), 409, "seats_available")

    def test_asking_for_more_seats_than_are_left_may_join(self, user_client):
        event, _, _ = sold_out_event(seats=3)
        cancelled = Registration.objects.filter(event=event).first()
        Registration.objects.filter(pk=cancelled.pk).update(status="cancelled")

        response = join(user_client, event, quantity=2)

        assert response.status_code == 201, response.json()
        assert response.json()["quantity"] == 2

    def test_joining_twice_is_409_already_on_waitlist(self, user_client, user):
        event, _, _ = sold_out_event()
        assert join(user_client, event).status_code == 201

        assert_error(join(user_client, event), 409, "already_on_waitlist")
        assert WaitlistEntry.objects.filter(user=user, event=event).count() == 1

    def test_a_registered_user_is_409_already_registered(self):
        event, _, [holder] = sold_out_event()

        assert_error(join(authenticated_client(holder.user), event), 409, "already_registered")
        assert not WaitlistEntry.objects.exists()

    def test_a_cancelled_event_is_409_registration_closed(self, user_client):
        event, _, _ = sold_out_event(status="cancelled")
        assert_error(join(user_client, event), 409, "registration_closed")
        assert not WaitlistEntry.objects.exists()

    def test_past_the_deadline_is_409_registration_closed(self, user_client):
        event, _, _ = sold_out_event(registration_deadline=timezone.now() - timedelta(hours=1))
        assert_error(join(user_client, event), 409, "registration_closed")
        assert not WaitlistEntry.objects.exists()

    @pytest.mark.parametrize(
        "make_body, field",
        [
            (lambda event, other_type: {}, "event"),
            (lambda event, other_type: {"event": event.pk, "quantity": 0}, "quantity"),
            (lambda event, other_type: {"event": event.pk, "quantity": "many"}, "quantity"),
            (lambda event, other_type: {"event": event.pk, "quantity": 101}, "quantity"),
            (lambda event, other_type: {"event": 999999}, "event"),
            (lambda event, other_type: {"event": "abc"}, "event"),
            (lambda event, other_type: {"event": [event.pk]}, "event"),
            (lambda event, other_type: {"event": event.pk, "ticket_type": "x"}, "ticket_type"),
            (
                lambda event, other_type: {"event": event.pk, "ticket_type": other_type.pk},
                "ticket_type",
            ),
        ],
    )
    def test_bad_input_is_400_on_the_field(self, user_client, make_body, field):
        event, _, _ = sold_out_event()
        other_type = TicketTypeFactory()  # of another event

        body = assert_error(
            user_client.post(URL, make_body(event, other_type), format="json"),
            400,
            "validation_error",
        )
        assert field in body["details"]
        assert not WaitlistEntry.objects.exists()

    def test_more_than_the_ticket_types_max_per_order_is_400(self, user_client):
        event, ticket_type, _ = sold_out_event()
        ticket_type.max_per_order = 2
        ticket_type.save()

        body = assert_error(
            join(user_client, event, ticket_type=ticket_type.pk, quantity=3),
            400,
            "validation_error",
        )
        assert "quantity" in body["details"]

    def test_more_than_max_per_order_is_400_without_a_ticket_type_too(self, user_client):
        event, ticket_type, _ = sold_out_event()
        ticket_type.max_per_order = 2
        ticket_type.save()

        body = assert_error(join(user_client, event, quantity=3), 400, "validation_error")
        assert "quantity" in body["details"]

    def test_an_event_the_user_cannot_see_is_not_found_in_the_event_field(self, user_client):
        event, _, _ = sold_out_event(status="draft")  # another organizer's draft

        body = assert_error(join(user_client, event), 400, "validation_error")
        assert "event" in body["details"]
        assert not WaitlistEntry.objects.exists()

    def test_anonymous_cannot_join(self, api_client):
        event, _, _ = sold_out_event()
        assert_error(join(api_client, event), 401, "not_authenticated")


class TestPosition:
    def test_positions_are_first_come_first_served(self):
        event, _, _ = sold_out_event()
        first, second, third = waiters(event, 3)

        positions = [
            authenticated_client(someone).get(URL).json()["results"][0]["position"]
            for someone in (first, second, third)
        ]

        assert positions == [1, 2, 3]

    def test_the_answer_to_joining_tells_the_place_in_the_queue(self):
        event, _, _ = sold_out_event()
        waiters(event, 2)

        response = join(authenticated_client(UserFactory()), event)

        assert response.status_code == 201
        assert response.json()["position"] == 3

    def test_positions_are_recomputed_when_someone_ahead_leaves(self):
        event, _, _ = sold_out_event()
        first, second, third = waiters(event, 3)

        response = authenticated_client(first).post(f"{URL}{entry_of(first, event).pk}/leave/")
        assert response.status_code == 200

        assert authenticated_client(second).get(URL).json()["results"][0]["position"] == 1
        assert authenticated_client(third).get(URL).json()["results"][0]["position"] == 2

    def test_each_queue_counts_separately(self, user_client, user):
        crowded, _, _ = sold_out_event()
        quiet, _, _ = sold_out_event()
        waiters(crowded, 2)
        join(user_client, crowded)
        join(user_client, quiet)

        results = user_client.get(URL).json()["results"]

        assert {row["event"]: row["position"] for row in results} == {
            crowded.pk: 3,
            quiet.pk: 1,
        }

    def test_the_organizer_sees_the_queue_in_order(self):
        event, _, _ = sold_out_event()
        people = waiters(event, 3)

        body = authenticated_client(event.organizer).get(f"{URL}?event={event.pk}").json()

        assert [row["position"] for row in body["results"]] == [1, 2, 3]
        assert [row["id"] for row in body["results"]] == [
            entry_of(someone, event).pk for someone in people
        ]

    def test_position_is_null_once_not_waiting(self, user_client, user):
        event, _, [holder] = sold_out_event()
        join(user_client, event)
        cancel(holder)  # promotes the user: converted

        [row] = user_client.get(URL).json()["results"]
        assert row["status"] == "converted"
        assert row["position"] is None

    def test_position_is_null_after_leaving(self, user_client, user):
        event, _, _ = sold_out_event()
        entry_id = join(user_client, event).json()["id"]

        body = user_client.post(f"{URL}{entry_id}/leave/").json()

        assert body["status"] == "left"
        assert body["position"] is None
        assert user_client.get(f"{URL}{entry_id}/").json()["position"] is None


class TestRead:
    def test_the_list_shows_only_ones_own_entries(self, user_client, user):
        first, _, _ = sold_out_event()
        second, _, _ = sold_out_event()
        mine = [join(user_client, first).json()["id"], join(user_client, second).json()["id"]]
        WaitlistEntryFactory(event=first)  # someone else's

        body = user_client.get(URL).json()

        assert body["count"] == 2
        assert sorted(row["id"] for row in body["results"]) == sorted(mine)

    def test_an_organizer_sees_the_entries_of_their_event(self):
        event, _, _ = sold_out_event()
        other_event, _, _ = sold_out_event()
        theirs = [WaitlistEntryFactory(event=event).pk for _ in range(2)]
        WaitlistEntryFactory(event=other_event)
        organizer = authenticated_client(event.organizer)

        body = organizer.get(f"{URL}?event={event.pk}").json()

        assert body["count"] == 2
        assert sorted(row["id"] for row in body["results"]) == sorted(theirs)
        assert organizer.get(f"{URL}?event={other_event.pk}").json()["count"] == 0

    def test_an_admin_sees_every_entry(self, admin_client):
        entries = [WaitlistEntryFactory().pk for _ in range(3)]

        body = admin_client.get(URL).json()

        assert body["count"] == 3
        assert sorted(row["id"] for row in body["results"]) == sorted(entries)

    def test_another_users_entry_is_404(self, user_client):
        theirs = WaitlistEntryFactory()

        assert_error(user_client.get(f"{URL}{theirs.pk}/"), 404, "not_found")
        assert_error(user_client.post(f"{URL}{theirs.pk}/leave/"), 404, "not_found")
        theirs.refresh_from_db()
        assert theirs.status == "waiting"

    def test_an_invalid_event_filter_is_400(self, user_client):
        assert_error(user_client.get(f"{URL}?event=abc"), 400, "validation_error")

    def test_anonymous_cannot_list(self, api_client):
        assert_error(api_client.get(URL), 401, "not_authenticated")

    def test_the_list_query_count_does_not_grow_with_the_entries(self, admin_client):
        event, _, _ = sold_out_event()
        organizer = authenticated_client(event.organizer)
        clients = {"organizer": organizer, "admin": admin_client}
        url = f"{URL}?event={event.pk}&page_size=100"

        WaitlistEntryFactory.create_batch(5, event=event)
        few = {}
        for name, client in clients.items():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).json()["count"] == 5
            few[name] = len(queries)

        WaitlistEntryFactory.create_batch(25, event=event)
        for name, client in clients.items():
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url).json()
            assert body["count"] == 30
            assert [row["position"] for row in body["results"]] == list(range(1, 31))
            assert len(queries) == few[name], name

    def test_the_list_runs_in_a_small_fixed_number_of_queries(self, django_assert_max_num_queries):
        event, _, _ = sold_out_event()
        WaitlistEntryFactory.create_batch(30, event=event)
        organizer = authenticated_client(event.organizer)

        with django_assert_max_num_queries(4):  # user, count, page (positions annotated)
            assert organizer.get(f"{URL}?event={event.pk}&page_size=100").status_code == 200


class TestLeave:
    def test_leaving_sets_the_status_left(self, user_client, user):
        event, _, _ = sold_out_event()
        entry_id = join(user_client, event).json()["id"]

        response = user_client.post(f"{URL}{entry_id}/leave/")

        assert response.status_code == 200
        assert response.json()["status"] == "left"
        assert entry_of(user, event).status == "left"

    def test_leaving_twice_is_409_invalid_state(self, user_client):
        event, _, _ = sold_out_event()
        entry_id = join(user_client, event).json()["id"]
        user_client.post(f"{URL}{entry_id}/leave/")

        assert_error(user_client.post(f"{URL}{entry_id}/leave/"), 409, "invalid_state")

    def test_a_converted_entry_cannot_be_left(self, user_client, user):
        event, _, [holder] = sold_out_event()
        entry_id = join(user_client, event).json()["id"]
        cancel(holder)

        assert_error(user_client.post(f"{URL}{entry_id}/leave/"), 409, "invalid_state")
        assert Registration.objects.get(user=user, event=event).status == "confirmed"

    def test_the_organizer_cannot_leave_for_someone_else(self, user_client, user):
        event, _, _ = sold_out_event()
        entry_id = join(user_client, event).json()["id"]

        assert_error(
            authenticated_client(event.organizer).post(f"{URL}{entry_id}/leave/"),
            403,
            "permission_denied",
        )
        assert entry_of(user, event).status == "waiting"

    def test_one_may_join_again_after_leaving(self, user_client, user):
        event, _, _ = sold_out_event()
        entry_id = join(user_client, event).json()["id"]
        user_client.post(f"{URL}{entry_id}/leave/")

        response = join(user_client, event)

        assert response.status_code == 201, response.json()
        assert response.json()["position"] == 1


class TestPromotion:
    def test_a_cancellation_confirms_the_first_waiting_on_a_free_event(self):
        event, _, [holder] = sold_out_event(seats=1)
        first, second = waiters(event, 2)

        cancel(holder)

        registration = Registration.objects.get(user=first, event=event)
        assert registration.status == "confirmed"
        assert registration.tickets.count() == 1
        entry = entry_of(first, event)
        assert entry.status == "converted" and entry.registration == registration
        assert not Registration.objects.filter(user=second, event=event).exists()
        assert entry_of(second, event).status == "waiting"
        assert ActivityLog.objects.filter(action="waitlist_promoted", user=first).exists()

    def test_the_promoted_user_sees_the_registration_and_tickets_through_the_api(self):
        event, _, (first_holder, second_holder) = sold_out_event(seats=2)
        waiting = UserFactory()
        client = authenticated_client(waiting)
        assert join(client, event, quantity=2).status_code == 201

        cancel(first_holder)
        assert client.get(REGISTRATIONS).json()["count"] == 0  # one seat is not enough
        cancel(second_holder)

        [registration] = client.get(REGISTRATIONS).json()["results"]
        assert registration["status"] == "confirmed"
        assert registration["quantity"] == 2
        assert len(registration["tickets"]) == 2
        [row] = client.get(URL).json()["results"]
        assert row["status"] == "converted" and row["position"] is None

    def test_promotions_follow_the_order_of_the_queue(self):
        event, _, holders = sold_out_event(seats=2)
        first, second, third = waiters(event, 3)

        cancel(holders[0])
        assert [entry_of(u, event).status for u in (first, second, third)] == [
            "converted",
            "waiting",
            "waiting",
        ]

        cancel(holders[1])
        assert [entry_of(u, event).status for u in (first, second, third)] == [
            "converted",
            "converted",
            "waiting",
        ]
        assert authenticated_client(third).get(URL).json()["results"][0]["position"] == 1

    def test_a_larger_request_at_the_head_does_not_block_a_smaller_one_behind(self):
        event, _, holders = sold_out_event(seats=3)
        big, small = UserFactory(), UserFactory()
        assert join(authenticated_client(big), event, quantity=2).status_code == 201
        assert join(authenticated_client(small), event, quantity=1).status_code == 201

        cancel(holders[0])

        assert entry_of(small, event).status == "converted"
        assert Registration.objects.get(user=small, event=event).status == "confirmed"
        big_entry = entry_of(big, event)
        assert big_entry.status == "waiting"
        assert not Registration.objects.filter(user=big, event=event).exists()
        assert authenticated_client(big).get(URL).json()["results"][0]["position"] == 1

    def test_a_capacity_increase_promotes_as_many_as_fit(self):
        event, _, _ = sold_out_event(seats=1, type_quantity=10)
        first, second, third = waiters(event, 3)

        response = authenticated_client(event.organizer).patch(
            f"/api/v1/events/{event.pk}/", {"capacity": 3}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert [entry_of(u, event).status for u in (first, second, third)] == [
            "converted",
            "converted",
            "waiting",
        ]
        assert Registration.objects.filter(event=event, status="confirmed").count() == 3
        assert response.json()["available_spots"] == 0

    def test_a_ticket_quantity_increase_promotes(self):
        event, ticket_type, _ = sold_out_event(seats=1)
        event.capacity = 10
        event.save()
        [waiting] = waiters(event, 1)

        response = authenticated_client(event.organizer).patch(
            f"/api/v1/ticket-types/{ticket_type.pk}/", {"quantity": 2}, format="json"
        )

        assert response.status_code == 200, response.json()
        registration = Registration.objects.get(user=waiting, event=event)
        assert registration.status == "confirmed" and registration.ticket_type == ticket_type
        assert entry_of(waiting, event).status == "converted"
        ticket_type.refresh_from_db()
        assert ticket_type.quantity == 2

    def test_a_new_ticket_type_promotes(self):
        event, _, _ = sold_out_event(seats=1)
        event.capacity = 10
        event.save()
        [waiting] = waiters(event, 1)

        response = authenticated_client(event.organizer).post(
            "/api/v1/ticket-types/",
            {"event": event.pk, "name": "Late", "price": "0.00", "quantity": 5},
            format="json",
        )

        assert response.status_code == 201, response.json()
        registration = Registration.objects.get(user=waiting, event=event)
        assert registration.ticket_type_id == response.json()["id"]
        assert registration.status == "confirmed"
        assert entry_of(waiting, event).status == "converted"

    def test_a_paid_event_offers_a_pending_registration_held_for_the_offer_window(self, settings):
        settings.WAITLIST_OFFER_HOURS = 24
        event, _, [holder] = sold_out_event(price="30.00")
        [waiting] = waiters(event, 1)
        before = timezone.now()

        cancel(holder)

        registration = Registration.objects.get(user=waiting, event=event)
        assert registration.status == "pending"
        assert registration.total_price == Decimal("30.00")
        assert not registration.tickets.exists()
        window = timedelta(hours=24)
        assert before + window - timedelta(minutes=1) < registration.expires_at
        assert registration.expires_at <= timezone.now() + window
        entry = entry_of(waiting, event)
        assert entry.status == "offered" and entry.registration == registration
        assert entry.offer_expires_at == registration.expires_at

        client = authenticated_client(waiting)
        [row] = client.get(URL).json()["results"]
        assert row["status"] == "offered" and row["position"] is None
        assert abs(parse(row["offer_expires_at"]) - registration.expires_at) < timedelta(seconds=1)
        [booked] = client.get(REGISTRATIONS).json()["results"]
        assert booked["status"] == "pending" and booked["payment_status"] == "unpaid"

    def test_the_offer_window_follows_the_setting(self, settings):
        settings.WAITLIST_OFFER_HOURS = 2
        event, _, [holder] = sold_out_event(price="30.00")
        [waiting] = waiters(event, 1)

        cancel(holder)

        expires = Registration.objects.get(user=waiting, event=event).expires_at
        assert timezone.now() + timedelta(hours=1, minutes=59) < expires
        assert expires <= timezone.now() + timedelta(hours=2)

    def test_leaving_with_an_open_offer_cancels_it_and_promotes_the_next(self):
        event, _, [holder] = sold_out_event(price="30.00")
        first, second = waiters(event, 2)
        cancel(holder)
        offer = Registration.objects.get(user=first, event=event)

        response = authenticated_client(first).post(f"{URL}{entry_of(first, event).pk}/leave/")

        assert response.status_code == 200
        assert response.json()["status"] == "left"
        offer.refresh_from_db()
        assert offer.status == "cancelled" and offer.cancelled_at is not None
        assert entry_of(second, event).status == "offered"
        assert Registration.objects.get(user=second, event=event).status == "pending"

    def test_cancelling_an_offered_registration_passes_it_to_the_next(self):
        event, _, [holder] = sold_out_event(price="30.00")
        first, second = waiters(event, 2)
        cancel(holder)
        offer = Registration.objects.get(user=first, event=event)

        cancel(offer)

        assert entry_of(first, event).status == "left"
        assert entry_of(second, event).status == "offered"

    def test_an_expired_hold_promotes_when_expire_holds_runs(self):
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("30.00"), quantity=1)
        hold = RegistrationFactory(
            event=event,
            ticket_type=ticket_type,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=10),
        )
        [waiting] = waiters(event, 1)
        Registration.objects.filter(pk=hold.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert entry_of(waiting, event).status == "waiting"  # nothing moves by itself

        assert booking.expire_holds() == 1

        hold.refresh_from_db()
        assert hold.status == "expired"
        assert entry_of(waiting, event).status == "offered"
        assert Registration.objects.get(user=waiting, event=event).status == "pending"

    def test_an_offer_that_runs_out_passes_to_the_next(self):
        event, _, [holder] = sold_out_event(price="30.00")
        first, second = waiters(event, 2)
        cancel(holder)
        offer = Registration.objects.get(user=first, event=event)
        Registration.objects.filter(pk=offer.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

        booking.expire_holds()

        offer.refresh_from_db()
        assert offer.status == "expired"
        assert entry_of(first, event).status == "expired"
        assert entry_of(second, event).status == "offered"
        assert Registration.objects.get(user=second, event=event).status == "pending"

    def test_the_next_booking_releases_expired_holds_and_serves_the_queue_first(self):
        event = EventFactory(capacity=3)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("30.00"), quantity=3)
        RegistrationFactory(event=event, ticket_type=ticket_type)
        holds = [
            RegistrationFactory(
                event=event,
                ticket_type=ticket_type,
                status="pending",
                confirmed_at=None,
                expires_at=timezone.now() + timedelta(minutes=10),
            )
            for _ in range(2)
        ]
        [waiting] = waiters(event, 1)
        Registration.objects.filter(pk__in=[h.pk for h in holds]).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        newcomer = UserFactory()

        response = authenticated_client(newcomer).post(
            REGISTRATIONS, {"event": event.pk}, format="json"
        )

        assert response.status_code == 201, response.json()
        assert entry_of(waiting, event).status == "offered"
        assert Registration.objects.get(user=waiting, event=event).status == "pending"
        assert set(
            Registration.objects.filter(pk__in=[h.pk for h in holds]).values_list(
                "status", flat=True
            )
        ) == {"expired"}

    def test_joining_the_queue_also_releases_expired_holds_first(self):
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("30.00"), quantity=1)
        hold = RegistrationFactory(
            event=event,
            ticket_type=ticket_type,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=10),
        )
        [waiting] = waiters(event, 1)
        Registration.objects.filter(pk=hold.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

        response = join(authenticated_client(UserFactory()), event)

        assert response.status_code == 201, response.json()
        assert response.json()["position"] == 1  # the one ahead holds an offer now
        assert entry_of(waiting, event).status == "offered"
        hold.refresh_from_db()
        assert hold.status == "expired"

    def test_a_refused_booking_still_moves_the_queue_after_releasing_holds(self):
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("30.00"), quantity=1)
        hold = RegistrationFactory(
            event=event,
            ticket_type=ticket_type,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=10),
        )
        [waiting] = waiters(event, 1)
        Registration.objects.filter(pk=hold.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

        response = authenticated_client(UserFactory()).post(
            REGISTRATIONS, {"event": event.pk}, format="json"
        )

        # The freed seat went to the queue first, so the newcomer is refused ...
        assert_error(response, 409, "sold_out")
        # ... and the person waiting keeps the offer the release gave them.
        assert entry_of(waiting, event).status == "offered"
        assert Registration.objects.get(user=waiting, event=event).status == "pending"

    def test_a_waiting_person_who_registers_is_converted(self):
        event, _, holders = sold_out_event(seats=3)
        big = UserFactory()
        client = authenticated_client(big)
        assert join(client, event, quantity=2).status_code == 201
        cancel(holders[0])  # one seat: not enough for the head of the queue

        response = client.post(REGISTRATIONS, {"event": event.pk}, format="json")

        assert response.status_code == 201, response.json()
        entry = entry_of(big, event)
        assert entry.status == "converted"
        assert entry.registration_id == response.json()["id"]

    def test_no_one_is_promoted_while_no_seat_is_free(self):
        event, _, _ = sold_out_event(seats=2)
        [waiting] = waiters(event, 1)

        response = authenticated_client(event.organizer).patch(
            f"/api/v1/events/{event.pk}/", {"title": "Renamed"}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert response.json()["title"] == "Renamed"
        assert response.json()["available_spots"] == 0 and response.json()["waitlist_count"] == 1
        assert entry_of(waiting, event).status == "waiting"
        assert not Registration.objects.filter(user=waiting).exists()

    def test_cancelling_the_event_closes_the_waitlist(self):
        event, _, _ = sold_out_event()
        [waiting] = waiters(event, 1)

        response = authenticated_client(event.organizer).post(f"/api/v1/events/{event.pk}/cancel/")

        assert response.status_code == 200
        assert entry_of(waiting, event).status == "left"
        assert not Ticket.objects.filter(registration__user=waiting).exists()


def test_another_organizer_cannot_see_the_queue_of_an_event():
    event, _, _ = sold_out_event()
    WaitlistEntryFactory.create_batch(2, event=event)
    intruder = authenticated_client(OrganizerFactory())

    assert intruder.get(f"{URL}?event={event.pk}").json()["count"] == 0
    assert_error(intruder.get(f"{URL}{WaitlistEntry.objects.first().pk}/"), 404, "not_found")
