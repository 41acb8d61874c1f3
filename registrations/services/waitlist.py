"""Joining and leaving an event's waitlist. Freed seats reach it through
`seats.promote_waitlist`, under the event's lock, wherever they are freed."""

from django.db import transaction
from django.utils import timezone

from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events.models import Event, TicketType
from events.services import lock_event
from registrations import facts
from registrations.models import WaitlistEntry, WaitlistStatus
from registrations.services import booking, promo, seats


def join_waitlist(
    *,
    user,
    event: Event,
    ticket_type: TicketType | None = None,
    quantity: int = 1,
    promo_code: str = "",
    origin: Origin | None = None,
) -> WaitlistEntry:
    """Queue for seats of a sold-out event. Refused while seats are free (register instead),
    and for more seats than one order of the ticket type (or of any type on sale) may hold.
    A `promo_code` must be usable now, as at booking; the offer is priced with it if it still
    is then (see `seats.promote_waitlist`)."""
    seats.settle_expired_holds(event_id=event.pk)
    return _join_waitlist(
        user=user,
        event_id=event.pk,
        ticket_type=ticket_type,
        quantity=quantity,
        promo_code=promo_code,
        origin=origin,
    )


@transaction.atomic
def _join_waitlist(*, user, event_id, ticket_type, quantity, promo_code, origin) -> WaitlistEntry:
    event = lock_event(event_id)
    now = timezone.now()
    seats.release_expired_holds(event, now)
    seats.check_registration_open(event)
    seats.check_not_registered(event, user)
    reveal = event.is_managed_by(user)
    code = promo.find_code(event, promo_code, reveal=reveal) if promo_code else None
    if WaitlistEntry.objects.filter(
        event=event, user=user, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).exists():
        raise Conflict(ConflictCode.ALREADY_ON_WAITLIST, "You are already on the waitlist.")
    if ticket_type is not None:
        ticket_type = seats.choose_ticket_type(event, ticket_type, code)
        seats.check_quantity(ticket_type, quantity)
        candidates = [ticket_type]
    else:
        candidates = [
            candidate
            for candidate in seats.ticket_types_on_sale(event, code)
            if quantity <= candidate.max_per_order
        ]
        if not candidates:
            raise ApplicationError(
                f"No ticket type on sale allows {quantity} tickets in one order.",
                code="validation_error",
                details={"quantity": ["More than one order may hold."]},
            )
    if code is not None:
        priced = [candidate for candidate in candidates if promo.covers(code, candidate)]
        promo.check_usable(code, (priced or candidates)[0], quantity, reveal=reveal)
    if any(quantity <= seats.free_seats(event, candidate) for candidate in candidates):
        raise Conflict(
            ConflictCode.SEATS_AVAILABLE,
            "Seats are available: register instead of joining the waitlist.",
        )
    entry = WaitlistEntry.objects.create(
        event=event, user=user, ticket_type=ticket_type, quantity=quantity, promo_code=code
    )
    record(
        facts.WAITLIST_JOINED,
        user=user,
        origin=origin,
        target=entry,
        data={"event": event.pk, "quantity": quantity},
    )
    return entry


@transaction.atomic
def leave_waitlist(*, entry: WaitlistEntry, origin: Origin | None = None) -> WaitlistEntry:
    """Leave the queue. Leaving with an open offer gives its held seats to the next in line."""
    event = lock_event(entry.event_id)
    entry = WaitlistEntry.objects.select_related("registration", "user").get(pk=entry.pk)
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise Conflict(ConflictCode.INVALID_STATE, f"This waitlist entry is {entry.status}.")
    now = timezone.now()
    if entry.registration is not None and entry.registration.is_active:
        # Declining the offer cancels its held registration the way every cancellation goes.
        booking.release(
            [entry.registration], by_manager=False, actor=entry.user, now=now, origin=origin
        )
    entry.status = WaitlistStatus.LEFT
    entry.save(update_fields=["status"])
    record(
        facts.WAITLIST_LEFT,
        user=entry.user,
        origin=origin,
        target=entry,
        data={"event": event.pk, "offer_declined": entry.registration_id is not None},
    )
    seats.promote_waitlist(event=event, now=now)
    return entry
