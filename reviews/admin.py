"""Reviews in the Django admin: found by event, author and words; removed through the same
service as the API (moderation is logged). Votes are shown with each review."""

from django.contrib import admin
from django.db.models import Count, Q

from config.admin import AutocompleteFilter, ThroughServicesAdmin
from config.facts import Origin
from reviews import services
from reviews.models import Review, ReviewVote


class VoteInline(admin.TabularInline):
    model = ReviewVote
    fields = ("user", "helpful", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ThroughServicesAdmin):
    list_display = ("title_or_rating", "event_title", "user", "rating", "attended", "helpful")
    list_filter = (
        "rating",
        "attended",
        ("event", AutocompleteFilter),
        ("user", AutocompleteFilter),
        "created_at",
    )
    search_fields = ("title", "body", "event__title", "user__username", "user__email")
    list_select_related = ("event", "user")
    date_hierarchy = "created_at"
    inlines = (VoteInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(helpful_votes=Count("votes", filter=Q(votes__helpful=True)))
        )

    @admin.display(description="review", ordering="title")
    def title_or_rating(self, review):
        return review.title or f"{review.rating}/5"

    @admin.display(description="event", ordering="event__title")
    def event_title(self, review):
        return review.event.title

    @admin.display(description="found helpful", ordering="helpful_votes")
    def helpful(self, review):
        return review.helpful_votes

    def has_add_permission(self, request):
        return False  # written by the people who were there, through the API

    def has_change_permission(self, request, obj=None):
        return False  # their authors' words: an admin removes, never rewrites

    def delete_model(self, request, obj):
        services.delete_review(review=obj, actor=request.user, origin=Origin.of(request))
