"""Reviews and their votes: who may review what, once, and votes counted once per person."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events.models import Event
from registrations.models import Registration, RegistrationStatus, Ticket
from reviews import facts
from reviews.models import Review, ReviewVote


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(
        message, code="permission_denied", status_code=status.HTTP_403_FORBIDDEN
    )


@transaction.atomic
def create_review(
    *,
    user,
    event: Event,
    rating: int,
    title: str = "",
    body: str = "",
    origin: Origin | None = None,
) -> Review:
    """Review an event: only someone who holds a confirmed registration for it, once it has
    started, and never its organizer; once per person and event (409 `already_reviewed`, kept
    by the database too). `attended` is whether they were checked in."""
    if event.organizer_id == user.pk:
        raise _refuse("An event's organizer cannot review it.")
    if not Registration.objects.filter(
        event=event, user=user, status=RegistrationStatus.CONFIRMED
    ).exists():
        raise Conflict(
            ConflictCode.NOT_CONFIRMED,
            "Only people with a confirmed registration for this event can review it.",
        )
    if event.starts_at > timezone.now():
        raise Conflict(ConflictCode.INVALID_STATE, "An event can be reviewed once it has started.")
    if Review.objects.filter(event=event, user=user).exists():
        raise Conflict(ConflictCode.ALREADY_REVIEWED, "You have reviewed this event already.")
    attended = Ticket.objects.filter(
        event=event, registration__user=user, checked_in_at__isnull=False
    ).exists()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                event=event, user=user, rating=rating, title=title, body=body, attended=attended
            )
    except IntegrityError as exc:  # the same review a moment ago, from another request
        raise Conflict(
            ConflictCode.ALREADY_REVIEWED, "You have reviewed this event already."
        ) from exc
    record(
        facts.REVIEW_CREATED,
        user=user,
        origin=origin,
        target=review,
        data={"event": event.pk, "rating": rating},
    )
    return review


@transaction.atomic
def update_review(*, review: Review, actor, origin: Origin | None = None, **changes) -> Review:
    """Its author changes the rating, title or body."""
    if review.user_id != actor.pk:
        raise _refuse("Only its author can change a review.")
    changed = sorted(field for field, value in changes.items() if getattr(review, field) != value)
    for field, value in changes.items():
        setattr(review, field, value)
    review.save()
    record(
        facts.REVIEW_UPDATED,
        user=actor,
        origin=origin,
        target=review,
        data={"event": review.event_id, "changed": changed},
    )
    return review


@transaction.atomic
def delete_review(*, review: Review, actor, origin: Origin | None = None) -> None:
    """Its author takes it down, or an admin removes it (moderation); its votes go with it."""
    if review.user_id != actor.pk and not actor.is_admin:
        raise _refuse("Only its author or an admin can delete a review.")
    record(
        facts.REVIEW_DELETED,
        user=actor,
        origin=origin,
        target=review,
        data={"event": review.event_id, "author": review.user_id, "rating": review.rating},
    )
    review.delete()


@transaction.atomic
def vote(*, review: Review, user, helpful: bool, origin: Origin | None = None) -> ReviewVote:
    """Say whether a review helped: one vote per person, which they may change; never on one's
    own review. Votes at once from many people are rows of their own, so the counts (read from
    the votes) are always right; the same person voting twice at once is one row."""
    if review.user_id == user.pk:
        raise _refuse("You cannot vote on your own review.")
    try:
        with transaction.atomic():
            ballot, _ = ReviewVote.objects.update_or_create(
                review=review, user=user, defaults={"helpful": helpful}
            )
    except IntegrityError:  # the same person's other vote was written a moment ago
        ballot = ReviewVote.objects.get(review=review, user=user)
        ballot.helpful = helpful
        ballot.save(update_fields=["helpful", "updated_at"])
    record(
        facts.REVIEW_VOTED,
        user=user,
        origin=origin,
        target=review,
        data={"event": review.event_id, "helpful": helpful},
    )
    return ballot
