"""What changes to an event mean for the places at it: the `Seating` registrations install
into the catalogue (`events.seating`), so that events can count seats, refuse a capacity below
them, and cascade a cancellation without importing this app. Every step here runs inside the
event's own transaction, under its lock, taken by the events service that calls it."""

from django.db.models import Min
from django.utils import timezone

from config.facts import Entry, record_many
from events.seating import Seating
from registrations import facts, selectors
from registrations.models import (
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionProgress,
    WaitlistEntry,
    WaitlistStatus,
    holds_seats,
)
from registrations.services import booking, seats


class RegistrationSeating(Seating):
    """Seats are taken by confirmed registrations and by pending ones whose hold has not run
    out (`registrations.models.holds_seats`)."""

    def taken_by_event(self, now):
        return selectors.seats_taken_by_event(now)

    def taken_by_ticket_type(self, now):
        return selectors.seats_taken_by_ticket_type(now)

    def taken(self, event, *, ticket_type=None) -> int:
        return selectors.seats_taken(event, ticket_type=ticket_type)

    def held_by(self, viewer, *, event="pk"):
        return selectors.is_confirmed_attendee(viewer, event=event)

    def next_hold_expiry(self, now, *, event_id=None):
        holds = Registration.objects.filter(status=RegistrationStatus.PENDING, expires_at__gt=now)
        if event_id is not None:
            holds = holds.filter(event_id=event_id)
        return holds.aggregate(m=Min("expires_at"))["m"]

    def seats_added(self, *, event, now) -> None:
        seats.promote_waitlist(event=event, now=now)

    def event_cancelled(self, *, event, actor, origin) -> int:
        """Every active registration is cancelled through the path a single cancellation takes
        (everything paid is due back in full: the organizer cancelled), and the waitlist is
        closed, each entry with its fact (the people waiting are told too)."""
        now = timezone.now()
        # Holds that already ran out stay pending until the expiry job marks them expired.
        active = list(
            Registration.objects.filter(holds_seats(now), event=event).select_related("event")
        )
        booking.release(
            active, by_manager=True, actor=actor, now=now, origin=origin, with_event=True
        )
        waiting = list(
            WaitlistEntry.objects.filter(event=event, status=WaitlistStatus.WAITING).select_related(
                "user"
            )
        )
        WaitlistEntry.objects.filter(
            event=event, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).update(status=WaitlistStatus.LEFT)
        record_many(
            Entry(
                facts.WAITLIST_LEFT,
                user=entry.user,
                target=entry,
                data={"event": event.pk, "event_cancelled": True},
            )
            for entry in waiting
        )
        return len(active)

    def approval_dropped(self, *, event, actor, origin) -> int:
        return booking.approve_all_awaiting(event=event, actor=actor, origin=origin)

    def blocks_deletion(self, event) -> bool:
        """Any registration, even a cancelled one, is a record (of money, later): the event
        is cancelled instead, never deleted with them."""
        return Registration.objects.filter(event=event).exists()

    def ever_sold(self, ticket_type) -> bool:
        return Registration.objects.filter(ticket_type=ticket_type).exists()

    def ticket_type_deleted(self, ticket_type) -> int:
        return WaitlistEntry.objects.filter(ticket_type=ticket_type).update(ticket_type=None)

    def session_attended(self, session) -> bool:
        return SessionAttendance.objects.filter(session=session).exists()

    def session_deleted(self, session) -> int:
        removed, _ = SessionProgress.objects.filter(session=session).delete()
        return removed
