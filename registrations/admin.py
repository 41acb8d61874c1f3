"""Registrations, tickets, the waitlist and progress in the Django admin: records changed through
the API's services (which hold the seat locks), found by event and person. The events list
gets from here how many registrations and people waiting each event has."""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from config.admin import AutocompleteFilter, EventHubAdmin, ThroughServicesAdmin, badge, money
from config.facts import Origin
from events.admin import EventColumn, event_columns
from registrations.models import (
    DiscountType,
    ProgressStatus,
    PromoCode,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionProgress,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
    holds_seats,
)
from registrations.selectors import promo_code_uses_by_code, waiting_count_by_event, with_positions
from registrations.services import progress, promo_codes


def registrations_holding_seats(now):
    """Registrations at the event of the current row that hold seats (confirmed, and held)."""
    held = (
        Registration.objects.filter(holds_seats(now), event=OuterRef("pk"))
        .values("event")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


def list_of(model_name: str, **filters) -> str:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{reverse(f'admin:registrations_{model_name}_changelist')}?{query}"


event_columns.register(
    EventColumn(
        "registration_count",
        "registrations",
        registrations_holding_seats,
        link=lambda event: list_of("registration", event__id__exact=event.pk),
    )
)
event_columns.register(
    EventColumn(
        "waiting_count",
        "waitlist",
        lambda now: waiting_count_by_event(),
        link=lambda event: list_of(
            "waitlistentry", event__id__exact=event.pk, status__exact=WaitlistStatus.WAITING
        ),
    )
)

REGISTRATION_TONES = {
    RegistrationStatus.PENDING: "waiting",
    RegistrationStatus.CONFIRMED: "good",
    RegistrationStatus.CANCELLED: "bad",
    RegistrationStatus.EXPIRED: "neutral",
    RegistrationStatus.REJECTED: "bad",
}
WAITLIST_TONES = {
    WaitlistStatus.WAITING: "waiting",
    WaitlistStatus.OFFERED: "info",
    WaitlistStatus.CONVERTED: "good",
    WaitlistStatus.LEFT: "neutral",
    WaitlistStatus.EXPIRED: "neutral",
}
PROGRESS_TONES = {
    ProgressStatus.NOT_STARTED: "neutral",
    ProgressStatus.IN_PROGRESS: "waiting",
    ProgressStatus.COMPLETED: "good",
}


class EventTitle:
    """The event's title as a column (a foreign key column would never wrap, and a ticket
    type's name would repeat the title)."""

    @admin.display(description="event", ordering="event__title")
    def event_title(self, obj):
        return obj.event.title


class TicketInline(admin.TabularInline):
    model = Ticket
    extra = 0
    fields = ("code", "attendee_name", "ticket_type", "checked_in_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(EventTitle, EventHubAdmin):
    """Registrations are changed through the API's services (which hold the seat locks), so
    here they are read-only records."""

    list_display = (
        "id",
        "event_title",
        "user",
        "ticket",
        "quantity",
        "status_label",
        "total",
        "created_at",
    )
    list_filter = (
        "status",
        ("event", AutocompleteFilter),
        ("user", AutocompleteFilter),
        "currency",
        "created_at",
    )
    search_fields = ("user__username", "user__email", "event__title", "=id")
    list_select_related = ("event", "user", "ticket_type")
    date_hierarchy = "created_at"
    inlines = (TicketInline,)
    readonly_fields = [f.name for f in Registration._meta.fields]

    @admin.display(description="ticket", ordering="ticket_type__name")
    def ticket(self, registration):
        return registration.ticket_type.name

    @admin.display(description="status", ordering="status")
    def status_label(self, registration):
        status = RegistrationStatus(registration.display_status)
        return badge(status.label, REGISTRATION_TONES[status])

    @admin.display(description="total", ordering="total_price")
    def total(self, registration):
        return money(registration.total_price, registration.currency)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(EventTitle, EventHubAdmin):
    list_display = ("short_code", "attendee_name", "event_title", "ticket", "checked_in_at")
    list_filter = (("event", AutocompleteFilter), "checked_in_at")
    search_fields = (
        "=code",
        "attendee_name",
        "event__title",
        "registration__user__username",
        "registration__user__email",
    )
    list_select_related = ("event", "ticket_type")
    readonly_fields = [f.name for f in Ticket._meta.fields]

    @admin.display(description="code", ordering="code")
    def short_code(self, ticket):
        """Enough of the code to tell tickets apart; the whole of it is on the ticket's page."""
        return f"{ticket.code[:8]}…"

    @admin.display(description="ticket", ordering="ticket_type__name")
    def ticket(self, ticket):
        return ticket.ticket_type.name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(EventTitle, EventHubAdmin):
    list_display = (
        "user",
        "event_title",
        "ticket",
        "quantity",
        "status_label",
        "position",
        "offer_expires_at",
        "created_at",
    )
    list_filter = (
        "status",
        ("event", AutocompleteFilter),
        ("user", AutocompleteFilter),
        "created_at",
    )
    search_fields = ("user__username", "user__email", "event__title")
    list_select_related = ("event", "user", "ticket_type")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in WaitlistEntry._meta.fields]

    def get_queryset(self, request):
        return with_positions(super().get_queryset(request))

    @admin.display(description="ticket", ordering="ticket_type__name")
    def ticket(self, entry):
        return entry.ticket_type.name if entry.ticket_type else "Any"

    @admin.display(description="status", ordering="status")
    def status_label(self, entry):
        status = WaitlistStatus(entry.status)
        return badge(status.label, WAITLIST_TONES[status])

    @admin.display(description="place in line")
    def position(self, entry):
        return entry.queue_position if entry.status == WaitlistStatus.WAITING else "-"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Entries are the queue's history; a person leaves through the API (`leave/`), which
        # hands a held offer on to the next in line.
        return False


class SessionColumns:
    """The session, and its event's title, of a row about a session."""

    @admin.display(description="session", ordering="session__title")
    def session_title(self, obj):
        return obj.session.title

    @admin.display(description="event", ordering="session__event__title")
    def event_title(self, obj):
        return obj.session.event.title


@admin.register(SessionProgress)
class SessionProgressAdmin(SessionColumns, ThroughServicesAdmin):
    """Rows are made when a user first reads their progress; here an admin may correct the
    status and notes, through the same service as the owner."""

    list_display = ("user", "session_title", "event_title", "status_label", "completed_at")
    list_filter = (
        "status",
        ("session__event", AutocompleteFilter),
        ("user", AutocompleteFilter),
        "completed_at",
    )
    search_fields = ("user__username", "user__email", "session__title", "session__event__title")
    list_select_related = ("user", "session__event")
    fields = ("user", "session", "status", "notes", "completed_at")
    readonly_fields = ("user", "session", "completed_at")

    @admin.display(description="status", ordering="status")
    def status_label(self, row):
        status = ProgressStatus(row.status)
        return badge(status.label, PROGRESS_TONES[status])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the owner's record of what they followed: correct it, never remove it

    def save_model(self, request, obj, form, change):
        progress.update_progress(
            progress=obj,
            origin=Origin.of(request),
            **{name: getattr(obj, name) for name in form.changed_data},
        )


@admin.register(SessionAttendance)
class SessionAttendanceAdmin(SessionColumns, EventHubAdmin):
    """Session check-ins are made at the door (`tickets/check_in/`); here they are records."""

    list_display = ("attendee", "session_title", "event_title", "checked_in_at")
    list_filter = (("session__event", AutocompleteFilter), "checked_in_at")
    search_fields = ("=ticket__code", "ticket__attendee_name", "session__title")
    list_select_related = ("ticket", "session__event")
    date_hierarchy = "checked_in_at"
    readonly_fields = ("ticket", "session", "checked_in_at")

    @admin.display(description="attendee", ordering="ticket__attendee_name")
    def attendee(self, attendance):
        return attendance.ticket.attendee_name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PromoCode)
