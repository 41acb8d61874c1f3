"""A user's progress through the sessions of course-style events."""

from django.db import transaction
from django.utils import timezone

from config.facts import Origin, record
from events.models import Event, Session
from registrations import facts
from registrations.models import ProgressStatus, RegistrationStatus, SessionProgress


def progress_for(*, user, event: Event | None = None):
    """The user's progress rows for every session of the events they are confirmed for (of one
    event, if given), creating the rows that do not exist yet."""
    sessions = Session.objects.filter(
        event__registrations__user=user,
        event__registrations__status=RegistrationStatus.CONFIRMED,
    )
    if event is not None:
        sessions = sessions.filter(event=event)
    SessionProgress.objects.bulk_create(
        [
            SessionProgress(user=user, session_id=session_id)
            for session_id in sessions.values_list("id", flat=True).distinct()
        ],
        ignore_conflicts=True,
    )
    return SessionProgress.objects.filter(user=user, session__in=sessions)


@transaction.atomic
def update_progress(
    *, progress: SessionProgress, origin: Origin | None = None, **changes
) -> SessionProgress:
    """Change one's own progress; `completed_at` follows the status."""
    for field, value in changes.items():
        setattr(progress, field, value)
    if progress.status == ProgressStatus.COMPLETED and progress.completed_at is None:
        progress.completed_at = timezone.now()
    elif progress.status != ProgressStatus.COMPLETED:
        progress.completed_at = None
    progress.save()
    record(
        facts.PROGRESS_UPDATED,
        user=progress.user,
        origin=origin,
        target=progress,
        data={"session": progress.session_id, "status": progress.status},
    )
    return progress
