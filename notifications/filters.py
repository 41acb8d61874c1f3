import django_filters

from config.filters import FilterSet, IdFilter, StrictBooleanFilter
from notifications.models import (
    PING,
    DeliveryStatus,
    Notification,
    NotificationType,
    Webhook,
    WebhookDelivery,
    WebhookEventType,
)


class NotificationFilter(FilterSet):
    type = django_filters.ChoiceFilter(
        choices=NotificationType.choices, help_text="What the notification tells of."
    )
    is_read = StrictBooleanFilter(help_text="Read notifications (true) or unread ones (false).")
    event = IdFilter(field_name="event_id", help_text="Notifications about this event (its id).")

    class Meta:
        model = Notification
        fields = ["type", "is_read", "event"]


class WebhookFilter(FilterSet):
    is_active = StrictBooleanFilter(
        help_text="Webhooks that receive deliveries (true), or those turned off, by their "
        "owner or after failing too long (false)."
    )

    class Meta:
        model = Webhook
        fields = ["is_active"]


class DeliveryFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, help_text="Where the delivery stands."
    )
    type = django_filters.ChoiceFilter(
        choices=[*WebhookEventType.choices, (PING, "Ping")],
        help_text="The event delivered, or `ping` for a test delivery.",
    )

    class Meta:
        model = WebhookDelivery
        fields = ["status", "type"]
