"""How seats move between people: free seats counted, places created and confirmed, expired
holds released and freed seats given to the waitlist. Booking, the waitlist and the event's
own changes share these steps; every one of them runs inside a transaction that holds the
event's row lock (`events.services.lock_event`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Entry, Origin, record, record_many
from config.formats import api_datetime
from events.models import Event, EventStatus, TicketType
from events.services import lock_event
from registrations import facts
from registrations.models import (
    ACTIVE_STATUSES,
    PromoCode,
    Registration,
    RegistrationStatus,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
)
from registrations.selectors import seats_taken
from registrations.services import promo


def free_seats(event: Event, ticket_type: TicketType) -> int:
    """Seats still free for `ticket_type`: the smaller of what the event and the type have left.
    Only meaningful while the event is locked."""
    event_free = event.capacity - seats_taken(event)
    type_free = ticket_type.quantity - seats_taken(event, ticket_type=ticket_type)
    return max(min(event_free, type_free), 0)


def ticket_types_on_sale(event: Event, code: PromoCode | None = None) -> list[TicketType]:
    """The event's types on sale to a buyer with `code` (or none), cheapest first: the visible
    ones, and the hidden ones the code unlocks."""
    return [
        ticket_type
        for ticket_type in event.ticket_types.filter(is_active=True).order_by("price", "id")
        if ticket_type.is_on_sale and promo.unlocks(code, ticket_type)
    ]


def choose_ticket_type(
    event: Event, ticket_type: TicketType | None, code: PromoCode | None = None
) -> TicketType:
    """The ticket type to sell, read from the database while the event is locked: its price
    and quantity are the server's, whatever object the caller holds. None chosen: the cheapest
    on sale that the code prices, else the cheapest on sale. A hidden type the code does not
    unlock reads as one of another event."""
    if ticket_type is None:
        on_sale = ticket_types_on_sale(event, code)
        if not on_sale:
            raise Conflict(
                ConflictCode.REGISTRATION_CLOSED, "No tickets are on sale for this event."
            )
        priced = [each for each in on_sale if code is not None and promo.covers(code, each)]
        return (priced or on_sale)[0]
    ticket_type = event.ticket_types.filter(pk=ticket_type.pk).first()
    if ticket_type is None or not promo.unlocks(code, ticket_type):
        raise ApplicationError(
            "That ticket type belongs to another event.",
            code="validation_error",
            details={"ticket_type": ["Choose a ticket type of this event."]},
        )
    if not ticket_type.is_on_sale:
        raise Conflict(
            ConflictCode.REGISTRATION_CLOSED, f"{ticket_type.name} tickets are not on sale."
        )
    return ticket_type


def check_registration_open(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(ConflictCode.REGISTRATION_CLOSED, "This event has been cancelled.")
    if not event.is_registration_open:
        raise Conflict(ConflictCode.REGISTRATION_CLOSED, "Registration for this event is closed.")


def check_not_registered(event: Event, user) -> None:
    if Registration.objects.filter(event=event, user=user, status__in=ACTIVE_STATUSES).exists():
        raise Conflict(
            ConflictCode.ALREADY_REGISTERED, "You already have a registration for this event."
        )


def check_quantity(ticket_type: TicketType, quantity: int) -> None:
    if quantity > ticket_type.max_per_order:
        raise ApplicationError(
            f"At most {ticket_type.max_per_order} {ticket_type.name} tickets per order.",
            code="validation_error",
            details={"quantity": [f"Ensure this value is at most {ticket_type.max_per_order}."]},
        )


def _issue_tickets(registration: Registration) -> None:
    name = registration.user.full_name
    Ticket.objects.bulk_create(
        Ticket(
            registration=registration,
            event_id=registration.event_id,
            ticket_type_id=registration.ticket_type_id,
            attendee_name=name,
        )
        for _ in range(registration.quantity)
    )


def _record_confirmed(
    registration: Registration, *, actor, origin: Origin | None, extra: dict | None = None
) -> None:
    record(
        facts.REGISTRATION_CONFIRMED,
        user=actor,
        origin=origin,
        target=registration,
        data={"event": registration.event_id, "user": registration.user_id, **(extra or {})},
    )


def confirm(registration: Registration, *, now, actor, origin: Origin | None = None) -> None:
    """A pending registration becomes confirmed: one ticket per seat, its waitlist entry (if
    it came from one) converted. The caller holds the event's lock. Only a pending registration
    whose hold still counts can be confirmed: one that expired, was cancelled or is already
    confirmed has no seat to confirm (its seat may be someone else's by now)."""
    if registration.status != RegistrationStatus.PENDING or (
        registration.expires_at is not None and registration.expires_at <= now
    ):
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"Only a pending registration still holding its seats can be confirmed; this one "
            f"is {registration.display_status}.",
        )
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "expires_at"])
    _issue_tickets(registration)
    WaitlistEntry.objects.filter(registration=registration).update(status=WaitlistStatus.CONVERTED)
    _record_confirmed(registration, actor=actor, origin=origin)


