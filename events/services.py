"""Every change to the catalogue: events through their lifecycle, sessions and ticket types."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from config.catalogue import changes_catalogue
from config.exceptions import ApplicationError, Conflict, ConflictCode
from events.models import Category, Event, EventStatus, Session, Tag, TicketType
from registrations import services as registrations
from users.models import Action
from users.services import log_activity

GENERAL_ADMISSION = "General admission"


def _unique_slug(title: str, *, wanted: str | None = None) -> str:
    base = (wanted or slugify(title) or "event")[:70]
    slug, n = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
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


@transaction.atomic
@changes_catalogue
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
    request=None,
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
    log_activity(action=Action.EVENT_CREATED, user=organizer, request=request, target=event)
    if status == EventStatus.PUBLISHED:
        publish_event(event=event, actor=organizer, request=request)
    return event


@transaction.atomic
@changes_catalogue
def update_event(
    *, event: Event, actor, tags: list[str] | None = None, request=None, **changes
) -> Event:
    """Change an event's details. Sessions must still fit its time window; the capacity never
    drops below the seats taken, and a larger one gives the new seats to the waitlist. The log
    entry's `changed` names the fields that moved."""
    event = registrations.lock_event(event.pk)
    if event.status == EventStatus.CANCELLED:
        raise Conflict(ConflictCode.INVALID_STATE, "A cancelled event cannot be changed.")
    if "capacity" in changes:
        registrations.check_capacity_change(event=event, capacity=changes["capacity"])
    capacity_before = event.capacity
    changed = [field for field, value in changes.items() if getattr(event, field) != value]
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
    if event.capacity > capacity_before:
        registrations.promote_waitlist(event=event, now=timezone.now())
    log_activity(
        action=Action.EVENT_UPDATED,
        user=actor,
        request=request,
        target=event,
        metadata={"changed": sorted(changed)},
    )
    return event


@transaction.atomic
@changes_catalogue
def publish_event(*, event: Event, actor, request=None) -> Event:
    """Draft → published. Needs a start in the future and at least one active ticket type."""
    event = registrations.lock_event(event.pk)
    if event.status != EventStatus.DRAFT:
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"Only a draft can be published; this event is {event.display_status}.",
        )
    _check_publishable(event)
    event.status = EventStatus.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    log_activity(action=Action.EVENT_PUBLISHED, user=actor, request=request, target=event)
    return event


@transaction.atomic
@changes_catalogue
def cancel_event(*, event: Event, actor, request=None) -> Event:
    """Draft or published (not yet ended) → cancelled. Every active registration is cancelled
    and the waitlist closed."""
    event = registrations.lock_event(event.pk)
    if event.display_status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"This event is {event.display_status} and cannot be cancelled.",
        )
    event.status = EventStatus.CANCELLED
    event.cancelled_at = timezone.now()
    event.save(update_fields=["status", "cancelled_at", "updated_at"])
    cancelled = registrations.cancel_all_for_event(event=event, actor=actor, request=request)
    log_activity(
        action=Action.EVENT_CANCELLED,
        user=actor,
        request=request,
        target=event,
        metadata={"registrations_cancelled": cancelled},
    )
    return event


@transaction.atomic
@changes_catalogue
def delete_event(*, event: Event, actor, request=None) -> None:
    """Delete an event nobody holds a place at; one with active registrations is cancelled
    instead, so its attendees are told and refunded."""
    event = registrations.lock_event(event.pk)
    if registrations.has_active_registrations(event):
        raise Conflict(
            ConflictCode.EVENT_HAS_REGISTRATIONS,
            "People are registered for this event: cancel it instead.",
        )
    log_activity(
        action=Action.EVENT_DELETED,
        user=actor,
        request=request,
        target=event,
        metadata={"title": event.title, "slug": event.slug},
    )
    event.delete()


@transaction.atomic
@changes_catalogue
def save_category(*, category: Category, **fields) -> Category:
    """Create or change a category (events show its slug)."""
    for field, value in fields.items():
        setattr(category, field, value)
    category.save()
    return category


@transaction.atomic
@changes_catalogue
def delete_session(*, session: Session) -> None:
    session.delete()


@transaction.atomic
@changes_catalogue
def delete_category(*, category: Category) -> None:
    """A category that still holds events stays: move or delete those events first."""
    if category.events.exists():
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "This category still has events; move them to another category first.",
        )
    category.delete()


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
@changes_catalogue
def save_session(*, session: Session, **fields) -> Session:
    """Create or change a session; it must lie inside its event's time window."""
    for field, value in fields.items():
        setattr(session, field, value)
    _check_inside_event(session.event, session.starts_at, session.ends_at)
    if session.speaker and not session.speaker_name:
        session.speaker_name = session.speaker.full_name
    session.save()
    return session


@transaction.atomic
@changes_catalogue
def save_ticket_type(*, ticket_type: TicketType, **fields) -> TicketType:
    """Create or change a ticket type. Its quantity never drops below the seats taken; more
    seats, or a type put back on sale, go to the waitlist."""
    event = registrations.lock_event(ticket_type.event_id)
    if ticket_type.pk is not None and "quantity" in fields:
        registrations.check_quantity_change(ticket_type=ticket_type, quantity=fields["quantity"])
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
    registrations.promote_waitlist(event=event, now=timezone.now())
    return ticket_type


@transaction.atomic
@changes_catalogue
def delete_ticket_type(*, ticket_type: TicketType) -> None:
    """A ticket type that was ever sold stays, as the record of what was sold: deactivate it."""
    registrations.lock_event(ticket_type.event_id)
    if ticket_type.registrations.exists():
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "Tickets of this type were sold: deactivate it instead (is_active false).",
        )
    ticket_type.delete()
