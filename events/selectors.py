"""Reads of the catalogue: which events a user may see, and what a listing needs in one query."""

from django.db.models import (
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone

from config.contributions import Contributions
from events.models import Category, Event, EventStatus, TicketType, Visibility
from events.seating import seating

# What apps above events add to an event's listing: each part takes (events, viewer, now) and
# returns the queryset annotated with what it shows (the waitlist's length, the rating).
listing_parts = Contributions("an event's listing")
# What the listing shows when no installed part annotates it: the list can still be ordered by
# these, and `EventReadSerializer` reads the same defaults.
LISTING_DEFAULTS = {
    "average_rating": Value(None, output_field=FloatField()),
    "reviews_count": Value(0, output_field=IntegerField()),
}


def visible_events(user) -> QuerySet[Event]:
    """Events whose detail page the user may open: anything not draft and not private, and all
    of their own; admins see everything. Everything else answers 404."""
    events = Event.objects.all()
    if user.is_authenticated and user.is_admin:
        return events
    public = Q(
        status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED],
        visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
    )
    if user.is_authenticated:
        return events.filter(public | Q(organizer=user))
    return events.filter(public)


def listed_events(user) -> QuerySet[Event]:
    """Events the catalogue lists: public and published (completed included); organizers also
    see their own in every state, admins see all."""
    events = Event.objects.all()
    if user.is_authenticated and user.is_admin:
        return events
    listed = Q(status=EventStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    if user.is_authenticated:
        return events.filter(listed | Q(organizer=user))
    return events.filter(listed)


def manageable_events(user) -> QuerySet[Event]:
    """Events the user may change: their own while they are an organizer, or all for admins."""
    if user.is_authenticated and user.is_admin:
        return Event.objects.all()
    if user.is_authenticated and user.is_organizer:
        return Event.objects.filter(organizer=user)
    return Event.objects.none()


def ticket_types_with_sales() -> QuerySet[TicketType]:
    """Ticket types with `sold`: the seats taken of each (confirmed, and held)."""
    return TicketType.objects.annotate(sold=seating().taken_by_ticket_type(timezone.now()))


def lowest_active_price():
    return Subquery(
        TicketType.objects.filter(event=OuterRef("pk"), is_active=True)
        .order_by("price")
        .values("price")[:1]
    )


def with_viewer_attendance(events: QuerySet[Event], viewer) -> QuerySet[Event]:
    """`viewer_is_attendee`: whether the viewer holds a confirmed place (for the join link, see
    `Event.shows_online_url_to`)."""
    if not viewer.is_authenticated:
        return events
    return events.annotate(viewer_is_attendee=seating().held_by(viewer))


def with_listing_data(events: QuerySet[Event], viewer) -> QuerySet[Event]:
    """Everything an event's representation needs, in a fixed number of queries whatever the
    page size: organizer and category joined; price, seats taken and whether the viewer is a
    confirmed attendee annotated, with what the listing parts add; ticket types, sessions and
    tags prefetched."""
    now = timezone.now()
    events = (
        with_viewer_attendance(events, viewer)
        .select_related("organizer", "category")
        .annotate(price=lowest_active_price(), seats_taken=seating().taken_by_event(now))
        .prefetch_related(
            Prefetch("ticket_types", queryset=ticket_types_with_sales()),
            "sessions",
            "tags",
        )
    )
    for part in listing_parts:
        events = part(events, viewer, now)
    missing = {
        name: default
        for name, default in LISTING_DEFAULTS.items()
        if name not in events.query.annotations
    }
    return events.annotate(**missing) if missing else events


def spots_left(*, capacity: int, taken: int, ticket_types) -> int:
    """The rule for seats one could still book: what the capacity leaves, but no more than the
    active ticket types have left between them. `ticket_types`: `(quantity, sold, is_active)`
    of each."""
    by_tickets = sum(
        max(quantity - sold, 0) for quantity, sold, is_active in ticket_types if is_active
    )
    return max(min(capacity - taken, by_tickets), 0)


def available_spots(event: Event) -> int:
    """`spots_left` of an event read by `with_listing_data` (seats taken, ticket types with
    `sold`)."""
    return spots_left(
        capacity=event.capacity,
        taken=getattr(event, "seats_taken", 0),
        ticket_types=(
            (ticket_type.quantity, getattr(ticket_type, "sold", 0), ticket_type.is_active)
            for ticket_type in event.ticket_types.all()
        ),
    )


def categories_with_counts() -> QuerySet[Category]:
    """Categories with the number of events the public catalogue lists in each."""
    return Category.objects.annotate(
        event_count=Count(
            "events",
            filter=Q(events__status=EventStatus.PUBLISHED, events__visibility=Visibility.PUBLIC),
        )
    ).order_by("name")
