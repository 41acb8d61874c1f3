"""`reviews/`: written by people who were there, once, read by anyone, changed by their author;
votes counted once per person; the rating shown on the event."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Visibility
from reviews.models import Review, ReviewVote
from tests.conftest import authenticated_client
from tests.factories import (
    AdminFactory,
    EventFactory,
    RegistrationFactory,
    ReviewFactory,
    TicketFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error, iso
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"


def begun_event(**fields):
    """An event that started an hour ago (and ends in two)."""
    now = timezone.now().replace(microsecond=0)
    fields.setdefault("starts_at", now - timedelta(hours=1))
    fields.setdefault("ends_at", now + timedelta(hours=2))
    event = EventFactory(**fields)
    TicketTypeFactory(event=event, price=Decimal("0.00"))
    return event


def attendee_of(event, *, status="confirmed", checked_in=False):
    registration = RegistrationFactory(
        event=event, ticket_type=event.ticket_types.get(), status=status
    )
    if checked_in:
        TicketFactory(registration=registration, checked_in_at=event.starts_at)
    return registration.user


def review(user, event, **fields):
    body = {"event": event.pk, "rating": 4, "title": "Good", "body": "Learned a lot.", **fields}
    return authenticated_client(user).post(REVIEWS, body, format="json")


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


class TestWriting:
    def test_someone_who_was_there_reviews_once_the_event_began(self):
        event = begun_event(title="PyCon")
        person = attendee_of(event, checked_in=True)

        response = review(person, event, rating=5)

        assert response.status_code == 201, response.json()
        body = response.json()
        written = Review.objects.get()
        assert body == {
            "id": written.pk,
            "event": event.pk,
            "event_title": "PyCon",
            "user": person.pk,
            "user_name": person.full_name,
            "rating": 5,
            "title": "Good",
            "body": "Learned a lot.",
            "attended": True,
            "helpful_count": 0,
            "unhelpful_count": 0,
            "helpful_percentage": None,
            "created_at": iso(written.created_at),
            "updated_at": iso(written.updated_at),
        }
        entry = ActivityLog.objects.get(action="review_created")
        assert (entry.user, entry.metadata) == (person, {"event": event.pk, "rating": 5})

    def test_a_confirmed_place_not_checked_in_is_a_review_not_attended(self):
        event = begun_event()
        assert review(attendee_of(event), event).json()["attended"] is False

    @pytest.mark.parametrize("status", ["pending", "cancelled", "expired", "rejected"])
    def test_without_a_confirmed_place_one_may_not(self, status):
        event = begun_event()
        person = attendee_of(event, status=status)
        assert_error(review(person, event), 409, "not_confirmed")
        assert not Review.objects.exists()

    def test_someone_never_registered_may_not(self, user):
        assert_error(review(user, begun_event()), 409, "not_confirmed")

    def test_not_before_the_event_began(self):
        event = EventFactory()  # starts in ten days
        TicketTypeFactory(event=event, price=Decimal("0.00"))
        body = assert_error(review(attendee_of(event), event), 409, "invalid_state")
        assert "once it has started" in body["message"]

    def test_never_the_events_own_organizer(self):
        event = begun_event()
        RegistrationFactory(event=event, user=event.organizer, ticket_type=event.ticket_types.get())
        assert_error(review(event.organizer, event), 403, "permission_denied")

    def test_a_second_review_of_the_same_event_is_a_conflict(self):
        event = begun_event()
        person = attendee_of(event)
        assert review(person, event).status_code == 201
        assert_error(review(person, event, rating=1), 409, "already_reviewed")
        assert Review.objects.get().rating == 4

    def test_the_database_keeps_one_review_per_person_and_event(self):
        first = ReviewFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            ReviewFactory(event=first.event, user=first.user)

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"rating": 0}, "rating"),
            ({"rating": 6}, "rating"),
            ({"rating": "five"}, "rating"),
            ({"title": "x" * 201}, "title"),
            ({"body": "x" * 5001}, "body"),
        ],
        ids=["zero", "six", "words", "long-title", "long-body"],
    )
    def test_bad_input_is_refused_on_its_field(self, fields, field):
        event = begun_event()
        body = assert_error(review(attendee_of(event), event, **fields), 400, "validation_error")
        assert set(body["details"]) == {field}

    def test_an_event_one_may_not_see_reads_as_one_that_does_not_exist(self, user):
        hidden = begun_event(visibility=Visibility.PRIVATE)
        body = assert_error(review(attendee_of(hidden), hidden), 400, "validation_error")
        assert set(body["details"]) == {"event"}

    def test_it_needs_credentials(self, api_client):
        event = begun_event()
        assert_error(
            api_client.post(REVIEWS, {"event": event.pk, "rating": 5}), 401, "not_authenticated"
        )


class TestReading:
    def test_anyone_reads_them_newest_first(self, api_client):
        older, newer = ReviewFactory(), ReviewFactory()
        Review.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))

        body = api_client.get(REVIEWS).json()

        assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]

    def test_the_reviews_of_an_event_one_may_not_see_are_not_shown(self, api_client):
        private = ReviewFactory(event=EventFactory(visibility=Visibility.PRIVATE))
        shown = ReviewFactory()

        listed = [item["id"] for item in api_client.get(REVIEWS).json()["results"]]

        assert listed == [shown.pk]
        assert_error(api_client.get(f"{REVIEWS}{private.pk}/"), 404, "not_found")
        organizer = authenticated_client(private.event.organizer)
        assert organizer.get(f"{REVIEWS}{private.pk}/").status_code == 200

    def test_they_filter_by_event_rating_and_author(self, api_client):
        event = EventFactory()
        of_event = ReviewFactory(event=event, rating=2)
        by_someone = ReviewFactory(rating=5)

        def ids(query):
            return [item["id"] for item in api_client.get(REVIEWS + query).json()["results"]]

        assert ids(f"?event={event.pk}") == [of_event.pk]
        assert ids("?rating=5") == [by_someone.pk]
        assert ids(f"?user={by_someone.user_id}") == [by_someone.pk]

    @pytest.mark.parametrize("query", ["?rating=6", "?rating=x", "?event=abc", "?user=0"])
    def test_a_filter_value_that_is_not_one_is_a_400(self, api_client, query):
        assert_error(api_client.get(REVIEWS + query), 400, "validation_error")

    def test_search_finds_words_of_the_title_the_body_and_the_events_title(self, api_client):
        by_title = ReviewFactory(title="Brilliant keynote")
        by_body = ReviewFactory(body="The workshop on asyncio was brilliant.")
        by_event = ReviewFactory(event=EventFactory(title="Brilliant Berlin"))
        ReviewFactory(title="Fine")

        found = {
            item["id"] for item in api_client.get(f"{REVIEWS}?search=brilliant").json()["results"]
        }

        assert found == {by_title.pk, by_body.pk, by_event.pk}

    def test_they_order_by_rating_and_by_helpfulness(self, api_client):
        low, high = ReviewFactory(rating=1), ReviewFactory(rating=5)
        for voter in UserFactory.create_batch(2):
            ReviewVote.objects.create(review=low, user=voter, helpful=True)

        def ids(ordering):
            results = api_client.get(f"{REVIEWS}?ordering={ordering}").json()["results"]
            return [item["id"] for item in results]

        assert ids("-rating") == [high.pk, low.pk]
        assert ids("rating") == [low.pk, high.pk]
        assert ids("-helpful_count") == [low.pk, high.pk]

    def test_the_lists_query_count_does_not_grow_with_the_reviews(self, api_client):
        def add(n):
            for _ in range(n):
                written = ReviewFactory()
                ReviewVote.objects.create(review=written, user=UserFactory(), helpful=True)

        add(2)
        few = queries_for(api_client, REVIEWS)
        add(20)
        many = queries_for(api_client, REVIEWS)

        assert many == few
        assert few <= 2  # the count, the page (votes counted in it)


class TestChanging:
    def test_the_author_changes_the_rating_and_words(self):
        written = ReviewFactory(rating=4)
        client = authenticated_client(written.user)

        response = client.patch(f"{REVIEWS}{written.pk}/", {"rating": 2, "body": "On reflection."})

        assert response.status_code == 200, response.json()
        assert (response.json()["rating"], response.json()["body"]) == (2, "On reflection.")
        entry = ActivityLog.objects.get(action="review_updated")
        assert entry.metadata == {"event": written.event_id, "changed": ["body", "rating"]}

    def test_its_event_stays_whatever_is_sent(self):
        written = ReviewFactory()
        reviewed = written.event_id
        other = EventFactory()

        authenticated_client(written.user).patch(
            f"{REVIEWS}{written.pk}/", {"event": other.pk, "rating": 3}
        )

        written.refresh_from_db()
        assert (written.event_id, written.rating) == (reviewed, 3)

    def test_nobody_else_changes_it_not_even_an_admin(self, admin_client, user_client):
        written = ReviewFactory(rating=4)
        for client in (admin_client, user_client):
            assert_error(
                client.patch(f"{REVIEWS}{written.pk}/", {"rating": 1}), 403, "permission_denied"
            )
        written.refresh_from_db()
        assert written.rating == 4

    def test_a_bad_rating_is_refused(self):
        written = ReviewFactory()
        response = authenticated_client(written.user).patch(
            f"{REVIEWS}{written.pk}/", {"rating": 9}
        )
        assert set(assert_error(response, 400, "validation_error")["details"]) == {"rating"}

    def test_put_is_not_offered(self):
        written = ReviewFactory()
        response = authenticated_client(written.user).put(f"{REVIEWS}{written.pk}/", {"rating": 1})
        assert_error(response, 405, "method_not_allowed")


class TestDeleting:
    def test_the_author_removes_it_with_its_votes(self):
        written = ReviewFactory()
        ReviewVote.objects.create(review=written, user=UserFactory(), helpful=True)

        response = authenticated_client(written.user).delete(f"{REVIEWS}{written.pk}/")

        assert response.status_code == 204
        assert not Review.objects.exists() and not ReviewVote.objects.exists()

    def test_an_admin_removes_any_as_moderation_and_it_is_logged(self):
        written = ReviewFactory(rating=1)
        admin = AdminFactory()

        assert authenticated_client(admin).delete(f"{REVIEWS}{written.pk}/").status_code == 204

        entry = ActivityLog.objects.get(action="review_deleted")
        assert (entry.user, entry.metadata["author"]) == (admin, written.user_id)

    def test_another_user_or_the_events_organizer_may_not(self, user_client):
        written = ReviewFactory()
        for client in (user_client, authenticated_client(written.event.organizer)):
            assert_error(client.delete(f"{REVIEWS}{written.pk}/"), 403, "permission_denied")
        assert Review.objects.exists()


class TestVoting:
    def vote(self, user, written, helpful=True):
        return authenticated_client(user).post(
            f"{REVIEWS}{written.pk}/vote/", {"helpful": helpful}, format="json"
        )

    def test_votes_count_and_give_a_percentage(self):
        written = ReviewFactory()
        for helpful in (True, True, False):
            response = self.vote(UserFactory(), written, helpful)
            assert response.status_code == 200, response.json()

        body = response.json()
        assert (body["helpful_count"], body["unhelpful_count"]) == (2, 1)
        assert body["helpful_percentage"] == 67

    def test_one_vote_per_person_which_they_may_change(self, user):
        written = ReviewFactory()
        self.vote(user, written, True)
        body = self.vote(user, written, False).json()

        assert (body["helpful_count"], body["unhelpful_count"]) == (0, 1)
        assert ReviewVote.objects.get().helpful is False

    def test_never_on_ones_own_review(self):
        written = ReviewFactory()
        assert_error(self.vote(written.user, written), 403, "permission_denied")
        assert not ReviewVote.objects.exists()

    @pytest.mark.parametrize("body", [{}, {"helpful": "perhaps"}, {"helpful": None}])
    def test_a_vote_must_say_helpful_or_not(self, user, body):
        written = ReviewFactory()
        response = authenticated_client(user).post(
            f"{REVIEWS}{written.pk}/vote/", body, format="json"
        )
        assert set(assert_error(response, 400, "validation_error")["details"]) == {"helpful"}

    def test_a_review_one_may_not_see_cannot_be_voted_on(self, user):
        hidden = ReviewFactory(event=EventFactory(visibility=Visibility.PRIVATE))
        assert_error(self.vote(user, hidden), 404, "not_found")

    def test_it_needs_credentials(self, api_client):
        written = ReviewFactory()
        response = api_client.post(f"{REVIEWS}{written.pk}/vote/", {"helpful": True})
        assert_error(response, 401, "not_authenticated")
