"""The event list (filters, search, ordering, visibility, query count) and categories."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import authenticated_client
from tests.factories import (
    CategoryFactory,
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    SessionFactory,
    TicketTypeFactory,
)
from tests.helpers import assert_error, iso

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


def slugs(client, query=""):
    response = client.get(URL + query)
    assert response.status_code == 200, response.json()
    return [event["slug"] for event in response.json()["results"]]


class TestVisibilityInTheList:
    def test_anonymous_sees_public_published_and_completed_events(self, api_client):
        past = timezone.now() - timedelta(days=3)
        EventFactory(slug="published")
        EventFactory(slug="completed", starts_at=past, ends_at=past + timedelta(hours=1))
        EventFactory(slug="draft", status="draft")
        EventFactory(slug="cancelled", status="cancelled")
        EventFactory(slug="unlisted", visibility="unlisted")
        EventFactory(slug="private", visibility="private")
        assert sorted(slugs(api_client)) == ["completed", "published"]

    def test_organizers_also_see_all_of_their_own(self, organizer):
        EventFactory(slug="public")
        for status in ("draft", "cancelled"):
            EventFactory(slug=f"mine-{status}", organizer=organizer, status=status)
        EventFactory(slug="mine-private", organizer=organizer, visibility="private")
        EventFactory(slug="someone-elses-draft", status="draft")
        assert sorted(slugs(authenticated_client(organizer))) == [
            "mine-cancelled",
            "mine-draft",
            "mine-private",
            "public",
        ]

    def test_admins_see_everything(self, admin_client):
        EventFactory(status="draft")
        EventFactory(visibility="private")
        EventFactory(status="cancelled")
        assert len(slugs(admin_client)) == 3


class TestFilters:
    def test_category_by_slug(self, api_client):
        EventFactory(slug="a", category=CategoryFactory(slug="webinar"))
        EventFactory(slug="b", category=CategoryFactory(slug="meetup"))
        assert slugs(api_client, "?category=webinar") == ["a"]

    def test_status_values_including_ongoing_and_completed(self, organizer):
        now = timezone.now()
        EventFactory(slug="upcoming", organizer=organizer)
        EventFactory(
            slug="ongoing",
            organizer=organizer,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
        EventFactory(
            slug="completed",
            organizer=organizer,
            starts_at=now - timedelta(days=1),
            ends_at=now - timedelta(hours=20),
        )
        EventFactory(slug="draft", organizer=organizer, status="draft")
        EventFactory(slug="cancelled", organizer=organizer, status="cancelled")
        client = authenticated_client(organizer)
        assert sorted(slugs(client, "?status=published")) == ["ongoing", "upcoming"]
        assert slugs(client, "?status=ongoing") == ["ongoing"]
        assert slugs(client, "?status=completed") == ["completed"]
        assert slugs(client, "?status=draft") == ["draft"]
        assert slugs(client, "?status=cancelled") == ["cancelled"]

    def test_online_organizer_and_level(self, api_client):
        organizer = OrganizerFactory()
        EventFactory(slug="online", is_online=True, level="beginner")
        EventFactory(slug="in-person", organizer=organizer, level="advanced")
        assert slugs(api_client, "?is_online=true") == ["online"]
        assert slugs(api_client, f"?organizer={organizer.pk}") == ["in-person"]
        assert slugs(api_client, "?level=advanced") == ["in-person"]

    def test_tags_match_any_of_a_comma_separated_list(self, api_client):
        EventFactory(slug="py", tags=["python"])
        EventFactory(slug="both", tags=["python", "django"])
        EventFactory(slug="go", tags=["go"])
        assert sorted(slugs(api_client, "?tags=Django,go")) == ["both", "go"]
        assert sorted(slugs(api_client, "?tags=python")) == ["both", "py"]

    def test_start_window(self, api_client):
        now = timezone.now()
        EventFactory(slug="soon", starts_at=now + timedelta(days=2))
        EventFactory(slug="later", starts_at=now + timedelta(days=20))
        assert slugs(api_client, f"?starts_after={iso(now + timedelta(days=10))}") == ["later"]
        assert slugs(api_client, f"?starts_before={iso(now + timedelta(days=10))}") == ["soon"]

    def test_price_range_uses_the_lowest_active_price(self, api_client):
        cheap, dear = EventFactory(slug="cheap"), EventFactory(slug="dear")
        TicketTypeFactory(event=cheap, price="10.00")
        TicketTypeFactory(event=dear, price="100.00")
        TicketTypeFactory(event=dear, price="1.00", is_active=False)
        assert slugs(api_client, "?price_max=50") == ["cheap"]
        assert slugs(api_client, "?price_min=50") == ["dear"]
        assert slugs(api_client, "?price_min=0&price_max=10") == ["cheap"]

    def test_upcoming(self, api_client):
        past = timezone.now() - timedelta(days=3)
        EventFactory(slug="future")
        EventFactory(slug="past", starts_at=past, ends_at=past + timedelta(hours=1))
        assert slugs(api_client, "?upcoming=true") == ["future"]
        assert slugs(api_client, "?upcoming=false") == ["past"]

    def test_has_availability(self, api_client):
        room = EventFactory(slug="room", capacity=10)
        TicketTypeFactory(event=room, quantity=5)
        nothing_on_sale = EventFactory(slug="no-tickets", capacity=10)
        type_sold_out = EventFactory(slug="type-sold-out", capacity=10)
        scarce = TicketTypeFactory(event=type_sold_out, quantity=1, price="0")
        RegistrationFactory(event=type_sold_out, ticket_type=scarce)
        past = timezone.now() - timedelta(days=2)
        ended = EventFactory(slug="ended", starts_at=past, ends_at=past + timedelta(hours=1))
        TicketTypeFactory(event=ended)
        assert nothing_on_sale and ended

        assert slugs(api_client, "?has_availability=true") == ["room"]
        assert sorted(slugs(api_client, "?has_availability=false")) == [
            "ended",
            "no-tickets",
            "type-sold-out",
        ]

    def test_available_spots_count_only_what_ticket_types_can_still_sell(self, api_client):
        event = EventFactory(capacity=10)
        scarce = TicketTypeFactory(event=event, quantity=2, price="0")
        TicketTypeFactory(event=event, quantity=50, is_active=False)
        RegistrationFactory(event=event, ticket_type=scarce, quantity=1)
        body = api_client.get(f"{URL}{event.pk}/").json()
        assert body["available_spots"] == 1
        assert body["attendees_count"] == 1

    @pytest.mark.parametrize(
        "query",
        [
            "?status=finished",
            "?level=expert",
            "?is_online=maybe",
            "?organizer=abc",
            "?starts_after=tomorrow",
            "?price_min=cheap",
            "?price_max=-5",
            "?category=nope",
            "?upcoming=soon",
        ],
    )
    def test_invalid_filter_values_are_400(self, api_client, query):
        EventFactory()
        body = assert_error(api_client.get(URL + query), 400, "validation_error")
        assert query[1:].split("=")[0] in body["details"]


class TestSearchAndOrdering:
    def test_search_looks_in_title_description_tags_and_location(self, api_client):
        EventFactory(slug="t", title="Kubernetes for beginners")
        EventFactory(slug="d", description="We will discuss kubernetes operators")
        EventFactory(slug="tag", tags=["kubernetes"])
        EventFactory(slug="l", location="Kubernetes House, Dublin")
        EventFactory(slug="none", title="Gardening")
        assert sorted(slugs(api_client, "?search=kubernetes")) == ["d", "l", "t", "tag"]

    def test_a_tag_and_a_title_match_do_not_duplicate_rows(self, api_client):
        EventFactory(slug="twice", title="Rust day", tags=["rust", "rustlang"])
        assert slugs(api_client, "?search=rust") == ["twice"]

    def test_default_order_is_by_start(self, api_client):
        now = timezone.now()
        EventFactory(slug="second", starts_at=now + timedelta(days=5))
        EventFactory(slug="first", starts_at=now + timedelta(days=1))
        assert slugs(api_client) == ["first", "second"]

    def test_ordering_by_each_allowed_field(self, api_client):
        a = EventFactory(slug="a", title="Zeta", starts_at=timezone.now() + timedelta(days=1))
        b = EventFactory(slug="b", title="Alpha", starts_at=timezone.now() + timedelta(days=2))
        TicketTypeFactory(event=a, price="50.00")
        TicketTypeFactory(event=b, price="5.00")
        assert slugs(api_client, "?ordering=title") == ["b", "a"]
        assert slugs(api_client, "?ordering=-starts_at") == ["b", "a"]
        assert slugs(api_client, "?ordering=price") == ["b", "a"]
        assert slugs(api_client, "?ordering=-price") == ["a", "b"]
        assert slugs(api_client, "?ordering=-created_at") == ["b", "a"]

    def test_unknown_ordering_is_ignored(self, api_client):
        EventFactory()
        assert len(slugs(api_client, "?ordering=capacity_secret")) == 1


class TestListQueries:
    @pytest.mark.parametrize("page_size", [5, 40])
    def test_query_count_does_not_grow_with_the_page(
        self, api_client, page_size, django_assert_max_num_queries
    ):
        for n in range(page_size):
            event = EventFactory(tags=["python", f"t{n}"])
            TicketTypeFactory.create_batch(2, event=event)
            SessionFactory.create_batch(2, event=event)
        # count, page of events, ticket types, sessions, tags
        with django_assert_max_num_queries(5):
            response = api_client.get(
                f"{URL}?page_size={page_size}&ordering=price&search=event&tags=python"
            )
        assert len(response.json()["results"]) == page_size


class TestCategories:
    URL = "/api/v1/categories/"

    def test_anyone_lists_categories_with_their_public_event_count(self, api_client):
        workshop = CategoryFactory(slug="workshop", name="Workshop")
        EventFactory.create_batch(2, category=workshop)
        EventFactory(category=workshop, status="draft")
        EventFactory(category=workshop, visibility="private")
        body = api_client.get(self.URL).json()
        assert body["results"] == [
            {
                "id": workshop.pk,
                "name": "Workshop",
                "slug": "workshop",
                "description": "",
                "event_count": 2,
            }
        ]

    def test_admin_creates_changes_and_deletes(self, admin_client):
        response = admin_client.post(
            self.URL, {"name": "Hackathon", "slug": "hackathon"}, format="json"
        )
        assert response.status_code == 201
        pk = response.json()["id"]
        assert (
            admin_client.patch(f"{self.URL}{pk}/", {"description": "Build!"}, format="json").json()[
                "description"
            ]
            == "Build!"
        )
        assert admin_client.delete(f"{self.URL}{pk}/").status_code == 204

    def test_a_category_with_events_cannot_be_deleted(self, admin_client):
        event = EventFactory()
        assert_error(admin_client.delete(f"{self.URL}{event.category_id}/"), 409, "invalid_state")

    def test_organizers_and_attendees_may_not_write(self, organizer_client, user_client):
        for client in (organizer_client, user_client):
            assert_error(
                client.post(self.URL, {"name": "X", "slug": "x"}, format="json"),
                403,
                "permission_denied",
            )

    @pytest.mark.parametrize("data", [{"name": "", "slug": "x"}, {"name": "X", "slug": "a b"}])
    def test_invalid_categories_are_refused(self, admin_client, data):
        assert_error(admin_client.post(self.URL, data, format="json"), 400, "validation_error")

    def test_duplicate_slug_is_refused(self, admin_client):
        CategoryFactory(slug="taken")
        assert_error(
            admin_client.post(self.URL, {"name": "New", "slug": "taken"}, format="json"),
            400,
            "validation_error",
        )

    def test_list_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        for n in range(10):
            EventFactory(category=CategoryFactory(slug=f"c{n}"))
        with django_assert_max_num_queries(2):
            assert len(api_client.get(self.URL).json()["results"]) == 10