def new_registration(
    *,
    event: Event,
    user,
    ticket_type: TicketType,
    quantity: int,
    special_requirements: str,
    hold: timedelta,
    now,
    origin: Origin | None = None,
    waitlist_entry: WaitlistEntry | None = None,
    promo_code: PromoCode | None = None,
) -> Registration:
    """A registration at the server's price, after `promo_code`'s discount (checked by the
    caller): confirmed at once when that comes to nothing and no approval is awaited,
    otherwise pending (paid: held for `hold`; awaiting approval: until decided). Its facts name
    the `waitlist_entry` it was promoted from, if any, and the code."""
    unit = promo.unit_price(promo_code, ticket_type.price, event.currency)
    total = unit * quantity
    confirm_now = total == 0 and not event.requires_approval
    registration = Registration.objects.create(
        event=event,
        user=user,
        ticket_type=ticket_type,
        quantity=quantity,
        status=RegistrationStatus.CONFIRMED if confirm_now else RegistrationStatus.PENDING,
        unit_price=unit,
        total_price=total,
        currency=event.currency,
        promo_code=promo_code,
        discount_amount=(ticket_type.price - unit) * quantity,
        special_requirements=special_requirements,
        expires_at=None if event.requires_approval or confirm_now else now + hold,
        created_at=now,
        confirmed_at=now if confirm_now else None,
    )
    promoted = {"waitlist_entry": waitlist_entry.pk} if waitlist_entry is not None else {}
    priced = {"promo_code": promo_code.code} if promo_code is not None else {}
    record(
        facts.REGISTRATION_CREATED,
        user=user,
        origin=origin,
        target=registration,
        data={
            "event": event.pk,
            "user": user.pk,
            "quantity": quantity,
            "status": registration.status,
            "expires_at": api_datetime(registration.expires_at),
            **promoted,
            **priced,
        },
    )
    if confirm_now:
        _issue_tickets(registration)
        _record_confirmed(registration, actor=user, origin=origin, extra=promoted)
    return registration


def release_expired_holds(event: Event, now) -> None:
    """Mark this event's holds that ran out as expired (they already stopped counting), with
    their waitlist offers, and give the seats to the waitlist."""
    stale = list(
        Registration.objects.filter(
            event=event, status=RegistrationStatus.PENDING, expires_at__lte=now
        ).select_related("user")
    )
    if stale:
        expired_ids = [registration.pk for registration in stale]
        Registration.objects.filter(id__in=expired_ids).update(status=RegistrationStatus.EXPIRED)
        WaitlistEntry.objects.filter(
            registration_id__in=expired_ids, status=WaitlistStatus.OFFERED
        ).update(status=WaitlistStatus.EXPIRED)
        record_many(
            Entry(
                facts.REGISTRATION_EXPIRED,
                user=registration.user,
                target=registration,
                data={"event": event.pk, "expires_at": registration.expires_at.isoformat()},
            )
            for registration in stale
        )
    promote_waitlist(event=event, now=now)


@transaction.atomic
def settle_expired_holds(*, event_id: int) -> None:
    """Expire the event's holds that ran out and move its waitlist, in a transaction of its
    own: the queue moves even when the request that noticed the expired holds is then refused
    (and rolled back)."""
    now = timezone.now()
    stale = Registration.objects.filter(
        event_id=event_id, status=RegistrationStatus.PENDING, expires_at__lte=now
    )
    if stale.exists():
        release_expired_holds(lock_event(event_id), now)


def _ticket_type_for(entry: WaitlistEntry, event: Event, type_free: dict[int, int]):
    """The ticket type a waiting entry would get now: its own, or the cheapest on sale to it
    (its code may unlock hidden ones) that fits; None when none fits."""
    candidates = (
        [entry.ticket_type] if entry.ticket_type else ticket_types_on_sale(event, entry.promo_code)
    )
    for candidate in candidates:
        if candidate.id not in type_free:
            type_free[candidate.id] = candidate.quantity - seats_taken(event, ticket_type=candidate)
        fits = entry.quantity <= min(type_free[candidate.id], candidate.max_per_order)
        if candidate.is_on_sale and fits:
            return candidate
    return None


def promote_waitlist(*, event: Event, now) -> list[WaitlistEntry]:
    """Give free seats to the waitlist, first come first served: each waiting entry in order
    that fits in what is left is promoted (a larger request further up does not block a
    smaller one behind it). A free event confirms the promoted registration at once; a paid one
    holds it for WAITLIST_OFFER_HOURS awaiting payment. The caller holds the event's lock."""
    if not event.is_registration_open:
        return []
    event_free = event.capacity - seats_taken(event)
    if event_free <= 0:
        return []
    waiting = (
        WaitlistEntry.objects.filter(event=event, status=WaitlistStatus.WAITING)
        .select_related("user", "ticket_type", "promo_code")
        .prefetch_related("promo_code__ticket_types")
        .order_by("created_at", "id")
    )
    type_free: dict[int, int] = {}
    promoted = []
    for entry in waiting:
        if entry.quantity > event_free:
            continue
        ticket_type = _ticket_type_for(entry, event, type_free)
        if ticket_type is None:
            continue
        code = entry.promo_code
        if code is not None and promo.why_unusable(code, ticket_type, entry.quantity, now):
            code = None  # lapsed (expired, used up, switched off): the offer is at full price
            if ticket_type.is_hidden:
                continue  # only the code opened that type
        registration = new_registration(
            event=event,
            user=entry.user,
            ticket_type=ticket_type,
            quantity=entry.quantity,
            special_requirements="",
            hold=timedelta(hours=settings.WAITLIST_OFFER_HOURS),
            now=now,
            waitlist_entry=entry,
            promo_code=code,
        )
        entry.registration = registration
        entry.status = (
            WaitlistStatus.CONVERTED
            if registration.status == RegistrationStatus.CONFIRMED
            else WaitlistStatus.OFFERED
        )
        entry.offer_expires_at = registration.expires_at
        entry.save(update_fields=["registration", "status", "offer_expires_at"])
        record(
            facts.WAITLIST_PROMOTED,
            user=entry.user,
            target=registration,
            data={
                "event": event.pk,
                "waitlist_entry": entry.pk,
                "status": entry.status,
                "expires_at": api_datetime(entry.offer_expires_at),
            },
        )
        event_free -= entry.quantity
        type_free[ticket_type.id] -= entry.quantity
        promoted.append(entry)
        if event_free == 0:
            break
    return promoted
