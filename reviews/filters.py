import django_filters

from config.filters import FilterSet, IdFilter
from reviews.models import Review


class ReviewFilter(FilterSet):
    event = IdFilter(field_name="event_id", help_text="Reviews of this event (its id).")
    user = IdFilter(
        field_name="user_id", label="Author", help_text="The author's id: a person's reviews."
    )
    rating = django_filters.ChoiceFilter(
        choices=[(n, str(n)) for n in range(1, 6)], help_text="Reviews giving this many stars."
    )

    class Meta:
        model = Review
        fields = ["event", "user", "rating"]
