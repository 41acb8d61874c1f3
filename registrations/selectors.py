"""Reads about registrations: seats taken (as subqueries the catalogue annotates), and which
registrations, tickets and waitlist entries a user may see."""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from events.models import Event
from registrations.models import (
    Registration,
    RegistrationStatus,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
    holds_seats,
)


def _sum_of_seats(registrations: QuerySet, group_by: str):
    total = registrations.values(group_by).annotate(seats=Sum("quantity")).values("seats")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def seats_taken_by_event(now=None):
    """Seats taken at the event in the current row (`OuterRef("pk")`)."""
    registrations = Registration.objects.filter(holds_seats(now), event=OuterRef("pk"))
    return _sum_of_seats(registrations, "event")


def seats_taken_by_ticket_type(now=None):
    registrations = Registration.objects.filter(holds_seats(now), ticket_type=OuterRef("pk"))
    return _sum_of_seats(registrations, "ticket_type")


def waiting_count_by_event():
    waiting = (
        WaitlistEntry.objects.filter(event=OuterRef("pk"), status=WaitlistStatus.WAITING)
        .values("event")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0))


def with_waitlist_count(events: QuerySet, viewer, now) -> QuerySet:
    """The events listing's part: `waitlist_count`, how many are waiting at each event."""
    return events.annotate(waitlist_count=waiting_count_by_event())


def is_confirmed_attendee(user, *, event: str = "pk"):
    """Whether `user` holds a confirmed registration for the event of the current row (its
    field `event`)."""
    if not user.is_authenticated:
        return Value(False)
    return Exists(
        Registration.objects.filter(
            event=OuterRef(event), user=user, status=RegistrationStatus.CONFIRMED
        )
    )


def promo_code_uses(code) -> int:
    """Seats taken with `code`: by confirmed registrations and holds that still count, as seats
    are. An expired hold, a rejection or a cancellation (a full refund included) gives its uses
    back the moment it stops holding seats."""
    registrations = Registration.objects.filter(holds_seats(), promo_code=code)
    return registrations.aggregate(seats=Sum("quantity"))["seats"] or 0


def promo_code_uses_by_code(now=None):
    """Seats taken with the code of the current row (`OuterRef("pk")`), for lists."""
    registrations = Registration.objects.filter(holds_seats(now), promo_code=OuterRef("pk"))
    return _sum_of_seats(registrations, "promo_code")


def seats_taken(event: Event, *, ticket_type=None) -> int:
    registrations = Registration.objects.filter(holds_seats(), event=event)
    if ticket_type is not None:
        registrations = registrations.filter(ticket_type=ticket_type)
    return registrations.aggregate(seats=Sum("quantity"))["seats"] or 0


def own_or_organized(rows: QuerySet, user, *, own: str, event: str = "event_id") -> QuerySet:
    """Rows that are the user's own (through `own`), or belong to events they organize
    (through `event`); all for admins, none for anonymous users. An organizer's event ids are
    read first, so the database can answer with two index scans instead of scanning every row
    for the OR."""
    if not user.is_authenticated:
        return rows.none()
    if user.is_admin:
        return rows
    mine = Q(**{own: user})
    if not user.is_organizer:
        return rows.filter(mine)
    organized = list(Event.objects.filter(organizer=user).values_list("pk", flat=True))
    return rows.filter(mine | Q(**{f"{event}__in": organized}))


def visible_registrations(user) -> QuerySet[Registration]:
    """A user's own registrations, those for events they organize, or all for admins."""
    return own_or_organized(Registration.objects.all(), user, own="user")


def visible_tickets(user) -> QuerySet[Ticket]:
    """A user's own tickets, those of events they organize, or all for admins."""
    return own_or_organized(Ticket.objects.all(), user, own="registration__user")


def visible_waitlist(user) -> QuerySet[WaitlistEntry]:
    """A user's own waitlist entries, those of events they organize, or all for admins."""
    return own_or_organized(WaitlistEntry.objects.all(), user, own="user")


def with_positions(entries: QuerySet[WaitlistEntry]) -> QuerySet[WaitlistEntry]:
    """Annotate each waiting entry with its place in its event's queue (1 = next), counted now,
    so it is never stale. Entries that are not waiting get none."""
    ahead = (
        WaitlistEntry.objects.filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")),
            event=OuterRef("event"),
            status=WaitlistStatus.WAITING,
        )
        .values("event")
        .annotate(n=Count("id"))
        .values("n")
    )
    return entries.annotate(
        queue_position=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1
    )


def attendees_of(event: Event) -> QuerySet[Registration]:
    """An event's registrations, with how many of each one's tickets were checked in."""
    return (
        Registration.objects.filter(event=event)
        .select_related("user", "ticket_type")
        .annotate(checked_in_count=Count("tickets", filter=Q(tickets__checked_in_at__isnull=False)))
        .order_by("created_at", "id")
    )
