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
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from config.facts import record
from notifications import facts
from notifications.models import PING, DeliveryStatus, Webhook, WebhookDelivery
from notifications.services import addresses
from notifications.services.retrying import backoff

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Webhook-Signature"
USER_AGENT = "EventHub-Webhooks/1.0"  # the software's name: header values must be Latin-1
EXCERPT_CHARS = 500
# How long a claimed delivery may stay `sending` before the sweep takes it again.
SENDING_DEADLINE = timedelta(minutes=5)
# How many of one webhook's deliveries one sweep takes at most.
PER_WEBHOOK = 20


def body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, and signed."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, payload: bytes) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def _claim(delivery_id: int, now) -> WebhookDelivery | None:
    """Take the delivery's next attempt for this sender: one that is pending, or one left
    `sending` past its deadline by a sender that stopped (unless that was its last attempt)."""
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=DeliveryStatus.PENDING)
            | Q(
                status=DeliveryStatus.SENDING,
                next_retry_at__lte=now,
                attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS,
            )
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


def _post(delivery: WebhookDelivery) -> dict:
    """One attempt, on a connection of its own, all of it (connecting, sending, reading the
    start of the answer) within WEBHOOK_TIMEOUT_SECONDS; what it got back, as the delivery's
    fields. Whatever goes wrong is a failed attempt, never an error out of the sender."""
    webhook = delivery.webhook
    payload = body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": str(delivery.uuid),
        "X-Webhook-Event": delivery.type,
        SIGNATURE_HEADER: signature(webhook.secret, int(time.time()), payload),
    }
    limit = settings.WEBHOOK_TIMEOUT_SECONDS
    started = time.monotonic()
    outcome = {"response_status": None, "response_excerpt": "", "error": ""}
    deadline = addresses.Deadline(limit)
    try:
        addresses.check_url(webhook.url)
        with (
            deadline,
            addresses.guarded_session() as session,
            session.post(
                webhook.url,
                data=payload,
                headers=headers,
                timeout=limit,
                allow_redirects=False,
                stream=True,  # only the start of the answer is read
            ) as response,
        ):
            first = next(response.iter_content(EXCERPT_CHARS * 4), b"")
            outcome["response_status"] = response.status_code
            outcome["response_excerpt"] = first.decode("utf-8", "replace")[:EXCERPT_CHARS]
        if not 200 <= response.status_code < 300:
            outcome["error"] = f"The receiver answered {response.status_code}."
    except addresses.ForbiddenAddress as refusal:
        outcome["error"] = str(refusal)
    except requests.Timeout:
        outcome["error"] = f"No answer within {limit} s."
    except Exception as exc:  # a receiver's failure, or ours: one failed attempt either way
        if deadline.expired:
            outcome["error"] = f"No answer within {limit} s."
        elif isinstance(exc, requests.RequestException):
            outcome["error"] = f"Could not deliver: {exc.__class__.__name__}."
        else:
            logger.exception("Webhook delivery #%s failed in the sender", delivery.pk)
            outcome["error"] = f"Could not deliver: {exc.__class__.__name__} in the sender."
    if deadline.expired and not outcome["error"]:
        outcome["error"] = f"No answer within {limit} s."
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


def _failed(delivery: WebhookDelivery, outcome: dict, now) -> datetime:
    """Record a failed attempt; returns when the webhook is tried next."""
    last = delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    next_try = now + backoff(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if last else DeliveryStatus.PENDING,
        next_retry_at=None if last else next_try,
        **outcome,
    )
    if delivery.type == PING:  # a test of the receiver: its failures switch nothing off
        return next_try
    Webhook.objects.filter(pk=delivery.webhook_id, failing_since__isnull=True).update(
        failing_since=now
    )
    if last:
        _disable_if_failing_too_long(delivery.webhook_id, now)
    return next_try


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
    rest of its deliveries here wait as long as the failed one does (without counting an
    attempt), instead of each waiting on the same dead receiver now or crowding out other
    webhooks' retries in the next sweep. While WEBHOOKS_DELIVERY_ENABLED is off nothing is
    sent (they stay pending). Returns how many succeeded."""
    if not settings.WEBHOOKS_DELIVERY_ENABLED:
        return 0
    succeeded = 0
    waiting: dict[int, list[int]] = {}  # a failing webhook's deliveries not tried in this run
    failing_until: dict[int, datetime] = {}
    webhook_of = dict(
        WebhookDelivery.objects.filter(pk__in=delivery_ids).values_list("pk", "webhook_id")
    )
    for delivery_id in delivery_ids:
        webhook_id = webhook_of.get(delivery_id)
        if webhook_id in failing_until:
            waiting.setdefault(webhook_id, []).append(delivery_id)
            continue
        delivery = _claim(delivery_id, timezone.now()) if webhook_id else None
        if delivery is None:
            continue
        if not delivery.webhook.is_active and delivery.type != PING:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED,
                next_retry_at=None,
                error="The webhook is switched off.",
            )
            continue
        outcome = _post(delivery)
        if outcome["error"]:
            failing_until[webhook_id] = _failed(delivery, outcome, timezone.now())
        else:
            _succeeded(delivery, outcome, timezone.now())
            succeeded += 1
    for webhook_id, postponed in waiting.items():
        WebhookDelivery.objects.filter(pk__in=postponed, status=DeliveryStatus.PENDING).update(
            next_retry_at=failing_until[webhook_id]
        )
    return succeeded


def due_for_retry(now=None, *, limit: int = 500) -> list[int]:
    """Deliveries whose next attempt has come (retries, ones whose task never ran, ones left
    `sending` by a sender that stopped), soonest first, at most PER_WEBHOOK of each webhook.
    One left `sending` on its last attempt is failed instead: it had all its tries."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING,
        next_retry_at__lte=now,
        attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS,
    ).update(
        status=DeliveryStatus.FAILED,
        next_retry_at=None,
        error="The sender stopped during the last attempt.",
    )
    soonest_first = [F("next_retry_at").asc(), F("id").asc()]
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_retry_at__lte=now
        )
        .annotate(place=Window(RowNumber(), partition_by=[F("webhook_id")], order_by=soonest_first))
        .filter(place__lte=PER_WEBHOOK)  # one dead receiver's backlog crowds out no other
        .order_by(*soonest_first)
        .values_list("pk", flat=True)[:limit]
    )
