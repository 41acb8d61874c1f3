from django.contrib import admin
from django.db import models
from django.utils import timezone

from config.catalogue import catalogue_changed
from events.models import Category, Event, EventStatus, Session, Tag, TicketType


class ChangesCatalogueAdmin(admin.ModelAdmin):
    """Edits here bypass the services: move the catalogue version like they do, so cached
    catalogue pages are not served after the change."""

    def save_model(self, request, obj, form, change):
        catalogue_changed()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        catalogue_changed()
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        catalogue_changed()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        catalogue_changed()
        super().delete_queryset(request, queryset)


@admin.register(Category)
class CategoryAdmin(ChangesCatalogueAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(ChangesCatalogueAdmin):
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
class EventAdmin(ChangesCatalogueAdmin):
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
class TicketTypeAdmin(ChangesCatalogueAdmin):
    list_display = ("name", "event", "price", "quantity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "event__title")
    list_select_related = ("event",)
    raw_id_fields = ("event",)


@admin.register(Session)
class SessionAdmin(ChangesCatalogueAdmin):
    list_display = ("title", "event", "starts_at", "ends_at", "speaker_name")
    search_fields = ("title", "speaker_name", "event__title")
    list_filter = ("starts_at",)
    list_select_related = ("event",)
    raw_id_fields = ("event", "speaker")
