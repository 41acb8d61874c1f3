"""Certificates in the Django admin: records, found by number, holder and event."""

from django.contrib import admin

from certificates.models import Certificate
from config.admin import AutocompleteFilter, EventHubAdmin


@admin.register(Certificate)
class CertificateAdmin(EventHubAdmin):
    list_display = ("number", "holder_name", "event_title", "issued_at", "downloaded_at")
    list_filter = (
        "issued_at",
        ("downloaded_at", admin.EmptyFieldListFilter),
        ("event", AutocompleteFilter),
        ("user", AutocompleteFilter),
    )
    search_fields = ("=number", "holder_name", "user__username", "user__email", "event__title")
    list_select_related = ("event",)
    date_hierarchy = "issued_at"

    @admin.display(description="event", ordering="event__title")
    def event_title(self, certificate):
        return certificate.event.title

    def has_add_permission(self, request):
        return False  # issued by the service, to the people who were there

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a certificate someone holds stays verifiable
