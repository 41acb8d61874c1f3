"""Demo data for `seed_demo`. The demo's bookings and payments, made through the services,
already told their people (the notifications follow their facts); this adds a read one, so the
demo shows both, and a webhook for the organizer, switched off (its receiver is an example
address: switch it on with a URL of yours, or try `ping/`)."""

from notifications.models import Notification, Webhook, WebhookEventType
from users.models import User

DEMO_WEBHOOK_URL = "https://example.com/eventhub-webhooks"


def seed(log) -> None:
    alice = User.objects.filter(username="alice").first()
    oldest = alice and alice.notifications.order_by("created_at", "id").first()
    if oldest is not None and not oldest.is_read:
        oldest.is_read, oldest.read_at = True, oldest.created_at
        oldest.save(update_fields=["is_read", "read_at"])
    organizer = User.objects.get(username="organizer")
    _, created = Webhook.objects.get_or_create(
        owner=organizer,
        url=DEMO_WEBHOOK_URL,
        defaults={
            "events": sorted(WebhookEventType.values),
            "description": "Demo receiver (an example address): switched off.",
            "is_active": False,
        },
    )
    total = Notification.objects.count()
    unread = Notification.objects.filter(is_read=False).count()
    people = Notification.objects.values("user").distinct().count()
    log(
        f"Notifications: {total} for {people} people ({unread} unread); "
        f"the organizer's demo webhook {'added' if created else 'already there'} (switched off)."
    )
