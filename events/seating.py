"""Seats, as the catalogue needs them, from whichever app sells them.

Events own the capacity; the app that takes seats (registrations, above events) owns how many
are taken. Events cannot import it, so that app installs its `Seating` in `AppConfig.ready()`
and the catalogue asks through `seating()`: for the counts it lists, for the floor a capacity
may not drop below, and for the steps that must happen in an event's own transaction, under its
lock (seats added, the event cancelled or deleted). Until one is installed, nothing takes seats.
"""

from datetime import datetime

from django.db.models import Expression, Value


class Seating:
    """Nothing takes seats: the catalogue on its own. Registrations install the real one."""

    def taken_by_event(self, now: datetime) -> Expression:
        """Seats taken at the event of the current row (`OuterRef("pk")`), as an expression."""
        return Value(0)

    def taken_by_ticket_type(self, now: datetime) -> Expression:
        """Seats taken of the ticket type of the current row, as an expression."""
        return Value(0)

    def taken(self, event, *, ticket_type=None) -> int:
        """Seats taken now at the event (of one ticket type). Exact while the event is locked."""
        return 0

    def held_by(self, viewer, *, event: str = "pk") -> Expression:
        """Whether `viewer` holds a confirmed place at the event of the current row (the row's
        field `event` names it: `pk` for events, `event` for their parts)."""
        return Value(False)

    def next_hold_expiry(self, now: datetime, *, event_id: int | None = None):
        """When the next temporary hold on seats runs out (of one event, or anywhere)."""
        return None

    def seats_added(self, *, event, now: datetime) -> None:
        """The event has more seats to give (capacity raised, tickets added or put on sale).
        Runs in the event's transaction, under its lock."""

    def event_cancelled(self, *, event, actor, origin) -> int:
        """The event was cancelled: release every place at it, under its lock. Returns how
        many places were released."""
        return 0

    def approval_dropped(self, *, event, actor, origin) -> int:
        """The event stopped requiring approval: settle the places still awaiting a decision
        (under its lock). Returns how many."""
        return 0

    def blocks_deletion(self, event) -> bool:
        """Whether someone holds a place at the event, so it may only be cancelled."""
        return False

    def ever_sold(self, ticket_type) -> bool:
        """Whether any place was ever taken with this ticket type (it stays as the record)."""
        return False

    def ticket_type_deleted(self, ticket_type) -> int:
        """The ticket type (never sold) is about to be deleted: whoever waits for it keeps
        their place, waiting for any type. Returns how many waitlist entries moved."""
        return 0

    def session_attended(self, session) -> bool:
        """Whether anyone was admitted to the session: its attendance stays as the record."""
        return False

    def session_deleted(self, session) -> int:
        """The session (never attended) is about to be deleted: what people tracked of it
        (their progress) goes with it. Returns how many rows."""
        return 0


_installed = Seating()


def install(seating: Seating) -> None:
    global _installed
    _installed = seating


def seating() -> Seating:
    return _installed