class PromoCodeAdmin(EventTitle, ThroughServicesAdmin):
    """Codes are made and changed through the same services as in the API, which keep their
    rules (a code unique per event in any case, a discount its type can give); one that priced
    registrations cannot be deleted (deactivate it)."""

    list_display = (
        "code",
        "event_title",
        "discount",
        "uses",
        "max_uses",
        "validity",
        "is_active",
    )
    list_filter = ("is_active", "discount_type", ("event", AutocompleteFilter), "created_at")
    search_fields = ("code", "description", "event__title")
    list_select_related = ("event",)
    autocomplete_fields = ("event",)
    filter_horizontal = ("ticket_types",)
    fields = (
        "event",
        "code",
        "description",
        "discount_type",
        "discount_value",
        "ticket_types",
        "unlocks_hidden",
        "max_uses",
        "valid_from",
        "valid_until",
        "is_active",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(uses_count=promo_code_uses_by_code())

    def get_readonly_fields(self, request, obj=None):
        return ("event",) if obj is not None else ()

    @admin.display(description="discount", ordering="discount_value")
    def discount(self, code):
        if code.discount_type == DiscountType.PERCENT:
            return f"{code.discount_value.normalize():f} %"
        if code.discount_type == DiscountType.FIXED:
            return money(code.discount_value, code.event.currency)
        return "Access only"

    @admin.display(description="uses", ordering="uses_count")
    def uses(self, code):
        return code.uses_count

    @admin.display(description="validity")
    def validity(self, code):
        now = timezone.now()
        if code.valid_until is not None and code.valid_until <= now:
            return badge("Expired", "neutral")
        if code.valid_from is not None and code.valid_from > now:
            return badge(f"From {code.valid_from:%Y-%m-%d %H:%M}", "waiting")
        if code.valid_until is not None:
            return badge(f"Until {code.valid_until:%Y-%m-%d %H:%M}", "good")
        return badge("Always", "good")

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data
        }
        ticket_types = list(fields.pop("ticket_types")) if "ticket_types" in fields else None
        who = {"actor": request.user, "origin": Origin.of(request)}
        if change:
            saved = PromoCode.objects.get(pk=obj.pk)
            form.instance = promo_codes.update_promo_code(
                promo_code=saved, ticket_types=ticket_types, **who, **fields
            )
        else:
            fields = {name: form.cleaned_data[name] for name in self.fields}
            ticket_types = list(fields.pop("ticket_types"))
            form.instance = promo_codes.create_promo_code(
                ticket_types=ticket_types, **who, **fields
            )
        obj.pk = form.instance.pk

    def save_related(self, request, form, formsets, change):
        """The ticket types were set by the service."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        promo_codes.delete_promo_code(promo_code=obj, actor=request.user, origin=Origin.of(request))
