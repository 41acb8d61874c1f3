"""An event's rating, from its reviews: on the catalogue (listed, ordered, cached) and in its
statistics; and reviews in the Django admin and the demo data."""

import pytest
from django.core.management import call_command

from reviews.models import Review
from tests.conftest import authenticated_client
from tests.factories import EventFactory, ReviewFactory
from tests.helpers import admin_change_url, admin_filter_link, assert_admin_lists
from tests.reviews.test_reviews import attendee_of, begun_event, review
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def rated(*ratings, **fields):
    event = EventFactory(**fields)
    for rating in ratings:
        ReviewFactory(event=event, rating=rating)
    return event


class TestTheEventsRating:
    def test_the_list_and_the_page_show_the_average_and_the_count(self, api_client):
        event = rated(5, 4, 4)
        unrated = EventFactory()

        listed = {item["id"]: item for item in api_client.get(EVENTS).json()["results"]}
        page = api_client.get(f"{EVENTS}{event.pk}/").json()

        assert (listed[event.pk]["average_rating"], listed[event.pk]["reviews_count"]) == (4.33, 3)
        assert (page["average_rating"], page["reviews_count"]) == (4.33, 3)
        assert (listed[unrated.pk]["average_rating"], listed[unrated.pk]["reviews_count"]) == (
            None,
            0,
        )

    def test_the_list_orders_by_rating_with_unrated_events_last_either_way(self, api_client):
        good, poor, unrated = rated(5, 5), rated(2), EventFactory()

        def order(ordering):
            results = api_client.get(f"{EVENTS}?ordering={ordering}").json()["results"]
            return [item["id"] for item in results]

        assert order("-average_rating") == [good.pk, poor.pk, unrated.pk]
        assert order("average_rating") == [poor.pk, good.pk, unrated.pk]

    def test_the_lists_query_count_does_not_grow_with_reviews(
        self, api_client, django_assert_max_num_queries
    ):
        for _ in range(20):
            rated(3, 4, 5)
        with django_assert_max_num_queries(5):  # count, page, ticket types, sessions, tags
            assert len(api_client.get(EVENTS).json()["results"]) == 20

    def test_the_statistics_show_the_rating(self):
        event = rated(5, 3)
        body = authenticated_client(event.organizer).get(f"{EVENTS}{event.pk}/statistics/")
        assert (body.json()["average_rating"], body.json()["reviews_count"]) == (4.0, 2)

    def test_a_new_review_is_on_the_cached_page_at_once(
        self, api_client, settings, django_capture_on_commit_callbacks
    ):
        settings.CATALOGUE_CACHE_SECONDS = 60
        event = begun_event()
        person = attendee_of(event)
        assert api_client.get(f"{EVENTS}{event.pk}/").json()["reviews_count"] == 0  # cached

        with django_capture_on_commit_callbacks(execute=True):
            assert review(person, event, rating=2).status_code == 201

        page = api_client.get(f"{EVENTS}{event.pk}/").json()
        assert (page["reviews_count"], page["average_rating"]) == (1, 2.0)


class TestTheAdmin:
    def test_reviews_are_found_by_words_and_filtered_by_rating(self, admin_site):
        praise = ReviewFactory(title="Superb speakers", rating=5)
        other = ReviewFactory(title="Meh", rating=2)

        assert_admin_lists(
            admin_site.get("/admin/reviews/review/?q=superb"), shown=[praise], hidden=[other]
        )
        page = admin_site.get("/admin/reviews/review/")
        link = admin_filter_link(page, "rating", "5")
        assert_admin_lists(admin_site.get(f"/admin/reviews/review/{link}"), [praise], [other])

    def test_an_admin_removes_a_review_through_the_service(self, admin_site, admin_user):
        written = ReviewFactory()

        response = admin_site.post(f"/admin/reviews/review/{written.pk}/delete/", {"post": "yes"})

        assert response.status_code == 302
        assert not Review.objects.exists()
        assert ActivityLog.objects.get(action="review_deleted").user == admin_user

    def test_a_review_is_not_written_or_rewritten_there(self, admin_site):
        written = ReviewFactory()
        assert admin_site.get(admin_change_url(written)).status_code == 200
        assert admin_site.post(admin_change_url(written), {"rating": 1}).status_code == 403
        assert admin_site.get("/admin/reviews/review/add/").status_code == 403


def test_seed_demo_reviews_the_past_workshop_once(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
        call_command("seed_demo")

    reviews = Review.objects.filter(event__slug="intro-to-django-past").select_related("user")
    assert {r.user.username: (r.rating, r.attended) for r in reviews} == {
        "alice": (5, True),
        "bob": (4, True),
        "carol": (3, False),
    }
    assert reviews.get(user__username="alice").votes.filter(helpful=True).count() == 2
    assert ActivityLog.objects.filter(action="review_voted").count() == 4
