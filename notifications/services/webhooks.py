"""Outbound webhooks: endpoints of organizers (and admins) told of what happens at their events.

An organizer's webhook receives the events of the events they organize; an admin's, of every
event. Each fact that maps to an outbound event type (`OUTBOUND`) becomes one delivery per
webhook subscribed to that type, once (its key is the fact's id), sent after the commit by a
background task (`delivery`).
"""

from itertools import islice

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.exceptions import ApplicationError
from config.facts import Fact, Origin, record
from config.formats import api_datetime
from events.models import Event
from notifications import facts, tasks
from notifications.models import PING, DeliveryStatus, Webhook, WebhookDelivery, new_webhook_secret
from notifications.services import addresses, payloads
from notifications.services.inbox import SWEEP_GRACE
from users.models import Role

# Our fact → the event type receivers see.
OUTBOUND = {
    "registration.created": "registration.created",
    "registration.cancelled": "registration.cancelled",
    "payment.succeeded": "payment.succeeded",
    "refund.issued": "payment.refunded",
    "event.published": "event.published",
    "event.cancelled": "event.cancelled",
    "checkin.created": "checkin.created",
}
CHUNK = 500


def _check_url(url: str) -> None:
    try:
        addresses.check_url(url)
    except addresses.ForbiddenAddress as refusal:
        raise ApplicationError(
            "Webhooks can only be delivered to public http(s) addresses.",
            code="validation_error",
            details={"url": [str(refusal)]},
        ) from None


@transaction.atomic
def create_webhook(
    *,
    owner,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
    origin: Origin | None = None,
) -> Webhook:
    """A new webhook with a secret made by the server (the caller shows it once). Its URL must
    reach a public address (WEBHOOKS_ALLOW_PRIVATE_URLS lifts that for development)."""
    _check_url(url)
    webhook = Webhook.objects.create(
        owner=owner,
        url=url,
        events=sorted(set(events)),
        description=description,
        is_active=is_active,
    )
    record(
        facts.WEBHOOK_CREATED,
        user=owner,
        origin=origin,
        target=webhook,
        data={"url": webhook.url, "events": webhook.events},
    )
    return webhook


@transaction.atomic
def update_webhook(*, webhook: Webhook, actor, origin: Origin | None = None, **changes) -> Webhook:
    """Change a webhook. A new URL is checked as a new webhook's is; switching a webhook back on,
    or pointing it at a new URL, forgets its failures."""
    if "url" in changes:
        _check_url(changes["url"])
    if "events" in changes:
        changes["events"] = sorted(set(changes["events"]))
    changed = sorted(field for field, value in changes.items() if getattr(webhook, field) != value)
    if (changes.get("is_active") and not webhook.is_active) or "url" in changed:
        webhook.failing_since, webhook.disabled_reason = None, ""
    for field, value in changes.items():
        setattr(webhook, field, value)
    webhook.save()
    record(
        facts.WEBHOOK_UPDATED,
        user=actor,
        origin=origin,
        target=webhook,
        data={"changed": changed},
    )
    return webhook


@transaction.atomic
def delete_webhook(*, webhook: Webhook, actor, origin: Origin | None = None) -> None:
    """A webhook goes with its deliveries; the log keeps that it existed."""
    record(
        facts.WEBHOOK_DELETED,
        user=actor,
        origin=origin,
        target=webhook,
        data={"url": webhook.url, "owner": webhook.owner_id},
    )
    webhook.delete()


@transaction.atomic
def rotate_secret(*, webhook: Webhook, actor, origin: Origin | None = None) -> Webhook:
    """A new secret signs every delivery from now on, retries included (the caller shows it
    once); the old one stops working at once."""
    webhook.secret = new_webhook_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    record(facts.WEBHOOK_SECRET_ROTATED, user=actor, origin=origin, target=webhook)
    return webhook


def envelope(delivery: WebhookDelivery, data: dict, created_at) -> dict:
    """The body a receiver gets: `{id, type, created_at, data}`; `id` stays the same on every
    retry, so a receiver can ignore one it already handled."""
    return {
        "id": str(delivery.uuid),
        "type": delivery.type,
        "created_at": api_datetime(created_at),
        "data": data,
    }


def _new_delivery(webhook: Webhook, type_: str, data: dict, *, key: str, created_at):
    delivery = WebhookDelivery(
        webhook=webhook,
        type=type_,
        key=key,
        created_at=created_at,
        next_retry_at=created_at + SWEEP_GRACE,
    )
    delivery.payload = envelope(delivery, data, created_at)
    return delivery


def _send_after_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        transaction.on_commit(lambda: tasks.send_deliveries.delay(delivery_ids), robust=True)


@transaction.atomic
def ping(*, webhook: Webhook) -> WebhookDelivery:
    """A test delivery (`type: ping`), sent after the commit even while the webhook is off."""
    now = timezone.now()
    delivery = _new_delivery(
        webhook,
        PING,
        {"webhook": webhook.pk, "message": "A test delivery: your endpoint is reachable."},
        key="",
        created_at=now,
    )
    delivery.save()
    _send_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again from its first attempt, with the same id and body."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.error = ""
    delivery.next_retry_at = timezone.now() + SWEEP_GRACE
    delivery.save(update_fields=["status", "attempts", "error", "next_retry_at"])
    _send_after_commit([delivery.pk])
    return delivery


def _receives(webhook: Webhook, event_organizer_id: int | None) -> bool:
    """An admin's webhook hears of every event; an organizer's, of their own."""
    owner = webhook.owner
    if owner.role == Role.ADMIN:
        return True
    return owner.role == Role.ORGANIZER and event_organizer_id == owner.pk


def queue_deliveries(facts: list[Fact]) -> None:
    """The fact handler: one delivery per fact and webhook that should hear of it, stored in
    bulk and sent after the commit. Only the webhooks that may hear of these events are read
    (admins', and their organizers'), and nothing more when none of them wants these types."""
    wanted = [fact for fact in facts if fact.name in OUTBOUND]
    types = {OUTBOUND[fact.name] for fact in wanted}
    organizers = dict(
        Event.objects.filter(pk__in={fact.event_id for fact in wanted}).values_list(
            "pk", "organizer_id"
        )
    )
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(
            Q(owner__role=Role.ADMIN)
            | Q(owner__role=Role.ORGANIZER, owner__in=set(organizers.values())),
            is_active=True,
            owner__is_active=True,
        ).select_related("owner")
        if types & set(webhook.events)
    ]
    if not webhooks:
        return
    data = payloads.build(wanted)
    deliveries = (
        _new_delivery(
            webhook,
            OUTBOUND[fact.name],
            data[fact.id],
            key=f"fact:{fact.id}",
            created_at=fact.occurred_at or timezone.now(),
        )
        for fact in wanted
        if fact.id in data
        for webhook in webhooks
        if OUTBOUND[fact.name] in webhook.events
        and _receives(webhook, organizers.get(fact.event_id))
    )
    while chunk := list(islice(deliveries, CHUNK)):
        with transaction.atomic():
            WebhookDelivery.objects.bulk_create(chunk, ignore_conflicts=True)
            _send_after_commit(
                list(
                    WebhookDelivery.objects.filter(
                        webhook__in={delivery.webhook_id for delivery in chunk},
                        key__in={delivery.key for delivery in chunk},
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                    ).values_list("pk", flat=True)
                )
            )
