"""Every change to the catalogue: events through their lifecycle, sessions, ticket types,
categories and tags.

Changes that touch seats (capacity, ticket quantities, cancelling, deleting) run under the
event's row lock (`lock_event`), the same lock every booking takes, and ask the installed
`seating()` for what registrations must add in that transaction. Each change records its fact
(`events.facts`); what follows from it (cached pages, notifications) subscribes to the fact.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from config.db import lock_one
from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events import facts
from events.models import Category, Event, EventStatus, Session, Tag, TicketType
from events.seating import seating

GENERAL_ADMISSION = "General admission"


def lock_event(event_id: int) -> Event:
    """Lock the event's row for the rest of the transaction. Every change that takes or frees
    its seats holds this lock, and takes it before any other row of the event, so two changes
    never wait on each other in a cycle."""
    return lock_one(Event.objects.filter(pk=event_id))


SLUG_LENGTH = 70  # the API's limit for a slug (the column holds 80)


def _unique_slug(title: str, *, wanted: str | None = None) -> str:
    """The title's slug, or the one wanted, made unique with `-2`, `-3`... and never longer
    than the API says a slug is: the number replaces the end of a long one."""
    base = (wanted or slugify(title) or "event")[:SLUG_LENGTH]
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = f"{base[: SLUG_LENGTH - len(suffix)]}{suffix}", n + 1
    return slug


def _set_tags(event: Event, names: list[str]) -> None:
    normalized = sorted({name.strip().lower() for name in names if name.strip()})
    Tag.objects.bulk_create([Tag(name=name) for name in normalized], ignore_conflicts=True)
    event.tags.set(Tag.objects.filter(name__in=normalized))


def _check_publishable(event: Event) -> None:
    problems = {}
    if event.starts_at <= timezone.now():
        problems["starts_at"] = ["An event can only be published before it starts."]
    if not event.ticket_types.filter(is_active=True).exists():
        problems["ticket_types"] = ["Add at least one active ticket type before publishing."]
    if problems:
        raise ApplicationError(
            "The event cannot be published yet.", code="validation_error", details=problems
        )


def _check_seats_floor(event: Event, capacity: int) -> None:
    """Capacity may never drop below the seats already taken (the caller holds the lock)."""
    taken = seating().taken(event)
    if capacity < taken:
        raise ApplicationError(
            f"{taken} seats are already taken; the capacity cannot be lower.",
            code="validation_error",
            details={"capacity": [f"Must be at least {taken}."]},
        )


def _check_sold_floor(ticket_type: TicketType, quantity: int) -> None:
    sold = seating().taken(ticket_type.event, ticket_type=ticket_type)
    if quantity < sold:
        raise ApplicationError(
            f"{sold} {ticket_type.name} tickets are already taken; the quantity cannot be lower.",
            code="validation_error",
            details={"quantity": [f"Must be at least {sold}."]},
        )


@transaction.atomic
def create_event(
    *,
    organizer,
    title: str,
    starts_at,
    ends_at,
    capacity: int,
    tags: list[str] | None = None,
    ticket_types: list[dict] | None = None,
    price: Decimal | None = None,
    status: str = EventStatus.DRAFT,
    slug: str | None = None,
    origin: Origin | None = None,
    **fields,
) -> Event:
    """Create an event owned by `organizer`, as a draft unless `status` is `published` (which
    must then pass the publishing rules). Ticket types come inline, or from the `price`
    shorthand: one "General admission" type with as many tickets as the capacity."""
    event = Event(
        organizer=organizer,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        slug=_unique_slug(title, wanted=slug),
        **fields,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # another event took the same slug a moment ago
        event.slug = f"{event.slug[:60]}-{get_random_string(6).lower()}"
        event.save()
    _set_tags(event, tags or [])
    if ticket_types is None and price is not None:
        ticket_types = [{"name": GENERAL_ADMISSION, "price": price, "quantity": capacity}]
    TicketType.objects.bulk_create(TicketType(event=event, **data) for data in ticket_types or [])
    record(
        facts.EVENT_CREATED, user=organizer, origin=origin, target=event, data={"event": event.pk}
    )
    if status == EventStatus.PUBLISHED:
        publish_event(event=event, actor=organizer, origin=origin)
    return event


@transaction.atomic
def update_event(
    *, event: Event, actor, tags: list[str] | None = None, origin: Origin | None = None, **changes
) -> Event:
    """Change an event's details. Sessions must still fit its time window; the capacity never
    drops below the seats taken, and a larger one gives the new seats out (to the waitlist).
    The currency is fixed once anyone has registered (prices and payments were in it).
    The fact's `changed` names the fields that moved."""
    event = lock_event(event.pk)
    if event.status == EventStatus.CANCELLED:
        raise Conflict(ConflictCode.INVALID_STATE, "A cancelled event cannot be changed.")
    if "capacity" in changes:
        _check_seats_floor(event, changes["capacity"])
    capacity_before = event.capacity
    changed = [field for field, value in changes.items() if getattr(event, field) != value]
    if "currency" in changed and seating().blocks_deletion(event):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "Places were sold in this event's currency: it cannot change any more.",
        )
    for field, value in changes.items():
        setattr(event, field, value)
    if {"starts_at", "ends_at"} & set(changed):
        outside = event.sessions.exclude(
            starts_at__gte=event.starts_at, ends_at__lte=event.ends_at
        ).count()
        if outside:
            raise ApplicationError(
                f"{outside} session(s) would fall outside the new time window; move them first.",
                code="validation_error",
                details={"starts_at": ["Sessions must lie inside the event's time window."]},
            )
    event.save()
    if tags is not None:
        _set_tags(event, tags)
        changed.append("tags")
    if "requires_approval" in changed and not event.requires_approval:
        seating().approval_dropped(event=event, actor=actor, origin=origin)
    if event.capacity > capacity_before:
        seating().seats_added(event=event, now=timezone.now())
    record(
        facts.EVENT_UPDATED,
        user=actor,
        origin=origin,
        target=event,
        data={"event": event.pk, "changed": sorted(changed)},
    )
    return event


