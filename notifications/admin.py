"""Notifications and webhooks in the Django admin. Webhooks are saved through the same services
as the API (the URL check, the secret made by the server, the log); notifications and
deliveries are records, with one action each that goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from config.admin import AutocompleteFilter, EventHubAdmin, ThroughServicesAdmin, badge
from config.facts import Origin
from notifications.models import (
    DeliveryStatus,
    Notification,
    Webhook,
    WebhookDelivery,
    WebhookEventType,
)
from notifications.services import webhooks

DELIVERY_TONES = {
    DeliveryStatus.PENDING: "waiting",
    DeliveryStatus.SENDING: "waiting",
    DeliveryStatus.SUCCEEDED: "good",
    DeliveryStatus.FAILED: "bad",
}


def address(url: str) -> str:
    """A URL that may break anywhere: it has no spaces to wrap at."""
    return format_html('<span style="overflow-wrap:anywhere">{}</span>', url)


@admin.register(Notification)
class NotificationAdmin(EventHubAdmin):
    list_display = ("title", "user", "type", "is_read", "email_status", "created_at")
    list_filter = (
        "type",
        "is_read",
        "email_status",
        ("user", AutocompleteFilter),
        ("event", AutocompleteFilter),
        "created_at",
    )
    search_fields = ("title", "message", "user__username", "user__email", "event__title")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        max_length=500, assume_scheme="https", widget=forms.URLInput(attrs={"size": 80})
    )
    events = forms.MultipleChoiceField(
        choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ("owner", "url", "events", "description", "is_active")


@admin.register(Webhook)
class WebhookAdmin(ThroughServicesAdmin):
    """The URL is checked as the API checks it; the secret is never shown here (the API shows
    it once, and `rotate_secret/` replaces it)."""

    form = WebhookForm
    list_display = ("address", "owner", "event_types", "is_active", "failing_since")
    list_filter = ("is_active", ("owner", AutocompleteFilter), "created_at")
    search_fields = ("url", "description", "owner__username", "owner__email")
    list_select_related = ("owner",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("failing_since", "disabled_reason", "created_at", "updated_at")
    actions = ("send_ping",)

    @admin.display(description="URL", ordering="url")
    def address(self, webhook):
        return address(webhook.url)

    @admin.display(description="events")
    def event_types(self, webhook):
        return ", ".join(webhook.events)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "owner") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        origin = Origin.of(request)
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "owner"}
        if change:  # the service compares with what is stored, not the form's copy
            stored = Webhook.objects.get(pk=obj.pk)
            webhooks.update_webhook(webhook=stored, actor=request.user, origin=origin, **fields)
            return
        created = webhooks.create_webhook(
            owner=form.cleaned_data["owner"],
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data.get("description", ""),
            is_active=form.cleaned_data.get("is_active", True),
            origin=origin,
        )
        obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request, obj):
        webhooks.delete_webhook(webhook=obj, actor=request.user, origin=Origin.of(request))

    @admin.action(description="Send a test delivery (ping) to the selected webhooks")
    def send_ping(self, request, queryset):
        for webhook in queryset:
            webhooks.ping(webhook=webhook)
        self.message_user(request, f"{queryset.count()} ping(s) sent; see their deliveries.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(EventHubAdmin):
    list_display = (
        "created_at",
        "type",
        "webhook_address",
        "status_label",
        "attempts",
        "answer",
        "next_retry_at",
    )
    list_filter = ("status", "type", ("webhook", AutocompleteFilter), "created_at")
    search_fields = ("=uuid", "webhook__url", "error")
    list_select_related = ("webhook",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ("resend",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="webhook", ordering="webhook__url")
    def webhook_address(self, delivery):
        return address(delivery.webhook.url)

    @admin.display(description="status", ordering="status")
    def status_label(self, delivery):
        status = DeliveryStatus(delivery.status)
        return badge(status.label, DELIVERY_TONES[status])

    @admin.display(description="last answer")
    def answer(self, delivery):
        """What the last attempt got back: the HTTP status and how long it took, or why it
        got nothing."""
        if delivery.response_status is None:
            return delivery.error or None
        if delivery.duration_ms is None:
            return delivery.response_status
        return format_html(
            '<span style="white-space:nowrap">{} in {} ms</span>',
            delivery.response_status,
            delivery.duration_ms,
        )

    @admin.action(description="Resend the selected deliveries (same id and body)")
    def resend(self, request, queryset):
        for delivery in queryset:
            webhooks.resend(delivery)
        self.message_user(request, f"{queryset.count()} deliveries queued again.", messages.SUCCESS)
