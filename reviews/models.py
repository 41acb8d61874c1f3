from django.conf import settings
from django.db import models
from django.db.models import Q

from events.models import Event


class Review(models.Model):
    """One person's review of an event they held a confirmed place at, once it had started.
    One per person and event (the database keeps it so, whatever arrives at once)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reviews")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=5000, blank=True)
    # Whether the reviewer was checked in at the event when they wrote it.
    attended = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="one_review_per_user_and_event"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["event", "-created_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.event}: {self.rating}/5"


class ReviewVote(models.Model):
    """Whether someone found a review helpful; one per person and review, changeable."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_votes"
    )
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="one_vote_per_user_and_review")
        ]
        indexes = [models.Index(fields=["review", "helpful"])]

    def __str__(self) -> str:
        return f"{self.user} → review #{self.review_id}: {'helpful' if self.helpful else 'not'}"
