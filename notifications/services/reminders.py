"""The reminder before an event: once per person and event, EVENT_REMINDER_HOURS before it
starts, to everyone confirmed."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from events.models import EventStatus
from notifications.models import Notification, NotificationType
from notifications.services.inbox import Draft, notify
from notifications.services.producers import moment
from registrations.models import Registration, RegistrationStatus

PAGE = 500


def reminder_for(registration: Registration, now) -> Draft:
    event = registration.event
    hours = max(round((event.starts_at - now) / timedelta(hours=1)), 1)
    where = "online" if event.is_online else (f"at {event.location}" if event.location else "")
    tickets = f"{registration.quantity} ticket{'s' if registration.quantity != 1 else ''}"
    return Draft(
        user_id=registration.user_id,
        type=NotificationType.EVENT_REMINDER,
        title=f"Starting soon: {event.title}",
        message=(
            f"{event.title} starts in about {hours} hour{'s' if hours != 1 else ''}, "
            f"{moment(event.starts_at, event.timezone)}{f', {where}' if where else ''}. "
            f"Your {tickets} are in your account."
        ),
        key=f"event_reminder:{event.pk}",
        event_id=event.pk,
        data={"registration": registration.pk},
    )


def send_due(now=None) -> int:
    """Remind every confirmed attendee of a published event starting within the next
    EVENT_REMINDER_HOURS who has not been reminded of it yet. Safe to run as often as wanted,
    and twice at once: a person's reminder of an event is one notification (its key), and its
    e-mail is sent once. Returns how many were made."""
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + timedelta(hours=settings.EVENT_REMINDER_HOURS),
        )
        .exclude(
            Exists(
                Notification.objects.filter(
                    user=OuterRef("user"),
                    event=OuterRef("event"),
                    type=NotificationType.EVENT_REMINDER,
                )
            )
        )
        .select_related("event")
        .order_by("pk")
    )
    reminded, after = 0, 0
    while page := list(due.filter(pk__gt=after)[:PAGE]):
        reminded += notify(reminder_for(registration, now) for registration in page)
        after = page[-1].pk
    return reminded
