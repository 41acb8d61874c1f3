from rest_framework import serializers

from config.serializers import IdField, ModelSerializer
from events.models import Event
from reviews.models import Review


class ReviewSerializer(ModelSerializer):
    """A review of an event by someone who held a confirmed place, with its votes' counts."""

    event = IdField(queryset=Event.objects.none())  # the events the writer may see (the view)
    event_title = serializers.CharField(source="event.title", read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    rating = serializers.IntegerField(min_value=1, max_value=5)
    helpful_count = serializers.IntegerField(read_only=True, default=0)
    unhelpful_count = serializers.IntegerField(read_only=True, default=0)
    helpful_percentage = serializers.SerializerMethodField(
        help_text="Of the votes, how many found it helpful (0-100); null without votes."
    )

    class Meta:
        model = Review
        fields = (
            "id",
            "event",
            "event_title",
            "user",
            "user_name",
            "rating",
            "title",
            "body",
            "attended",
            "helpful_count",
            "unhelpful_count",
            "helpful_percentage",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "user", "attended", "created_at", "updated_at")

    def get_helpful_percentage(self, review) -> int | None:
        helpful = getattr(review, "helpful_count", 0)
        votes = helpful + getattr(review, "unhelpful_count", 0)
        return round(100 * helpful / votes) if votes else None


class ReviewChangeSerializer(ModelSerializer):
    """What its author may change."""

    rating = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = Review
        fields = ("rating", "title", "body")


class VoteSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(help_text="true: it helped; false: it did not.")
