"""What every app's Django admin shares: changes go through the services, and a rule they
refuse is a message on the page, not a server error."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from config.exceptions import ApplicationError


class ThroughServicesAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes call services. When a service refuses (a capacity
    below the seats taken, an event with registrations deleted), the whole change is rolled
    back (the admin's change view runs in one transaction) and the refusal is shown."""

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        """ "Delete selected" deletes each one as its own delete would (through the service),
        all or nothing."""
        for obj in queryset:
            self.delete_model(request, obj)

    def changeform_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(request, super().changelist_view, *args, **kwargs)

    def _refusals_as_messages(self, request, view, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
