"""The catalogue in the Django admin: changed through the same services as the API. The events
list shows the seats taken and what apps above events count (`event_columns`), in one query."""

from collections.abc import Callable
from datetime import datetime

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Expression
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from config.admin import AutocompleteFilter, ThroughServicesAdmin, badge, money
from config.contributions import Contributions
from config.exceptions import ApplicationError
from config.facts import Origin
from events import services
from events.models import Category, Event, EventStatus, Level, Session, Tag, TicketType
from events.seating import seating


def who(request) -> dict:
    return {"actor": request.user, "origin": Origin.of(request)}


def local_day(moment) -> str:
    return date_format(timezone.localtime(moment), "M j, Y")


def changed_fields(obj, form) -> dict:
    """The fields the admin's form changed, with their new values (already set on `obj`)."""
    return {name: getattr(obj, name) for name in form.changed_data if name != "tags"}


class EventColumn:
    """A number in the events list that an app above events counts (registrations, the people
    waiting): `expression(now)` annotates it on the list's one query, under `name`; `link(event)`,
    when given, is where the number leads (that app's list, filtered by the event)."""

    def __init__(
        self,
        name: str,
        description: str,
        expression: Callable[[datetime], Expression],
        *,
        link: Callable[[Event], str] | None = None,
    ):
        self.__name__ = name  # what the admin's list calls a column (its CSS class)
        self.short_description = description
        self.admin_order_field = name
        self.expression = expression
        self.link = link

    def __call__(self, event: Event):
        number = getattr(event, self.__name__)
        if self.link is None or not number:
            return number
        return format_html('<a href="{}">{}</a>', self.link(event), number)


# Each app above events registers its columns from its admin module.
event_columns = Contributions("the columns of the events admin list")


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


class EventCountAdmin(ThroughServicesAdmin):
    """Categories and tags, each with the number of events it has."""

    list_display = ("name", "number_of_events")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_count=Count("events"))

    @admin.display(description="events", ordering="event_count")
    def number_of_events(self, obj):
        return obj.event_count


@admin.register(Category)
class CategoryAdmin(EventCountAdmin):
    list_display = ("name", "slug", "number_of_events")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        services.save_category(category=obj, **who(request))

    def delete_model(self, request, obj):
        services.delete_category(category=obj, **who(request))


@admin.register(Tag)
class TagAdmin(EventCountAdmin):
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


class LevelFilter(admin.SimpleListFilter):
    """The levels, the one for everyone named so that it is not a second "All" under the
    filter's own."""

    title = "level"
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [
            (value, "All levels" if value == Level.ALL else label) for value, label in Level.choices
        ]

    def queryset(self, request, events):
        return events.filter(level=self.value()) if self.value() else events


EVENT_STATUS_TONES = {
    EventStatus.DRAFT: "neutral",
    EventStatus.PUBLISHED: "good",
    EventStatus.CANCELLED: "bad",
    EventStatus.COMPLETED: "info",
}


class TicketTypeInline(admin.StackedInline):
    """Ticket types of an event, three short lines each, with the seats each has sold."""

    model = TicketType
    extra = 0
    fields = (
        ("name", "price", "is_active"),
        ("quantity", "sold", "max_per_order"),
        ("sales_start", "sales_end"),
    )
    readonly_fields = ("sold",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(seats_sold=seating().taken_by_ticket_type(timezone.now()))
        )

    @admin.display(description="sold")
    def sold(self, ticket_type):
        return getattr(ticket_type, "seats_sold", 0)


class SessionInline(admin.StackedInline):
    model = Session
    extra = 0
    fields = (
        ("title", "room_or_link"),
        ("starts_at", "ends_at"),
        ("speaker", "speaker_name"),
    )
    autocomplete_fields = ("speaker",)
    classes = ("collapse",)  # a course may have dozens; the ticket types come first


