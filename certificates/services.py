"""Issuing certificates of attendance, once, to the people who were there."""

import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from certificates import facts
from certificates.models import Certificate
from config.exceptions import Conflict, ConflictCode
from config.facts import Entry, Origin, record, record_many
from events.models import Event, EventStatus
from events.services import lock_event
from registrations.models import ProgressStatus, RegistrationStatus, SessionProgress, Ticket
from users.models import User

logger = logging.getLogger(__name__)


def _hours(duration: timedelta) -> Decimal:
    return (Decimal(duration.total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


def _covered(spans: list[tuple]) -> timedelta:
    """The time the spans cover together: sessions that overlap count once."""
    covered, reach = timedelta(), None
    for starts_at, ends_at in sorted(spans):
        if reach is not None and starts_at < reach:
            starts_at = reach
        if ends_at > starts_at:
            covered += ends_at - starts_at
            reach = ends_at
    return covered


def hours_completed(event: Event, user_ids: list[int]) -> dict[int, Decimal]:
    """Each person's hours: for a course-style event (one with sessions), the time of the
    sessions they completed (their progress: a session check-in completes it), overlapping
    sessions counted once; with none completed, or at an event without sessions, the event's
    own duration. One query."""
    spans = defaultdict(list)
    for user_id, starts_at, ends_at in SessionProgress.objects.filter(
        session__event=event, user_id__in=user_ids, status=ProgressStatus.COMPLETED
    ).values_list("user_id", "session__starts_at", "session__ends_at"):
        spans[user_id].append((starts_at, ends_at))
    whole_event = event.ends_at - event.starts_at
    return {
        user_id: _hours(_covered(spans[user_id]) if spans.get(user_id) else whole_event)
        for user_id in user_ids
    }


def _attendees(event: Event) -> list[int]:
    """Who was there: a confirmed place and a ticket checked in at the door."""
    return sorted(
        set(
            Ticket.objects.filter(
                event=event,
                checked_in_at__isnull=False,
                registration__status=RegistrationStatus.CONFIRMED,
            ).values_list("registration__user_id", flat=True)
        )
    )


@transaction.atomic
def issue_certificates(*, event: Event, actor=None, origin: Origin | None = None) -> int:
    """Issue a certificate to everyone checked in at the event who has none yet, once it has
    ended (409 `invalid_state` before, or for a cancelled event). Never to a confirmed
    attendee who was not checked in. Safe to run again and at once with itself: under the
    event's lock, a person already certified is skipped. Returns how many were issued."""
    event = lock_event(event.pk)
    if event.status != EventStatus.PUBLISHED or event.ends_at > timezone.now():
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"Certificates are issued once an event has ended; this one is {event.display_status}.",
        )
    certified = set(Certificate.objects.filter(event=event).values_list("user_id", flat=True))
    due = [user_id for user_id in _attendees(event) if user_id not in certified]
    if not due:
        return 0
    hours = hours_completed(event, due)
    people = User.objects.in_bulk(due)
    tags = sorted(event.tags.values_list("name", flat=True))
    now = timezone.now()
    Certificate.objects.bulk_create(
        Certificate(
            user_id=user_id,
            event=event,
            holder_name="" if people[user_id].is_deleted else people[user_id].full_name,
            hours_completed=hours[user_id],
            skill_tags=tags,
            issued_at=now,
        )
        for user_id in due
    )
    # Under the event's lock, the certificates of `due` are exactly the ones just made.
    issued = list(Certificate.objects.filter(event=event, user_id__in=due).order_by("id"))
    record_many(
        Entry(
            facts.CERTIFICATE_ISSUED,
            user=actor,
            origin=origin,
            target=certificate,
            data={
                "user": certificate.user_id,
                "event": event.pk,
                "event_title": event.title,
                "number": certificate.number,
                "hours_completed": str(certificate.hours_completed),
            },
        )
        for certificate in issued
    )
    return len(issued)


def issue_due(now=None) -> int:
    """The periodic task: certificates for every event that ended within the last
    CERTIFICATES_ISSUE_WITHIN_DAYS (older ones through `events/{id}/issue_certificates/`).
    Each event in a transaction of its own. Returns how many were issued."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.CERTIFICATES_ISSUE_WITHIN_DAYS)
    ended = Event.objects.filter(
        status=EventStatus.PUBLISHED, ends_at__lte=now, ends_at__gt=since
    ).values_list("pk", flat=True)
    issued = 0
    for event_id in ended:
        try:
            issued += issue_certificates(event=Event(pk=event_id))
        except Exception:  # one event that fails must not hold back the others
            logger.exception("Issuing the certificates of event #%s failed", event_id)
    return issued


@transaction.atomic
def mark_downloaded(*, certificate: Certificate, user, origin: Origin | None = None):
    """Its holder has it: `downloaded_at` is the first time, whatever came after."""
    if certificate.downloaded_at is None:
        certificate.downloaded_at = timezone.now()
        certificate.save(update_fields=["downloaded_at"])
        record(
            facts.CERTIFICATE_DOWNLOADED,
            user=user,
            origin=origin,
            target=certificate,
            data={"event": certificate.event_id},
        )
    return certificate


def holder_deleted(fact) -> None:
    """An account was deleted (its personal data scrubbed): its certificates stop naming the
    person, and verifying one says only that it is valid."""
    Certificate.objects.filter(user_id=fact.target_id).update(holder_name="")
