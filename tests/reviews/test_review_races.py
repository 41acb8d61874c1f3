"""Reviews under concurrency, on PostgreSQL with real threads: one review per person however
many arrive at once, and votes counted exactly, whoever casts them at the same moment."""

import pytest

from reviews.models import Review, ReviewVote
from tests.conftest import authenticated_client
from tests.factories import ReviewFactory, UserFactory
from tests.registrations.test_concurrency import run_at_once
from tests.reviews.test_reviews import REVIEWS, attendee_of, begun_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

attempts = pytest.mark.parametrize("attempt", range(3))


@attempts
def test_one_person_reviewing_many_times_at_once_writes_one_review(attempt):
    event = begun_event()
    client = authenticated_client(attendee_of(event))

    answers = run_at_once(
        6, lambda i: client.post(REVIEWS, {"event": event.pk, "rating": 5}, format="json")
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * 5, [answer.json() for answer in answers]
    assert {a.json()["error_code"] for a in answers if a.status_code == 409} == {"already_reviewed"}
    assert Review.objects.count() == 1


@attempts
def test_votes_cast_at_once_are_each_counted(attempt):
    written = ReviewFactory()
    voters = [authenticated_client(UserFactory()) for _ in range(8)]

    answers = run_at_once(
        8,
        lambda i: voters[i].post(
            f"{REVIEWS}{written.pk}/vote/", {"helpful": i % 2 == 0}, format="json"
        ),
    )

    assert all(answer.status_code == 200 for answer in answers), answers
    final = authenticated_client(UserFactory()).get(f"{REVIEWS}{written.pk}/").json()
    assert (final["helpful_count"], final["unhelpful_count"]) == (4, 4)


@attempts
def test_one_person_voting_many_times_at_once_is_one_vote(attempt):
    written = ReviewFactory()
    voter = UserFactory()
    client = authenticated_client(voter)

    answers = run_at_once(
        6, lambda i: client.post(f"{REVIEWS}{written.pk}/vote/", {"helpful": True}, format="json")
    )

    assert all(answer.status_code == 200 for answer in answers), [a.json() for a in answers]
    assert ReviewVote.objects.filter(review=written, user=voter).count() == 1
