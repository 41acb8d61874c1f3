from django.contrib import admin, messages
from django.db import models
from django.utils import timezone

from config.admin import ThroughServicesAdmin
from config.exceptions import ApplicationError
from config.facts import Origin
from events import services
from events.models import Category, Event, EventStatus, Session, Tag, TicketType


def who(request) -> dict:
    return {"actor": request.user, "origin": Origin.of(request)}


def changed_fields(obj, form) -> dict:
    """The fields the admin's form changed, with their new values (already set on `obj`)."""
    return {name: getattr(obj, name) for name in form.changed_data if name != "tags"}


class PartsThroughServices:
    """Inline sessions and ticket types are saved and deleted by the services of events."""

    def save_formset(self, request, form, formset, change):
        save, delete = {
            TicketType: (services.save_ticket_type, services.delete_ticket_type),
            Session: (services.save_session, services.delete_session),
        }[formset.model]
        key = "ticket_type" if formset.model is TicketType else "session"
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete(**{key: obj}, **who(request))
        for obj, changed in formset.changed_objects:
            save(**{key: obj}, **who(request), **{name: getattr(obj, name) for name in changed})
        for obj in formset.new_objects:
            save(**{key: obj}, **who(request))


@admin.register(Category)
class CategoryAdmin(ThroughServicesAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        services.save_category(category=obj, **who(request))

    def delete_model(self, request, obj):
        services.delete_category(category=obj, **who(request))


@admin.register(Tag)
class TagAdmin(ThroughServicesAdmin):
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        services.save_tag(tag=obj, name=obj.name, **who(request))

    def delete_model(self, request, obj):
        services.delete_tag(tag=obj, **who(request))


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
class EventAdmin(PartsThroughServices, ThroughServicesAdmin):
    """Events change through the same services as the API: capacity under the event's lock
    and never below the seats taken, the status only through the publish and cancel actions
    (cancelling cancels every registration), deletion refused while places are taken."""

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
    readonly_fields = ("status", "published_at", "cancelled_at", "created_at", "updated_at")
    inlines = (TicketTypeInline, SessionInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("publish_events", "cancel_events")

    @admin.display(description="status")
    def display_status(self, event):
        return event.display_status

    def save_model(self, request, obj, form, change):
        tags = [tag.name for tag in form.cleaned_data.get("tags", ())]
        if change:
            services.update_event(
                event=obj,
                tags=tags if "tags" in form.changed_data else None,
                **who(request),
                **changed_fields(obj, form),
            )
            return
        fields = {
            name: getattr(obj, name)
            for name in form.cleaned_data
            if name not in ("tags", "organizer", "slug")
        }
        created = services.create_event(
            organizer=form.cleaned_data["organizer"],
            slug=form.cleaned_data.get("slug") or None,
            tags=tags,
            origin=Origin.of(request),
            **fields,
        )
        # The inline forms are bound to `obj`: it becomes the event the service created.
        obj.pk, obj.slug, obj._state.adding = created.pk, created.slug, False

    def save_related(self, request, form, formsets, change):
        # Tags were set by the service; the inline parts go through theirs.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.delete_event(event=obj, **who(request))

    def _each(self, request, events, service, done: str) -> None:
        refused = []
        for event in events:
            try:
                service(event=event, **who(request))
            except ApplicationError as refusal:
                refused.append(f"{event}: {refusal.message}")
        if len(refused) < len(events):
            self.message_user(request, f"{len(events) - len(refused)} event(s) {done}.")
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description="Publish the selected drafts")
    def publish_events(self, request, queryset):
        self._each(request, list(queryset), services.publish_event, "published")

    @admin.action(description="Cancel the selected events (and every registration at them)")
    def cancel_events(self, request, queryset):
        self._each(request, list(queryset), services.cancel_event, "cancelled")


@admin.register(TicketType)
class TicketTypeAdmin(ThroughServicesAdmin):
    list_display = ("name", "event", "price", "quantity", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "event__title")
    list_select_related = ("event",)
    raw_id_fields = ("event",)

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        services.save_ticket_type(ticket_type=obj, **who(request), **changed_fields(obj, form))

    def delete_model(self, request, obj):
        services.delete_ticket_type(ticket_type=obj, **who(request))


@admin.register(Session)
class SessionAdmin(ThroughServicesAdmin):
    list_display = ("title", "event", "starts_at", "ends_at", "speaker_name")
    search_fields = ("title", "speaker_name", "event__title")
    list_filter = ("starts_at",)
    list_select_related = ("event",)
    raw_id_fields = ("event", "speaker")

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        services.save_session(session=obj, **who(request), **changed_fields(obj, form))

    def delete_model(self, request, obj):
        services.delete_session(session=obj, **who(request))
