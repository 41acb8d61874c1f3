"""The anonymous catalogue cache serves a page only while nothing on it can have changed."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.catalogue import CATALOGUE_KEY, LIST_KEY, event_key
from config.exceptions import ApplicationError
from events.cache import _seconds_valid, next_change_at
from registrations.services import booking
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    TicketTypeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/events/"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.CATALOGUE_CACHE_SECONDS = 60


@pytest.fixture
def event():
    event = EventFactory(capacity=10, title="Original")
    TicketTypeFactory(event=event, price="0.00", quantity=10)
    SessionFactory(event=event)
    return event


def version(key: str = CATALOGUE_KEY):
    return cache.get(key)


def queries_of(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def listed(client, url=LIST):
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.content)


class TestServing:
    def test_a_repeated_anonymous_read_costs_no_query(
        self, api_client, event, django_assert_num_queries
    ):
        first = listed(api_client)
        with django_assert_num_queries(0):
            assert listed(api_client) == first
        detail = listed(api_client, f"{LIST}{event.pk}/")
        with django_assert_num_queries(0):
            assert listed(api_client, f"{LIST}{event.pk}/") == detail

    def test_cached_responses_keep_the_rate_limit_headers(self, api_client, event):
        api_client.get(LIST)
        response = api_client.get(LIST)
        assert response["Content-Type"] == "application/json"
        assert response["X-RateLimit-Remaining"] == "998"

    def test_each_query_string_is_its_own_page(self, api_client, event):
        EventFactory(title="Other")
        assert listed(api_client)["count"] == 2
        assert listed(api_client, f"{LIST}?search=original")["count"] == 1

    def test_signed_in_readers_are_never_served_from_the_cache(self, event):
        client = authenticated_client(event.organizer)
        listed(client)
        assert queries_of(lambda: listed(client)) > 0

    def test_the_browsable_api_is_not_cached(self, api_client, event):
        api_client.get(LIST, HTTP_ACCEPT="text/html")
        assert queries_of(lambda: api_client.get(LIST, HTTP_ACCEPT="text/html")) > 0

    def test_off_when_no_shared_cache_is_configured(self, api_client, event, settings):
        settings.CATALOGUE_CACHE_SECONDS = 0
        listed(api_client)
        assert queries_of(lambda: listed(api_client)) > 0


class TestWritesEndCachedPages:
    """Each kind of write that changes how an event reads is seen at once by the next read."""

    def test_a_booking_changes_the_seats(
        self, api_client, event, django_capture_on_commit_callbacks
    ):
        assert listed(api_client)["results"][0]["available_spots"] == 10
        with django_capture_on_commit_callbacks(execute=True):
            booking.register_for_event(user=UserFactory(), event=event, quantity=3)
        assert listed(api_client)["results"][0]["available_spots"] == 7

    def test_a_cancellation_frees_the_seats(
        self, api_client, event, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            registration = booking.register_for_event(user=UserFactory(), event=event)
        assert listed(api_client)["results"][0]["attendees_count"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            booking.cancel_registration(registration=registration, actor=registration.user)
        assert listed(api_client)["results"][0]["attendees_count"] == 0

    def test_an_edit_through_the_api(self, api_client, event, django_capture_on_commit_callbacks):
        listed(api_client, f"{LIST}{event.pk}/")
        owner = authenticated_client(event.organizer)
        with django_capture_on_commit_callbacks(execute=True):
            owner.patch(f"{LIST}{event.pk}/", {"title": "Renamed"}, format="json")
        assert listed(api_client, f"{LIST}{event.pk}/")["title"] == "Renamed"

    def test_ticket_types_and_sessions(self, api_client, event, django_capture_on_commit_callbacks):
        owner = authenticated_client(event.organizer)
        listed(api_client)
        with django_capture_on_commit_callbacks(execute=True):
            owner.post(
                "/api/v1/ticket-types/",
                {"event": event.pk, "name": "VIP", "price": "5.00", "quantity": 1},
                format="json",
            )
        assert len(listed(api_client)["results"][0]["ticket_types"]) == 2
        session = event.sessions.get()
        with django_capture_on_commit_callbacks(execute=True):
            owner.delete(f"/api/v1/sessions/{session.pk}/")
        assert listed(api_client)["results"][0]["sessions"] == []

    def test_a_category_renamed_by_an_admin(
        self, api_client, admin_client, event, django_capture_on_commit_callbacks
    ):
        listed(api_client)
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.patch(
                f"/api/v1/categories/{event.category_id}/", {"slug": "renamed"}, format="json"
            )
        assert listed(api_client)["results"][0]["category"] == "renamed"

    def test_the_organizer_changing_their_name(
        self, api_client, event, django_capture_on_commit_callbacks
    ):
        listed(api_client)
        with django_capture_on_commit_callbacks(execute=True):
            authenticated_client(event.organizer).patch(
                "/api/v1/auth/users/me/", {"first_name": "Renamed"}, format="json"
            )
        assert listed(api_client)["results"][0]["organizer_name"].startswith("Renamed")

    def test_an_edit_in_the_django_admin(
        self, api_client, admin_site, event, django_capture_on_commit_callbacks
    ):
        listed(api_client)
        page = admin_site.get("/admin/events/tag/add/")
        assert page.status_code == 200
        before = version()
        with django_capture_on_commit_callbacks(execute=True):
            admin_site.post("/admin/events/tag/add/", {"name": "fresh"})
        assert version() != before

    def test_a_write_that_rolls_back_keeps_the_version(
        self, event, django_capture_on_commit_callbacks
    ):
        before = (version(), version(LIST_KEY), version(event_key(event.pk)))
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(ApplicationError),  # sold out: the booking is refused
        ):
            booking.register_for_event(user=UserFactory(), event=event, quantity=11)
        assert callbacks == []
        assert (version(), version(LIST_KEY), version(event_key(event.pk))) == before


class TestOnlyWhatChangedIsForgotten:
    def test_a_booking_at_one_event_keeps_the_other_events_pages(
        self, api_client, event, django_capture_on_commit_callbacks
    ):
        other = EventFactory(title="Other")
        TicketTypeFactory(event=other, price="0.00", quantity=5)
        other_page = listed(api_client, f"{LIST}{other.pk}/")
        listed(api_client, f"{LIST}{event.pk}/")
        listed(api_client)
        with django_capture_on_commit_callbacks(execute=True):
            booking.register_for_event(user=UserFactory(), event=event, quantity=2)
        assert queries_of(lambda: listed(api_client, f"{LIST}{other.pk}/")) == 0
        assert listed(api_client, f"{LIST}{other.pk}/") == other_page
        assert listed(api_client, f"{LIST}{event.pk}/")["available_spots"] == 8
        by_id = {row["id"]: row for row in listed(api_client)["results"]}
        assert by_id[event.pk]["available_spots"] == 8

    def test_a_category_renamed_forgets_every_page(
        self, api_client, admin_client, event, django_capture_on_commit_callbacks
    ):
        listed(api_client, f"{LIST}{event.pk}/")
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.patch(
                f"/api/v1/categories/{event.category_id}/", {"slug": "moved"}, format="json"
            )
        assert listed(api_client, f"{LIST}{event.pk}/")["category"] == "moved"

    def test_an_id_written_another_way_follows_its_event(
        self, api_client, event, django_capture_on_commit_callbacks
    ):
        assert listed(api_client, f"{LIST}0{event.pk}/")["available_spots"] == 10
        with django_capture_on_commit_callbacks(execute=True):
            booking.register_for_event(user=UserFactory(), event=event)
        assert listed(api_client, f"{LIST}0{event.pk}/")["available_spots"] == 9


class TestTheClock:
    def test_the_next_change_is_the_earliest_moment_anything_moves(self):
        now = timezone.now()
        EventFactory(starts_at=now + timedelta(hours=5), ends_at=now + timedelta(hours=8))
        EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
        deadline = EventFactory(registration_deadline=now + timedelta(hours=1))
        assert next_change_at(now) == deadline.registration_deadline
        hold = RegistrationFactory(
            status="pending", confirmed_at=None, expires_at=now + timedelta(minutes=10)
        )
        assert next_change_at(now) == hold.expires_at
        assert next_change_at(now, event_id=deadline.pk) == deadline.registration_deadline

    def test_drafts_do_not_count(self):
        now = timezone.now()
        EventFactory(status="draft", starts_at=now + timedelta(minutes=1))
        assert next_change_at(now) is None

    def test_no_entry_outlives_the_next_change(self, settings):
        now = timezone.now()
        EventFactory(starts_at=now + timedelta(seconds=30), ends_at=now + timedelta(hours=1))
        assert 0 < _seconds_valid((1, 1)) <= 30
        settings.CATALOGUE_CACHE_SECONDS = 10
        assert _seconds_valid((1, 2)) <= 10

    def test_an_event_ending_shows_completed_without_any_write(self, api_client):
        now = timezone.now()
        event = EventFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(seconds=1))
        assert listed(api_client, f"{LIST}{event.pk}/")["status"] == "published"
        with time_machine.travel(now + timedelta(seconds=2)):
            assert listed(api_client, f"{LIST}{event.pk}/")["status"] == "completed"
