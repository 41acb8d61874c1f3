from django.contrib import admin

from config.admin import ThroughServicesAdmin
from config.facts import Origin
from registrations.models import (
    Registration,
    SessionAttendance,
    SessionProgress,
    Ticket,
    WaitlistEntry,
)
from registrations.services import progress


class TicketInline(admin.TabularInline):
    model = Ticket
    extra = 0
    fields = ("code", "attendee_name", "ticket_type", "checked_in_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations are changed through the API's services (which hold the seat locks), so
    here they are read-only records."""

    list_display = (
        "id",
        "event",
        "user",
        "ticket_type",
        "quantity",
        "status",
        "total_price",
        "currency",
        "created_at",
    )
    list_filter = ("status", "currency", "created_at")
    search_fields = ("user__username", "user__email", "event__title", "=id")
    list_select_related = ("event", "user", "ticket_type")
    date_hierarchy = "created_at"
    inlines = (TicketInline,)
    readonly_fields = [f.name for f in Registration._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("code", "attendee_name", "event", "ticket_type", "checked_in_at")
    list_filter = ("checked_in_at",)
    search_fields = ("=code", "attendee_name", "event__title")
    list_select_related = ("event", "ticket_type")
    readonly_fields = [f.name for f in Ticket._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "user", "quantity", "status", "offer_expires_at", "created_at")
    list_filter = ("status",)
    search_fields = ("user__username", "event__title")
    list_select_related = ("event", "user")
    readonly_fields = [f.name for f in WaitlistEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Entries are the queue's history; a person leaves through the API (`leave/`), which
        # hands a held offer on to the next in line.
        return False


@admin.register(SessionProgress)
class SessionProgressAdmin(ThroughServicesAdmin):
    """Rows are made when a user first reads their progress; here an admin may correct the
    status and notes, through the same service as the owner."""

    list_display = ("user", "session", "status", "completed_at")
    list_filter = ("status",)
    search_fields = ("user__username", "session__title")
    list_select_related = ("user", "session")
    fields = ("user", "session", "status", "notes", "completed_at")
    readonly_fields = ("user", "session", "completed_at")

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
class SessionAttendanceAdmin(admin.ModelAdmin):
    """Session check-ins are made at the door (`tickets/check_in/`); here they are records."""

    list_display = ("ticket", "session", "checked_in_at")
    search_fields = ("=ticket__code", "session__title")
    list_select_related = ("ticket", "session")
    readonly_fields = ("ticket", "session", "checked_in_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
