"""What every app's Django admin shares: the site's name, a base for every ModelAdmin (lists
filtered by event or person with an autocomplete), statuses as coloured labels, and admins whose
changes go through the services, where a rule they refuse is a message on the page, not a
server error."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.html import format_html

from config.exceptions import ApplicationError

admin.site.site_header = "EventHub administration"
admin.site.site_title = "EventHub administration"
admin.site.index_title = "EventHub administration"
admin.site.site_url = "/"
# The app list beside every page took a fifth of a 1366 px screen from the lists; the home
# page and the breadcrumbs lead to every list.
admin.site.enable_nav_sidebar = False


class AutocompleteFilter(admin.FieldListFilter):
    """A list filter on a foreign key (an event, a person) picked by typing, with the admin's
    own autocomplete over the related admin's `search_fields`: it renders no link per object,
    so it stays one box with thousands of events or people, and costs one query (the chosen
    one's name). `list_filter = [("event", AutocompleteFilter)]`, also across relations
    (`("registration__event", AutocompleteFilter)`). Its parameter is the one Django's own
    related filter uses (`event__id__exact`), so links to a list filtered by event work."""

    template = "admin/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_kwarg = f"{field_path}__{field.target_field.name}__exact"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.admin_site = model_admin.admin_site

    def expected_parameters(self):
        return [self.lookup_kwarg]

    def value(self) -> str | None:
        values = self.used_parameters.get(self.lookup_kwarg)
        return values[-1] if values else None

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.lookup_kwarg]),
            "display": "All",
        }

    def picker(self) -> str:
        """The select box, holding the chosen object when there is one."""
        remote = self.field.remote_field.model
        widget = AutocompleteSelect(
            self.field,
            self.admin_site,
            attrs={"data-width": "100%", "data-lookup": self.lookup_kwarg},
        )
        choice = forms.ModelChoiceField(
            remote._default_manager.all(), required=False, widget=widget
        )
        return choice.widget.render(
            self.lookup_kwarg,
            self.value(),
            attrs={"id": f"filter-{self.lookup_kwarg}", "aria-label": f"By {self.title}"},
        )


class EventHubAdmin(admin.ModelAdmin):
    """The base of every ModelAdmin here: it loads the autocomplete's scripts when its list
    has an `AutocompleteFilter` (select2 must load between jQuery and Django's `jquery.init`,
    so the filter cannot bring them itself)."""

    @property
    def media(self):
        media = super().media
        if any(
            isinstance(spec, tuple | list) and issubclass(spec[1], AutocompleteFilter)
            for spec in self.list_filter
        ):
            media += AutocompleteSelect(None, self.admin_site).media
        return media


# Label colours, readable on the light and the dark theme alike.
TONES = {
    "good": "#2e7d32",
    "waiting": "#a15c00",
    "bad": "#c62828",
    "neutral": "#616161",
    "info": "#1565c0",
}


def badge(label: str, tone: str) -> str:
    """A status as a coloured label (`tone`: a key of `TONES`)."""
    return format_html(
        '<span class="status-badge" style="display:inline-block;padding:1px 8px;'
        "border-radius:9px;background:{};color:#fff;font-size:11px;font-weight:600;"
        'white-space:nowrap">{}</span>',
        TONES[tone],
        label,
    )


def money(amount, currency: str) -> str:
    """An amount with its currency, kept on one line: `25.00 USD`."""
    return format_html('<span style="white-space:nowrap">{} {}</span>', amount, currency)


class ThroughServicesAdmin(EventHubAdmin):
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
