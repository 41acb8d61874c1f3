from django.contrib import admin
from django.db import models
from django.utils import timezone

from events.models import Category, Event, EventStatus, Session, Tag, TicketType


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


class DisplayStatusFilter(admin.SimpleListFilter):
    """The status as the API shows it: `completed` is a published event that has ended."""

    title = "status"
    parameter_name = "display_status"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in EventStatus.choices]

    def queryset(self, request, events):
        now = timezone.now()
        value = self.value()
        if value == EventStatus.COMPLETED:
            return events.filter(status=EventStatus.PUBLISHED, ends_at__lte=now)
        if value == EventStatus.PUBLISHED:
            return events.filter(status=EventStatus.PUBLISHED, ends_at__gt=now)
        if value:
            return events.filter(status=value)
        return events


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("title", "starts_at", "ends_at", "speaker", "speaker_name", "room_or_link")
    raw_id_fields = ("speaker",)


class TicketTypeInline(admin.TabularInline):
    model = TicketType
    extra = 0
    fields = ("name", "price", "quantity", "sales_start", "sales_end", "max_per_order", "is_active")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "organizer",
        "category",
        "display_status",
        "visibility",
        "starts_at",
        "capacity",
    )
    list_filter = (DisplayStatusFilter, "visibility", "category", "level", "is_online", "starts_at")
    search_fields = (
        "title",
        "slug",
        "description",
        "location",
        "organizer__username",
        "tags__name",
    )
    date_hierarchy = "starts_at"
    list_select_related = ("organizer", "category")
    raw_id_fields = ("organizer",)
    filter_horizontal = ("tags",)
    readonly_fields = ("published_at", "cancelled_at", "created_at", "updated_at")
    inlines = (TicketTypeInline, SessionInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="status")
    def display_status(self, event):
        return event.display_status


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "event", "price", "quantity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "event__title")
    list_select_related = ("event",)
    raw_id_fields = ("event",)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("title", "event", "starts_at", "ends_at", "speaker_name")
    search_fields = ("title", "speaker_name", "event__title")
    list_filter = ("starts_at",)
    list_select_related = ("event",)
    raw_id_fields = ("event", "speaker")
