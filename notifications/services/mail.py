"""The e-mail of each notification: plain text and HTML from templates, sent once.

A notification waiting for its e-mail is `pending`. The sender claims it with one conditional
update (`pending` → `sending`), so two tasks that try the same notification at once send one
mail. A mail server that fails (down, refusing, slow past EMAIL_TIMEOUT) puts it back to
`pending` for a later attempt, 1, 4, 16... minutes later (`retrying.backoff`); after
NOTIFICATION_EMAIL_MAX_ATTEMPTS it is `failed`. A sender that died mid-send leaves `sending`,
which the sweep takes again once its deadline passes: a mail may then go twice, never never.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import EmailStatus, Notification
from notifications.services.retrying import backoff

logger = logging.getLogger(__name__)

# How long a claimed e-mail may stay `sending` before the sweep takes it again.
SENDING_DEADLINE = timedelta(minutes=10)
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def link(notification: Notification) -> str:
    """Where the e-mail's button goes in the frontend (FRONTEND_URL)."""
    data, base = notification.data, settings.FRONTEND_URL
    if "certificate" in data:
        return f"{base}/certificates/{data['certificate']}"
    if "webhook" in data:
        return f"{base}/webhooks/{data['webhook']}"
    if "registration" in data:
        return f"{base}/registrations/{data['registration']}"
    if notification.event is not None:
        return f"{base}/events/{notification.event.slug}"
    return f"{base}/notifications"


def message(notification: Notification, connection=None) -> EmailMultiAlternatives:
    context = {
        "notification": notification,
        "user": notification.user,
        "event": notification.event,
        "link": link(notification),
        "site_name": settings.SITE_NAME,
        "settings_link": f"{settings.FRONTEND_URL}/settings",
    }
    mail = EmailMultiAlternatives(
        subject=f"{notification.title} | {settings.SITE_NAME}",
        body=render_to_string("notifications/email/notification.txt", context),
        to=[notification.user.email],
        connection=connection,
    )
    mail.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return mail


def _claim(notification_id: int, now) -> bool:
    """Take the notification's e-mail for this sender; False when another has it or it went."""
    return bool(
        Notification.objects.filter(pk=notification_id)
        .filter(
            Q(email_status=EmailStatus.PENDING)
            | Q(
                email_status=EmailStatus.SENDING,
                email_next_attempt_at__lte=now,
                email_attempts__lt=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
            )
        )
        .update(
            email_status=EmailStatus.SENDING,
            email_attempts=F("email_attempts") + 1,
            email_next_attempt_at=now + SENDING_DEADLINE,
        )
    )


def _failed(notification: Notification, error: Exception) -> None:
    attempts = notification.email_attempts
    last = attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
    logger.warning(
        "E-mail of notification #%s failed (attempt %s%s): %s",
        notification.pk,
        attempts,
        ", the last" if last else "",
        error,
    )
    Notification.objects.filter(pk=notification.pk).update(
        email_status=EmailStatus.FAILED if last else EmailStatus.PENDING,
        email_next_attempt_at=None if last else timezone.now() + backoff(attempts),
    )


def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications that still wait for theirs, over one connection.
    When the mail server fails, the rest are left for the retry sweep rather than each waiting
    for the same failure. Returns how many were sent."""
    sent = 0
    connection = get_connection()  # opened by the first send, so its failure is that send's
    try:
        for notification_id in notification_ids:
            if not _claim(notification_id, timezone.now()):
                continue
            notification = Notification.objects.select_related("user", "event").get(
                pk=notification_id
            )
            try:
                message(notification, connection).send()
            except MAIL_ERRORS as error:
                _failed(notification, error)
                break
            Notification.objects.filter(pk=notification_id).update(
                email_status=EmailStatus.SENT,
                emailed_at=timezone.now(),
                email_next_attempt_at=None,
            )
            sent += 1
    finally:
        connection.close()
    return sent


def due_for_retry(now=None, *, limit: int = 500) -> list[int]:
    """E-mails whose next attempt has come: failed ones after their backoff, one whose task
    never ran, one left `sending` by a sender that died (on its last attempt: failed
    instead)."""
    now = now or timezone.now()
    Notification.objects.filter(
        email_status=EmailStatus.SENDING,
        email_next_attempt_at__lte=now,
        email_attempts__gte=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    ).update(email_status=EmailStatus.FAILED, email_next_attempt_at=None)
    return list(
        Notification.objects.filter(
            email_status__in=[EmailStatus.PENDING, EmailStatus.SENDING],
            email_next_attempt_at__lte=now,
        )
        .order_by("email_next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