@transaction.atomic
def publish_event(*, event: Event, actor, origin: Origin | None = None) -> Event:
    """Draft → published. Needs a start in the future and at least one active ticket type."""
    event = lock_event(event.pk)
    if event.status != EventStatus.DRAFT:
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"Only a draft can be published; this event is {event.display_status}.",
        )
    _check_publishable(event)
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    record(facts.EVENT_PUBLISHED, user=actor, origin=origin, target=event, data={"event": event.pk})
    return event


@transaction.atomic
def cancel_event(*, event: Event, actor, origin: Origin | None = None) -> Event:
    """Draft or published (not yet ended) → cancelled. Every place at it is released, each
    through the same path a single cancellation takes, and its waitlist closed."""
    event = lock_event(event.pk)
    if event.display_status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"This event is {event.display_status} and cannot be cancelled.",
        )
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancelled_at", "updated_at"])
    released = seating().event_cancelled(event=event, actor=actor, origin=origin)
    record(
        facts.EVENT_CANCELLED,
        user=actor,
        origin=origin,
        target=event,
        data={"event": event.pk, "registrations_cancelled": released},
    )
    return event


@transaction.atomic
def delete_event(*, event: Event, actor, origin: Origin | None = None) -> None:
    """Delete an event nobody ever registered for. Registrations, cancelled ones included, are
    records (of money, once payments land): such an event is cancelled instead, never deleted
    with them."""
    event = lock_event(event.pk)
    if seating().blocks_deletion(event):
        raise Conflict(
            ConflictCode.EVENT_HAS_REGISTRATIONS,
            "This event has registrations, which are kept as records: cancel it instead.",
        )
    record(
        facts.EVENT_DELETED,
        user=actor,
        origin=origin,
        target=event,
        data={"event": event.pk, "title": event.title, "slug": event.slug},
    )
    event.delete()


@transaction.atomic
def save_category(
    *, category: Category, actor=None, origin: Origin | None = None, **fields
) -> Category:
    """Create or change a category (events show its slug)."""
    for field, value in fields.items():
        setattr(category, field, value)
    category.save()
    record(facts.CATEGORY_SAVED, user=actor, origin=origin, target=category)
    return category


