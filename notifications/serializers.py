from rest_framework import serializers

from config.serializers import ModelSerializer
from notifications.models import Notification, Webhook, WebhookDelivery, WebhookEventType


class NotificationSerializer(ModelSerializer):
    """Something that happened to you; `data` holds the ids it is about."""

    event_title = serializers.CharField(
        source="event.title", read_only=True, allow_null=True, default=None
    )
    data = serializers.JSONField(
        read_only=True,
        help_text="The ids it is about (`registration`, `payment`, `refund`, `certificate`...) "
        "and what changed.",
    )

    class Meta:
        model = Notification
        fields = (
            "id",
            "type",
            "title",
            "message",
            "event",
            "event_title",
            "data",
            "is_read",
            "read_at",
            "created_at",
        )
        read_only_fields = fields


class UpdatedSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications this marked read.")


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class WebhookSerializer(ModelSerializer):
    """An endpoint told, by a signed `POST`, of what happens at your events."""

    url = serializers.URLField(
        max_length=500,
        help_text="http(s), reaching a public address: loopback, private and link-local "
        "addresses are refused.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices),
        min_length=1,
        max_length=100,
        help_text="The event types to receive (at least one; a type named twice counts once).",
    )

    class Meta:
        model = Webhook
        fields = (
            "id",
            "owner",
            "url",
            "events",
            "description",
            "is_active",
            "failing_since",
            "disabled_reason",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "id",
            "owner",
            "failing_since",
            "disabled_reason",
            "created_at",
            "updated_at",
        )


class WebhookWithSecretSerializer(WebhookSerializer):
    """A webhook as it is answered once, when made or when its secret is replaced."""

    secret = serializers.CharField(
        read_only=True,
        help_text="Signs every delivery (`X-Webhook-Signature`). Shown only now: keep it.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = (*WebhookSerializer.Meta.fields, "secret")
        read_only_fields = (*WebhookSerializer.Meta.read_only_fields, "secret")


class WebhookDeliverySerializer(ModelSerializer):
    """One event sent to a webhook, with what its last attempt got back."""

    event_id = serializers.UUIDField(
        source="uuid", read_only=True, help_text="The `id` in the body, the same on each retry."
    )
    payload = serializers.JSONField(read_only=True, help_text="The body sent.")

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "event_id",
            "type",
            "status",
            "attempts",
            "response_status",
            "response_excerpt",
            "duration_ms",
            "error",
            "next_retry_at",
            "last_attempt_at",
            "delivered_at",
            "created_at",
            "payload",
        )
        read_only_fields = fields
