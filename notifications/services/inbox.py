"""Notifications: made in bulk, read and deleted by the person they are for."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.db import transaction
from django.utils import timezone

from notifications import tasks
from notifications.models import EmailStatus, Notification
from users.models import User

# Notifications stored per round trip: a fan-out to many people is a few queries per chunk.
CHUNK = 500
# A new notification's e-mail goes from a task right after the commit; only if that task never
# ran does the retry sweep (`tasks.retry_emails`) send it, this long after.
SWEEP_GRACE = timedelta(minutes=2)


@dataclass(frozen=True)
class Draft:
    """A notification to make: for `user_id`, about `key` (once per user and key)."""

    user_id: int
    type: str
    title: str
    message: str
    key: str
    event_id: int | None = None
    data: dict = field(default_factory=dict)


def notify(drafts: Iterable[Draft]) -> int:
    """Make the notifications, each person's once per key (a draft whose key that person
    already has is ignored, so a handler that runs again tells nobody twice), and e-mail them
    after the commit to the people who want e-mail: `notifications_enabled`, an address, an
    active account. A fixed number of queries per CHUNK drafts, however many people. Returns
    how many drafts were given."""
    given = 0
    drafts = iter(drafts)
    while chunk := tuple(islice(drafts, CHUNK)):
        given += len(chunk)
        with transaction.atomic():
            _store(chunk)
    return given


def _store(drafts: tuple[Draft, ...]) -> None:
    users = {draft.user_id for draft in drafts}
    wants_email = {
        pk: bool(enabled and active and email)
        for pk, enabled, active, email in User.objects.filter(pk__in=users).values_list(
            "pk", "notifications_enabled", "is_active", "email"
        )
    }
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=draft.user_id,
                type=draft.type,
                title=draft.title[:200],
                message=draft.message[:2000],
                key=draft.key,
                event_id=draft.event_id,
                data=draft.data,
                created_at=now,
                email_status=(
                    EmailStatus.PENDING if wants_email[draft.user_id] else EmailStatus.NOT_WANTED
                ),
                email_next_attempt_at=now + SWEEP_GRACE if wants_email[draft.user_id] else None,
            )
            for draft in drafts
            if draft.user_id in wants_email
        ],
        ignore_conflicts=True,
    )
    to_mail = list(
        Notification.objects.filter(
            user_id__in=users,
            key__in={draft.key for draft in drafts},
            email_status=EmailStatus.PENDING,
            email_attempts=0,
        ).values_list("pk", flat=True)
    )
    if to_mail:
        transaction.on_commit(lambda: tasks.send_emails.delay(to_mail), robust=True)


def mark_read(notification: Notification) -> Notification:
    """Read: `read_at` is when it was first read, whatever came after."""
    if not notification.is_read:
        notification.is_read, notification.read_at = True, timezone.now()
        notification.save(update_fields=["is_read", "read_at"])
    return notification


def mark_all_read(user) -> int:
    """Every unread notification of the user read now, in one update. Returns how many."""
    return Notification.objects.filter(user=user, is_read=False).update(
        is_read=True, read_at=timezone.now()
    )


def delete(notification: Notification) -> None:
    notification.delete()
