"""`progress/` (one row per session of the events one is confirmed for) and `dashboard/`
(what matters to the caller, by role)."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registrations.models import SessionProgress
from registrations.services import booking
from tests.conftest import authenticated_client
from tests.factories import (
    AdminFactory,
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    SessionFactory,
    TicketFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

PROGRESS = "/api/v1/progress/"
DASHBOARD = "/api/v1/dashboard/"
CHECK_IN = "/api/v1/tickets/check_in/"

PROGRESS_FIELDS = {"id", "session", "session_title", "event", "status", "notes", "completed_at"}


def course(sessions=3, **overrides):
    """An event with `sessions` sessions, an hour apart, inside its time window."""
    event = EventFactory(**overrides)
    event.ends_at = event.starts_at + timedelta(hours=max(sessions, 1) + 1)
    event.save()
    parts = [
        SessionFactory(
            event=event,
            title=f"Lesson {n + 1}",
            starts_at=event.starts_at + timedelta(hours=n),
            ends_at=event.starts_at + timedelta(hours=n + 1),
        )
        for n in range(sessions)
    ]
    return event, parts


def progress_rows(client, event):
    response = client.get(f"{PROGRESS}?event={event.pk}&page_size=100")
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def hold(**fields):
    """A pending registration of a paid ticket, held for ten more minutes."""
    return RegistrationFactory(
        status="pending",
        confirmed_at=None,
        expires_at=timezone.now() + timedelta(minutes=10),
        **fields,
    )


def days(n):
    return (timezone.now() + timedelta(days=n)).replace(microsecond=0)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(queries)


class TestProgressRead:
    def test_the_first_read_creates_one_row_per_session_not_started(self, user_client, user):
        event, sessions = course(3)
        RegistrationFactory(event=event, user=user)

        rows = progress_rows(user_client, event)

        assert len(rows) == 3
        assert all(set(row) == PROGRESS_FIELDS for row in rows)
        assert [row["session"] for row in rows] == [s.pk for s in sessions]
        assert [row["session_title"] for row in rows] == ["Lesson 1", "Lesson 2", "Lesson 3"]
        assert {row["event"] for row in rows} == {event.pk}
        assert {row["status"] for row in rows} == {"not_started"}
        assert {row["notes"] for row in rows} == {""}
        assert {row["completed_at"] for row in rows} == {None}
        assert SessionProgress.objects.filter(user=user).count() == 3

    def test_reading_again_creates_nothing_more(self, user_client, user):
        event, _ = course(2)
        RegistrationFactory(event=event, user=user)

        first = progress_rows(user_client, event)
        second = progress_rows(user_client, event)

        assert [row["id"] for row in first] == [row["id"] for row in second]
        assert SessionProgress.objects.filter(user=user).count() == 2

    def test_a_session_added_later_gets_its_row_on_the_next_read(self, user_client, user):
        event, _ = course(2)
        RegistrationFactory(event=event, user=user)
        assert len(progress_rows(user_client, event)) == 2
        added = SessionFactory(
            event=event,
            title="Bonus",
            starts_at=event.ends_at - timedelta(hours=1),
            ends_at=event.ends_at,
        )

        rows = progress_rows(user_client, event)

        assert len(rows) == 3
        assert rows[-1]["session"] == added.pk and rows[-1]["status"] == "not_started"

    @pytest.mark.parametrize("status", ["pending", "cancelled", "expired", "rejected"])
    def test_no_rows_for_events_one_is_not_confirmed_for(self, user_client, user, status):
        event, _ = course(2)
        RegistrationFactory(event=event, user=user, status=status, confirmed_at=None)

        assert progress_rows(user_client, event) == []
        assert user_client.get(PROGRESS).json()["count"] == 0
        assert not SessionProgress.objects.exists()

    def test_the_event_filter_keeps_one_events_rows(self, user_client, user):
        first, _ = course(2)
        second, _ = course(3)
        RegistrationFactory(event=first, user=user)
        RegistrationFactory(event=second, user=user)

        assert len(progress_rows(user_client, first)) == 2
        assert {row["event"] for row in progress_rows(user_client, second)} == {second.pk}
        assert user_client.get(PROGRESS).json()["count"] == 5

    def test_other_peoples_events_give_no_rows(self, user_client, user):
        event, _ = course(2)
        RegistrationFactory(event=event)  # someone else is confirmed

        assert progress_rows(user_client, event) == []

    def test_rows_of_a_cancelled_registration_disappear(self, user_client, user):
        event, _ = course(2)
        registration = RegistrationFactory(event=event, user=user)
        [row, _] = progress_rows(user_client, event)
        registration.status = "cancelled"
        registration.save()

        assert progress_rows(user_client, event) == []
        assert_error(user_client.get(f"{PROGRESS}{row['id']}/"), 404, "not_found")

    def test_anonymous_is_401(self, api_client):
        assert_error(api_client.get(PROGRESS), 401, "not_authenticated")

    def test_an_invalid_event_filter_is_400(self, user_client):
        assert_error(user_client.get(f"{PROGRESS}?event=abc"), 400, "validation_error")

    def test_the_list_query_count_does_not_grow_with_the_sessions(
        self, user, user_client, django_assert_max_num_queries
    ):
        small, _ = course(3)
        RegistrationFactory(event=small, user=user)
        big, _ = course(30)

        few_first = queries_for(user_client, f"{PROGRESS}?event={small.pk}&page_size=100")
        few_again = queries_for(user_client, f"{PROGRESS}?event={small.pk}&page_size=100")
        RegistrationFactory(event=big, user=user)
        many_first = queries_for(user_client, f"{PROGRESS}?event={big.pk}&page_size=100")
        many_again = queries_for(user_client, f"{PROGRESS}?event={big.pk}&page_size=100")

        assert many_first == few_first
        assert many_again == few_again
        assert len(progress_rows(user_client, big)) == 30
        # user, session ids, insert of the missing rows, count, page
        with django_assert_max_num_queries(5):
            user_client.get(f"{PROGRESS}?page_size=100")


class TestProgressUpdate:
    @pytest.fixture
    def row(self, user, user_client):
        event, _ = course(2)
        RegistrationFactory(event=event, user=user)
        return progress_rows(user_client, event)[0]

    def test_the_owner_patches_status_and_notes(self, user_client, row):
        response = user_client.patch(
            f"{PROGRESS}{row['id']}/", {"status": "in_progress", "notes": "Halfway"}, format="json"
        )

        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == PROGRESS_FIELDS
        assert body["status"] == "in_progress" and body["notes"] == "Halfway"
        assert body["completed_at"] is None
        stored = SessionProgress.objects.get(pk=row["id"])
        assert stored.status == "in_progress" and stored.notes == "Halfway"

    def test_completing_sets_completed_at_and_going_back_clears_it(self, user_client, row):
        url = f"{PROGRESS}{row['id']}/"
        before = timezone.now().replace(microsecond=0)

        done = user_client.patch(url, {"status": "completed"}, format="json").json()

        assert done["status"] == "completed"
        completed_at = datetime.fromisoformat(done["completed_at"])
        assert before <= completed_at <= timezone.now()

        back = user_client.patch(url, {"status": "in_progress"}, format="json").json()

        assert back["status"] == "in_progress" and back["completed_at"] is None
        assert SessionProgress.objects.get(pk=row["id"]).completed_at is None

    def test_notes_alone_keep_the_completion_time(self, user_client, row):
        url = f"{PROGRESS}{row['id']}/"
        done = user_client.patch(url, {"status": "completed"}, format="json").json()

        body = user_client.patch(url, {"notes": "Revisit later"}, format="json").json()

        assert body["status"] == "completed"
        assert body["completed_at"] == done["completed_at"]
        assert body["notes"] == "Revisit later"

    def test_the_owner_puts_the_whole_row(self, user_client, row):
        response = user_client.put(
            f"{PROGRESS}{row['id']}/", {"status": "completed", "notes": "Done"}, format="json"
        )

        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "completed" and body["notes"] == "Done"
        assert body["completed_at"] is not None

    def test_session_and_completed_at_are_read_only(self, user_client, row):
        other_session = SessionFactory()

        body = user_client.patch(
            f"{PROGRESS}{row['id']}/",
            {"session": other_session.pk, "completed_at": "2020-01-01T00:00:00Z"},
            format="json",
        ).json()

        assert body["session"] == row["session"]
        assert body["completed_at"] is None

    def test_an_invalid_status_is_400(self, user_client, row):
        body = assert_error(
            user_client.patch(f"{PROGRESS}{row['id']}/", {"status": "finished"}, format="json"),
            400,
            "validation_error",
        )
        assert "status" in body["details"]
        assert SessionProgress.objects.get(pk=row["id"]).status == "not_started"

    def test_another_users_row_is_404(self, row):
        intruder = authenticated_client(UserFactory())
        url = f"{PROGRESS}{row['id']}/"

        assert_error(intruder.get(url), 404, "not_found")
        assert_error(intruder.patch(url, {"status": "completed"}, format="json"), 404, "not_found")
        assert_error(
            intruder.put(url, {"status": "completed", "notes": "x"}, format="json"),
            404,
            "not_found",
        )
        assert SessionProgress.objects.get(pk=row["id"]).status == "not_started"

    def test_the_events_organizer_cannot_change_an_attendees_row(self, row):
        organizer = SessionProgress.objects.get(pk=row["id"]).session.event.organizer
        client = authenticated_client(organizer)

        assert_error(
            client.patch(f"{PROGRESS}{row['id']}/", {"status": "completed"}, format="json"),
            404,
            "not_found",
        )

    def test_anonymous_is_401(self, api_client, row):
        assert_error(
            api_client.patch(f"{PROGRESS}{row['id']}/", {"status": "completed"}, format="json"),
            401,
            "not_authenticated",
        )


class TestSessionCheckIn:
    def test_a_session_check_in_marks_that_row_completed(self, user, user_client):
        event, (first, second) = course(2)
        registration = RegistrationFactory(event=event, user=user)
        ticket = TicketFactory(registration=registration)
        progress_rows(user_client, event)

        response = authenticated_client(event.organizer).post(
            CHECK_IN, {"code": ticket.code, "session": first.pk}, format="json"
        )

        assert response.status_code == 200, response.json()
        rows = {row["session"]: row for row in progress_rows(user_client, event)}
        assert rows[first.pk]["status"] == "completed"
        assert rows[first.pk]["completed_at"] is not None
        assert rows[second.pk]["status"] == "not_started"
        assert rows[second.pk]["completed_at"] is None

    def test_a_check_in_before_the_first_read_creates_the_row_completed(self, user, user_client):
        event, (first, second) = course(2)
        ticket = TicketFactory(registration=RegistrationFactory(event=event, user=user))

        authenticated_client(event.organizer).post(
            CHECK_IN, {"code": ticket.code, "session": second.pk}, format="json"
        )

        rows = {row["session"]: row["status"] for row in progress_rows(user_client, event)}
        assert rows == {first.pk: "not_started", second.pk: "completed"}

    def test_a_session_of_another_event_is_refused_and_marks_nothing(self, user, user_client):
        event, _ = course(2)
        _, (elsewhere,) = course(1)
        ticket = TicketFactory(registration=RegistrationFactory(event=event, user=user))

        body = assert_error(
            authenticated_client(event.organizer).post(
                CHECK_IN, {"code": ticket.code, "session": elsewhere.pk}, format="json"
            ),
            400,
            "validation_error",
        )

        assert "session" in body["details"]
        assert {row["status"] for row in progress_rows(user_client, event)} == {"not_started"}


class TestDashboardAttendee:
    def test_anonymous_is_401(self, api_client):
        assert_error(api_client.get(DASHBOARD), 401, "not_authenticated")

    def test_an_attendee_sees_their_upcoming_registrations_and_counts(self, user, user_client):
        later = RegistrationFactory(user=user, event=EventFactory(starts_at=days(10)))
        sooner = hold(user=user, event=EventFactory(starts_at=days(5)))
        RegistrationFactory(user=user, event=EventFactory(starts_at=days(3)), status="cancelled")
        ran_out = hold(user=user, event=EventFactory(starts_at=days(4)))
        ran_out.expires_at = timezone.now() - timedelta(minutes=1)
        ran_out.save()
        past_event = EventFactory(starts_at=days(-3))
        attended = RegistrationFactory(user=user, event=past_event)
        TicketFactory(registration=attended, checked_in_at=timezone.now() - timedelta(days=3))
        TicketFactory(registration=later)  # not checked in
        WaitlistEntryFactory(user=user, status="waiting")
        WaitlistEntryFactory(user=user, status="offered")
        WaitlistEntryFactory(user=user, status="left")
        WaitlistEntryFactory(user=user, status="converted")
        RegistrationFactory(event=later.event)  # someone else's
        WaitlistEntryFactory()  # someone else's

        response = user_client.get(DASHBOARD)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"role", "upcoming_registrations", "counts"}
        assert body["role"] == "attendee"
        assert [line["id"] for line in body["upcoming_registrations"]] == [sooner.pk, later.pk]
        first = body["upcoming_registrations"][0]
        assert first["event"] == sooner.event_id
        assert first["event_title"] == sooner.event.title
        assert first["status"] == "pending"
        counts = body["counts"]
        assert counts["registrations"] == 3  # later, sooner, attended: active ones
        assert counts["attended_events"] == 1
        assert counts["waitlist_entries"] == 2  # waiting and offered

    def test_a_new_attendee_sees_zeros(self, user_client):
        body = user_client.get(DASHBOARD).json()

        assert body["upcoming_registrations"] == []
        assert body["counts"]["registrations"] == 0
        assert body["counts"]["attended_events"] == 0
        assert body["counts"]["waitlist_entries"] == 0

    def test_several_checked_in_tickets_of_one_event_attend_it_once(self, user, user_client):
        registration = RegistrationFactory(user=user, quantity=2)
        TicketFactory.create_batch(2, registration=registration, checked_in_at=timezone.now())

        assert user_client.get(DASHBOARD).json()["counts"]["attended_events"] == 1

    def test_the_query_count_does_not_grow_with_the_data(self, user, user_client):
        def add(n):
            for _ in range(n):
                registration = RegistrationFactory(user=user)
                TicketFactory(registration=registration, checked_in_at=timezone.now())
                WaitlistEntryFactory(user=user)

        add(2)
        few = queries_for(user_client, DASHBOARD)
        add(20)
        many = queries_for(user_client, DASHBOARD)

        assert many == few
        # user, upcoming, registrations, attended events, waitlist, unread notifications,
        # certificates
        assert few <= 7
        assert user_client.get(DASHBOARD).json()["counts"]["registrations"] == 22


class TestDashboardOrganizer:
    def test_an_organizer_sees_their_events_attendees_and_recent_registrations(
        self, organizer, organizer_client
    ):
        past = days(-5)
        EventFactory(organizer=organizer, status="draft")
        first = EventFactory(organizer=organizer)
        second = EventFactory(organizer=organizer)
        EventFactory(organizer=organizer, starts_at=past, ends_at=past + timedelta(hours=2))
        EventFactory(organizer=organizer, status="cancelled")
        mine = [
            RegistrationFactory(event=first, quantity=2),
            RegistrationFactory(event=second, quantity=1),
            hold(event=first, quantity=3),
            RegistrationFactory(event=second, quantity=5, status="cancelled"),
        ]
        RegistrationFactory(quantity=4)  # another organizer's event

        response = organizer_client.get(DASHBOARD)

        assert response.status_code == 200
        body = response.json()
        assert body["role"] == "organizer"
        assert {"upcoming_registrations", "counts", "organizer"} <= set(body)
        assert "platform" not in body
        part = body["organizer"]
        assert part["events_by_status"] == {
            "draft": 1,
            "published": 2,
            "completed": 1,
            "cancelled": 1,
        }
        assert part["attendees"] == 3  # confirmed seats: 2 + 1
        recent = part["recent_registrations"]
        assert {line["id"] for line in recent} == {r.pk for r in mine}
        assert [line["created_at"] for line in recent] == sorted(
            (line["created_at"] for line in recent), reverse=True
        )

    def test_recent_registrations_are_the_five_newest(self, organizer, organizer_client):
        event = EventFactory(organizer=organizer, capacity=100)
        registrations = [RegistrationFactory(event=event) for _ in range(7)]

        recent = organizer_client.get(DASHBOARD).json()["organizer"]["recent_registrations"]

        assert len(recent) == 5
        assert {line["id"] for line in recent} == {r.pk for r in registrations[-5:]}

    def test_an_organizer_without_events_sees_zeros(self, organizer_client):
        part = organizer_client.get(DASHBOARD).json()["organizer"]

        assert part["events_by_status"] == {
            "draft": 0,
            "published": 0,
            "completed": 0,
            "cancelled": 0,
        }
        assert part["attendees"] == 0
        assert part["recent_registrations"] == []

    def test_the_query_count_does_not_grow_with_the_data(self, organizer, organizer_client):
        def add(n):
            for _ in range(n):
                event = EventFactory(organizer=organizer)
                RegistrationFactory.create_batch(2, event=event)

        add(1)
        few = queries_for(organizer_client, DASHBOARD)
        add(15)
        many = queries_for(organizer_client, DASHBOARD)

        assert many == few
        assert few <= 11  # user, six attendee parts, events, attendees, recent, revenue
        assert organizer_client.get(DASHBOARD).json()["organizer"]["attendees"] == 32


class TestDashboardAdmin:
    def test_an_admin_sees_the_platform_totals(self, admin_client):
        first_organizer, second_organizer = OrganizerFactory.create_batch(2)
        one, two, three = UserFactory.create_batch(3)
        past = days(-5)
        EventFactory(organizer=first_organizer, status="draft")
        open_one = EventFactory(organizer=first_organizer)
        open_two = EventFactory(organizer=second_organizer)
        EventFactory(organizer=second_organizer, starts_at=past, ends_at=past + timedelta(hours=2))
        EventFactory(organizer=first_organizer, status="cancelled")
        paid = TicketTypeFactory(event=open_two, price=Decimal("10.00"))
        RegistrationFactory(event=open_one, user=one)
        RegistrationFactory(event=open_one, user=two)
        hold(event=open_two, ticket_type=paid, user=three)
        RegistrationFactory(event=open_two, user=one, status="cancelled")
        RegistrationFactory(event=open_two, user=two, status="rejected")
        RegistrationFactory(event=open_one, user=three, status="expired")

        response = admin_client.get(DASHBOARD)

        assert response.status_code == 200
        body = response.json()
        assert body["role"] == "admin"
        platform = body["platform"]
        assert platform["users_by_role"] == {"attendee": 3, "organizer": 2, "admin": 1}
        assert platform["events_by_status"] == {
            "draft": 1,
            "published": 2,
            "completed": 1,
            "cancelled": 1,
        }
        assert platform["registrations_by_status"] == {
            "pending": 1,
            "confirmed": 2,
            "cancelled": 1,
            "expired": 1,
            "rejected": 1,
        }
        assert platform["active_registrations"] == 3

    def test_a_hold_that_ran_out_counts_as_expired_at_once(self, admin_client):
        ran_out = hold()
        ran_out.expires_at = timezone.now() - timedelta(minutes=1)
        ran_out.save()
        RegistrationFactory()

        platform = admin_client.get(DASHBOARD).json()["platform"]

        assert platform["registrations_by_status"]["pending"] == 0
        assert platform["registrations_by_status"]["expired"] == 1
        assert platform["active_registrations"] == 1

    def test_an_attendee_and_an_organizer_get_no_platform_totals(
        self, user_client, organizer_client
    ):
        assert "platform" not in user_client.get(DASHBOARD).json()
        assert "platform" not in organizer_client.get(DASHBOARD).json()
        assert "organizer" not in user_client.get(DASHBOARD).json()

    def test_the_query_count_does_not_grow_with_the_data(self, admin_client):
        def add(n):
            for _ in range(n):
                event = EventFactory()
                RegistrationFactory.create_batch(2, event=event)
                hold(event=event)
                AdminFactory()

        add(1)
        few = queries_for(admin_client, DASHBOARD)
        add(15)
        many = queries_for(admin_client, DASHBOARD)

        assert many == few
        # user, attendee parts (4 + unread notifications + certificates), organizer parts
        # (3 + revenue), platform (3 + payments 2)
        assert few <= 16
        platform = admin_client.get(DASHBOARD).json()["platform"]
        assert platform["registrations_by_status"]["confirmed"] == 32
        assert platform["users_by_role"]["admin"] == 17


def test_dashboard_times_look_like_every_other_time_in_the_api(user, user_client):
    event = EventFactory()
    TicketTypeFactory(event=event, price="0")
    booking.register_for_event(user=user, event=event)
    [line] = user_client.get("/api/v1/dashboard/").json()["upcoming_registrations"]
    for field in ("starts_at", "created_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line[field]), line[field]