@transaction.atomic
def delete_category(*, category: Category, actor=None, origin: Origin | None = None) -> None:
    """A category that still holds events stays: move or delete those events first."""
    if category.events.exists():
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "This category still has events; move them to another category first.",
        )
    record(
        facts.CATEGORY_DELETED,
        user=actor,
        origin=origin,
        target=category,
        data={"slug": category.slug},
    )
    category.delete()


@transaction.atomic
def save_tag(*, tag: Tag, name: str, actor=None, origin: Origin | None = None) -> Tag:
    """Create or rename a tag; names are stored lower-case, so `Django` and `django` are one."""
    tag.name = name.strip().lower()
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "That tag exists already.", code="validation_error", details={"name": ["Taken."]}
        ) from exc
    record(facts.TAG_SAVED, user=actor, origin=origin, target=tag, data={"name": tag.name})
    return tag


@transaction.atomic
def delete_tag(*, tag: Tag, actor=None, origin: Origin | None = None) -> None:
    record(facts.TAG_DELETED, user=actor, origin=origin, target=tag, data={"name": tag.name})
    tag.delete()


def _check_inside_event(event: Event, starts_at, ends_at) -> None:
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise ApplicationError(
            "A session must lie inside its event's time window.",
            code="validation_error",
            details={
                "starts_at": [
                    f"Between {event.starts_at:%Y-%m-%dT%H:%M:%SZ} and "
                    f"{event.ends_at:%Y-%m-%dT%H:%M:%SZ}."
                ]
            },
        )


@transaction.atomic
def save_session(
    *, session: Session, actor=None, origin: Origin | None = None, **fields
) -> Session:
    """Create or change a session; it must lie inside its event's time window."""
    for field, value in fields.items():
        setattr(session, field, value)
    _check_inside_event(session.event, session.starts_at, session.ends_at)
    if session.speaker and not session.speaker_name:
        session.speaker_name = session.speaker.full_name
    session.save()
    record(
        facts.SESSION_SAVED,
        user=actor,
        origin=origin,
        target=session,
        data={"event": session.event_id},
    )
    return session


@transaction.atomic
def delete_session(*, session: Session, actor=None, origin: Origin | None = None) -> None:
    """A session anyone was admitted to stays, as the record of who attended; otherwise it goes
    with the progress people tracked of it (counted in the log)."""
    lock_event(session.event_id)
    if seating().session_attended(session):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "People were checked in to this session: it stays as the record of attendance.",
        )
    progress_removed = seating().session_deleted(session)
    record(
        facts.SESSION_DELETED,
        user=actor,
        origin=origin,
        target=session,
        data={"event": session.event_id, "progress_removed": progress_removed},
    )
    session.delete()


@transaction.atomic
def save_ticket_type(
    *, ticket_type: TicketType, actor=None, origin: Origin | None = None, **fields
) -> TicketType:
    """Create or change a ticket type. Its quantity never drops below the seats taken; more
    seats, or a type put back on sale, are given out (to the waitlist)."""
    event = lock_event(ticket_type.event_id)
    if ticket_type.pk is not None and "quantity" in fields:
        _check_sold_floor(ticket_type, fields["quantity"])
    for field, value in fields.items():
        setattr(ticket_type, field, value)
    try:
        with transaction.atomic():
            ticket_type.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "This event already has a ticket type with that name.",
            code="validation_error",
            details={"name": ["Already used for this event."]},
        ) from exc
    seating().seats_added(event=event, now=timezone.now())
    record(
        facts.TICKET_TYPE_SAVED,
        user=actor,
        origin=origin,
        target=ticket_type,
        data={"event": event.pk},
    )
    return ticket_type


@transaction.atomic
def delete_ticket_type(
    *, ticket_type: TicketType, actor=None, origin: Origin | None = None
) -> None:
    """A ticket type that was ever sold stays, as the record of what was sold: deactivate it."""
    lock_event(ticket_type.event_id)
    if seating().ever_sold(ticket_type):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "Tickets of this type were sold: deactivate it instead (is_active false).",
        )
    waitlist_moved = seating().ticket_type_deleted(ticket_type)
    record(
        facts.TICKET_TYPE_DELETED,
        user=actor,
        origin=origin,
        target=ticket_type,
        data={"event": ticket_type.event_id, "waitlist_moved_to_any_type": waitlist_moved},
    )
    ticket_type.delete()
