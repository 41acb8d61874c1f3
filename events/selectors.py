"""Reads of the catalogue: which events a user may see, and what a listing needs in one query."""

from dataclasses import dataclass, field
from decimal import Decimal

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


@dataclass(frozen=True)
class CodeOffer:
    """What a code offers at an event: the hidden ticket types it opens (ids), and the price
    of a seat with it of each ticket type it prices."""

    unlocked: frozenset[int] = frozenset()
    prices: dict[int, Decimal] = field(default_factory=dict)


# What a code given on an event's page (`events/{id}/?promo_code=`) offers there, from the app
# that sells with codes (events cannot import it): each part takes (event, code, viewer) and
# returns a `CodeOffer`, or None for a code it does not know or that cannot be used now.
code_offers = Contributions("what a code offers on an event's page")


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
    """The lowest price of the event's active ticket types that anyone may buy: hidden ones
    are for holders of a code."""
    return Subquery(
        TicketType.objects.filter(event=OuterRef("pk"), is_active=True, is_hidden=False)
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
    confirmed attendee annotated, with what the listing parts add; ticket types (but the hidden
    ones, see `with_code_offer`), sessions and tags prefetched."""
    now = timezone.now()
    events = (
        with_viewer_attendance(events, viewer)
        .select_related("organizer", "category")
        .annotate(price=lowest_active_price(), seats_taken=seating().taken_by_event(now))
        .prefetch_related(
            Prefetch("ticket_types", queryset=ticket_types_with_sales().filter(is_hidden=False)),
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


def with_code_offer(event: Event, code: str, viewer) -> Event:
    """The event (from `with_listing_data`) as a holder of `code` reads it: `code_offer`, what
    the code offers (None when no part knows a code it can use now: nothing changes, and nothing
    tells an unknown code from an exhausted one), and `unlocked_ticket_types`, the hidden types
    it opens, with their sales."""
    event.code_offer, event.unlocked_ticket_types = None, []
    offer = next(
        (found for part in code_offers if (found := part(event, code, viewer)) is not None), None
    )
    if offer is None:
        return event
    event.code_offer = offer
    if offer.unlocked:
        event.unlocked_ticket_types = list(
            ticket_types_with_sales().filter(event=event, is_hidden=True, pk__in=offer.unlocked)
        )
    return event


def shown_ticket_types(event: Event) -> list[TicketType]:
    """The ticket types an event's page lists: the visible ones, and those a code unlocked
    (`with_code_offer`), cheapest first."""
    unlocked = getattr(event, "unlocked_ticket_types", [])
    shown = list(event.ticket_types.all())
    return (
        sorted([*shown, *unlocked], key=lambda each: (each.price, each.pk)) if unlocked else shown
    )


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
    `sold`): hidden ticket types, for holders of a code, are left out."""
    return spots_left(
        capacity=event.capacity,
        taken=getattr(event, "seats_taken", 0),
        ticket_types=(
            (ticket_type.quantity, getattr(ticket_type, "sold", 0), ticket_type.is_active)
            for ticket_type in event.ticket_types.all()
            if not ticket_type.is_hidden
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
