"""Sending a webhook delivery: signed, once at a time, retried with backoff, never redirected.

Each attempt POSTs the delivery's JSON body with

    X-Webhook-Signature: t=<unix time of the attempt>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

to the webhook's URL, from a socket that may only reach public addresses (`addresses`), with a
timeout of WEBHOOK_TIMEOUT_SECONDS and no redirect followed. A 2xx answer is a success; any
other answer, a timeout or a refused connection is a failed attempt, tried again 1, 4, 16, 64
and 256 minutes later (`retrying.backoff`) until WEBHOOK_MAX_ATTEMPTS, then `failed`. A sender
claims a delivery with one conditional update, so two senders never send the same attempt. A
webhook whose every delivery has failed for WEBHOOK_DISABLE_AFTER_HOURS is switched off and
its owner told (the `webhook.disabled` fact).
"""

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.facts import record
from notifications import facts
from notifications.models import PING, DeliveryStatus, Webhook, WebhookDelivery
from notifications.services import addresses
from notifications.services.retrying import backoff

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Webhook-Signature"
EXCERPT_CHARS = 500
# How long a claimed delivery may stay `sending` before the sweep takes it again.
SENDING_DEADLINE = timedelta(minutes=5)


def body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, and signed."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(status=DeliveryStatus.SENDING, next_retry_at__lte=now)
        )
        .update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            next_retry_at=now + SENDING_DEADLINE,
        )
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def _post(session: requests.Session, delivery: WebhookDelivery) -> dict:
    """One attempt; what it got back, as the delivery's fields."""
    webhook = delivery.webhook
    payload = body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"{settings.SITE_NAME}-Webhooks/1.0",
        "X-Webhook-Id": str(delivery.uuid),
        "X-Webhook-Event": delivery.type,
        SIGNATURE_HEADER: signature(webhook.secret, int(time.time()), payload),
    }
    started = time.monotonic()
    outcome = {"response_status": None, "response_excerpt": "", "error": ""}
    try:
        addresses.check_url(webhook.url)
        with session.post(
            webhook.url,
            data=payload,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,  # only the start of the answer is read
        ) as response:
            first = next(response.iter_content(EXCERPT_CHARS * 4), b"")
            outcome["response_status"] = response.status_code
            outcome["response_excerpt"] = first.decode("utf-8", "replace")[:EXCERPT_CHARS]
            if not 200 <= response.status_code < 300:
                outcome["error"] = f"The receiver answered {response.status_code}."
    except addresses.ForbiddenAddress as refusal:
        outcome["error"] = str(refusal)
    except requests.Timeout:
        outcome["error"] = f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s."
    except requests.RequestException as exc:
        outcome["error"] = f"Could not deliver: {exc.__class__.__name__}."
    outcome["duration_ms"] = round((time.monotonic() - started) * 1000)
    outcome["error"] = outcome["error"][:255]
    return outcome


def _succeeded(delivery: WebhookDelivery, outcome: dict, now) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SUCCEEDED, delivered_at=now, next_retry_at=None, **outcome
    )
    Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=False).update(
        failing_since=None
    )


def _failed(delivery: WebhookDelivery, outcome: dict, now) -> None:
    last = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if last else DeliveryStatus.PENDING,
        next_retry_at=None if last else now + backoff(delivery.attempts),
        **outcome,
    )
    Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=True).update(
        failing_since=now
    )
    if last and delivery.type != PING:
        _disable_if_failing_too_long(delivery.webhook_id, now)


@transaction.atomic
def _disable_if_failing_too_long(webhook_id: int, now) -> None:
    since = now - timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    webhook = (
        Webhook.objects.select_for_update()
        .filter(pk=webhook_id, is_active=True, failing_since__lte=since)
        .first()
    )
    if webhook is None:
        return
    webhook.is_active = False
    webhook.disabled_reason = (
        f"Every delivery failed for {settings.WEBHOOK_DISABLE_AFTER_HOURS} hours."
    )
    webhook.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    record(
        facts.WEBHOOK_DISABLED,
        user=webhook.owner,
        target=webhook,
        data={
            "owner": webhook.owner_id,
            "url": webhook.url,
            "failing_since": webhook.failing_since.isoformat(),
        },
    )


def send_deliveries(delivery_ids: list[int]) -> int:
    """Attempt each of these deliveries that is due. Once a webhook has failed in this run, the
    rest of its deliveries wait for the sweep instead of each waiting on the same dead
    receiver. While WEBHOOKS_DELIVERY_ENABLED is off nothing is sent (they stay pending).
    Returns how many succeeded."""
    if not settings.WEBHOOKS_DELIVERY_ENABLED:
        return 0
    succeeded = 0
    failing: set[int] = set()
    webhook_of = dict(
        WebhookDelivery.objects.filter(pk__in=delivery_ids).values_list("pk", "webhook_id")
    )
    with addresses.guarded_session() as session:
        for delivery_id in delivery_ids:
            if delivery_id not in webhook_of or webhook_of[delivery_id] in failing:
                continue
            delivery = _claim(delivery_id, timezone.now())
            if delivery is None:
                continue
            if not delivery.webhook.is_active and delivery.type != PING:
                WebhookDelivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.FAILED,
                    next_retry_at=None,
                    error="The webhook is switched off.",
                )
                continue
            outcome = _post(session, delivery)
            if outcome["error"]:
                failing.add(delivery.webhook_id)
                _failed(delivery, outcome, timezone.now())
            else:
                _succeeded(delivery, outcome, timezone.now())
                succeeded += 1
    return succeeded


def due_for_retry(now=None, *, limit: int = 500) -> list[int]:
    """Deliveries whose next attempt has come (retries, ones whose task never ran, ones left
    `sending` by a sender that died), soonest first."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_retry_at__lte=now
        )
        .order_by("next_retry_at")
        .values_list("pk", flat=True)[:limit]
    )
