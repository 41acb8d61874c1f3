"""Reads of reviews: what a user may see, with their votes counted in the query."""

from django.db.models import Avg, Count, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Round

from events.selectors import visible_events
from reviews.models import Review


def visible_reviews(user) -> QuerySet[Review]:
    """Reviews of the events the user may see (a private event's reviews are its own)."""
    return Review.objects.filter(event__in=visible_events(user))


def with_votes(reviews: QuerySet[Review]) -> QuerySet[Review]:
    """`helpful_count` and `unhelpful_count`, counted from the votes in the same query: always
    what the votes say, however many are cast at once."""
    return reviews.annotate(
        helpful_count=Count("votes", filter=Q(votes__helpful=True)),
        unhelpful_count=Count("votes", filter=Q(votes__helpful=False)),
    )


def _of_the_event():
    return Review.objects.filter(event=OuterRef("pk")).order_by().values("event")


def with_ratings(events, viewer, now):
    """The events listing's part: `average_rating` (two decimals, null without reviews) and
    `reviews_count` of each event, as subqueries (one query for the whole page)."""
    return events.annotate(
        average_rating=Subquery(
            _of_the_event().annotate(average=Round(Avg("rating"), 2)).values("average"),
            output_field=FloatField(),
        ),
        reviews_count=Coalesce(
            Subquery(_of_the_event().annotate(count=Count("id")).values("count")), 0
        ),
    )


def event_rating(event) -> dict:
    """The statistics' part: the event's `reviews_count` and `average_rating`."""
    figures = Review.objects.filter(event=event).aggregate(
        reviews_count=Count("id"), average_rating=Round(Avg("rating"), 2)
    )
    if figures["average_rating"] is not None:
        figures["average_rating"] = float(figures["average_rating"])
    return figures