@admin.register(Event)
class EventAdmin(PartsThroughServices, ThroughServicesAdmin):
    """Events change through the same services as the API: capacity under the event's lock
    and never below the seats taken, the status only through the publish and cancel actions
    (cancelling cancels every registration), deletion refused while places are taken."""

    list_display = (
        "title",
        "organizer",
        "category",
        "status_label",
        "visibility",
        "starts_at",
        "seats",
    )
    list_filter = (
        DisplayStatusFilter,
        "visibility",
        "category",
        LevelFilter,
        "is_online",
        ("organizer", AutocompleteFilter),
        "starts_at",
    )
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
    autocomplete_fields = ("organizer", "tags")
    readonly_fields = (
        "status",
        "seats",
        "published_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "organizer",
                    ("category", "level"),
                    "tags",
                    "description",
                    "cover_image",
                )
            },
        ),
        (
            "When and where",
            {
                "fields": (
                    ("starts_at", "ends_at"),
                    "timezone",
                    "is_online",
                    "location",
                    "online_url",
                )
            },
        ),
        (
            "Registration",
            {
                "fields": (
                    ("capacity", "seats"),
                    ("visibility", "requires_approval"),
                    ("registration_opens_at", "registration_deadline"),
                    ("currency", "refund_deadline_hours"),
                )
            },
        ),
        (
            "Status",
            {"fields": ("status", ("published_at", "cancelled_at"), ("created_at", "updated_at"))},
        ),
    )
    inlines = (TicketTypeInline, SessionInline)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("publish_events", "cancel_events")

    def get_queryset(self, request):
        now = timezone.now()
        return (
            super()
            .get_queryset(request)
            .annotate(
                seats_taken=seating().taken_by_event(now),
                **{column.__name__: column.expression(now) for column in event_columns},
            )
        )

    def get_list_display(self, request):
        return (*self.list_display, *event_columns)

    @admin.display(description="status", ordering="status")
    def status_label(self, event):
        status = EventStatus(event.display_status)
        return badge(status.label, EVENT_STATUS_TONES[status])

    @admin.display(description="seats taken", ordering="seats_taken")
    def seats(self, event):
        if event.pk is None:
            return "-"
        return format_html(
            '<span style="white-space:nowrap">{} / {}</span>',
            getattr(event, "seats_taken", 0),
            event.capacity,
        )

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
    list_display = ("name", "event_title", "price_in_currency", "sold", "sales")
    list_filter = (("event", AutocompleteFilter), "is_active")
    search_fields = ("name", "event__title")
    list_select_related = ("event",)
    autocomplete_fields = ("event",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(seats_sold=seating().taken_by_ticket_type(timezone.now()))
        )

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()

    @admin.display(description="event", ordering="event__title")
    def event_title(self, ticket_type):
        return ticket_type.event.title

    @admin.display(description="price", ordering="price")
    def price_in_currency(self, ticket_type):
        return money(ticket_type.price, ticket_type.event.currency)

    @admin.display(description="sold", ordering="seats_sold")
    def sold(self, ticket_type):
        return format_html(
            '<span style="white-space:nowrap">{} / {}</span>',
            ticket_type.seats_sold,
            ticket_type.quantity,
        )

    @admin.display(description="sales")
    def sales(self, ticket_type):
        """Whether it sells now, and if not, why: switched off, not yet open or closed."""
        now = timezone.now()
        if not ticket_type.is_active:
            return badge("Switched off", "neutral")
        if ticket_type.sales_start and now < ticket_type.sales_start:
            return badge(f"From {local_day(ticket_type.sales_start)}", "waiting")
        if ticket_type.sales_end and ticket_type.sales_end <= now:
            return badge("Closed", "neutral")
        if ticket_type.sales_end:
            return badge(f"On sale until {local_day(ticket_type.sales_end)}", "good")
        return badge("On sale", "good")

    def save_model(self, request, obj, form, change):
        services.save_ticket_type(ticket_type=obj, **who(request), **changed_fields(obj, form))

    def delete_model(self, request, obj):
        services.delete_ticket_type(ticket_type=obj, **who(request))


@admin.register(Session)
class SessionAdmin(ThroughServicesAdmin):
    list_display = ("title", "event_title", "starts_at", "ends_at", "speaker_name")
    search_fields = ("title", "speaker_name", "event__title")
    list_filter = (("event", AutocompleteFilter), ("speaker", AutocompleteFilter), "starts_at")
    list_select_related = ("event",)
    date_hierarchy = "starts_at"
    autocomplete_fields = ("event", "speaker")

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()

    @admin.display(description="event", ordering="event__title")
    def event_title(self, session):
        return session.event.title

    def save_model(self, request, obj, form, change):
        services.save_session(session=obj, **who(request), **changed_fields(obj, form))

    def delete_model(self, request, obj):
        services.delete_session(session=obj, **who(request))
