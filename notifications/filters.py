import django_filters

from config.filters import FilterSet, IdFilter
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
    type = django_filters.ChoiceFilter(choices=NotificationType.choices)
    event = IdFilter(field_name="event_id")

    class Meta:
        model = Notification
        fields = ["type", "is_read", "event"]


class WebhookFilter(FilterSet):
    class Meta:
        model = Webhook
        fields = ["is_active"]


class DeliveryFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    type = django_filters.ChoiceFilter(choices=[*WebhookEventType.choices, (PING, "Ping")])

    class Meta:
        model = WebhookDelivery
        fields = ["status", "type"]
