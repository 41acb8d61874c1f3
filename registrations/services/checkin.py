"""Admission at the door, to the event or to one of its sessions."""

from django.db import transaction
from django.utils import timezone
from rest_framework import status

from config.db import lock_one
from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events.models import Session
from events.services import lock_event
from registrations import facts
from registrations.models import (
    ProgressStatus,
    RegistrationStatus,
    SessionAttendance,
    SessionProgress,
    Ticket,
)


@transaction.atomic
def check_in(
    *, code: str, actor, session: Session | None = None, origin: Origin | None = None
) -> Ticket:
    """Admit a ticket at the door (or to one session). Only the event's organizer or an admin
    may; a code they cannot see is unknown (404). A ticket is admitted once, under its row
    lock: again is a 409 with the time it was first admitted. Admission to a session marks the
    holder's progress for it completed."""
    tickets = Ticket.objects.filter(code=code)
    if not actor.is_admin:
        tickets = tickets.filter(event__organizer=actor)
    event_id = tickets.values_list("event_id", flat=True).first()
    if event_id is None:
        raise ApplicationError(
            "No ticket with this code at your events.",
            code="not_found",
            status_code=status.HTTP_404_NOT_FOUND,
        )
    # The event's lock first, as every change to its seats takes it (a cancellation locks the
    # event, then its tickets): the other order could wait in a cycle.
    lock_event(event_id)
    ticket = lock_one(tickets.select_related("registration", "event"))
    if ticket.registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(
            ConflictCode.NOT_CONFIRMED,
            f"This ticket's registration is {ticket.registration.display_status}.",
        )
    now = timezone.now()
    if session is not None:
        _admit_to_session(ticket, session, now)
    elif ticket.checked_in_at is not None:
        raise Conflict(
            ConflictCode.ALREADY_CHECKED_IN,
            "This ticket is already checked in.",
            details={"checked_in_at": ticket.checked_in_at},
        )
    if ticket.checked_in_at is None:
        ticket.checked_in_at = now
        ticket.checked_in_by = actor
        ticket.save(update_fields=["checked_in_at", "checked_in_by"])
    record(
        facts.CHECKIN_CREATED,
        user=actor,
        origin=origin,
        target=ticket,
        data={
            "event": ticket.event_id,
            "session": session.pk if session is not None else None,
            "user": ticket.registration.user_id,
        },
    )
    return ticket


def _admit_to_session(ticket: Ticket, session: Session, now) -> None:
    if session.event_id != ticket.event_id:
        raise ApplicationError(
            "That session belongs to another event.",
            code="validation_error",
            details={"session": ["Choose a session of this event."]},
        )
    attendance = SessionAttendance.objects.filter(ticket=ticket, session=session).first()
    if attendance is not None:
        raise Conflict(
            ConflictCode.ALREADY_CHECKED_IN,
            "This ticket is already checked in to this session.",
            details={"checked_in_at": attendance.checked_in_at},
        )
    SessionAttendance.objects.create(ticket=ticket, session=session, checked_in_at=now)
    SessionProgress.objects.update_or_create(
        user_id=ticket.registration.user_id,
        session=session,
        defaults={"status": ProgressStatus.COMPLETED, "completed_at": now},
    )
