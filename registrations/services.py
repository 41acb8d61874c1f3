"""Booking, holds, approval, cancellation, the waitlist, check-in and progress.

Every change that takes or frees seats runs in one transaction holding the event's row lock
(`lock_event`), so the checks "are there seats left?" and the writes that take them cannot
interleave between requests or server processes. The lock is always taken on the event first,
before any registration or ticket of it, so two operations never wait on each other in a cycle.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from config.catalogue import catalogue_changed, changes_catalogue
from config.db import lock_one
from config.exceptions import ApplicationError, Conflict, ConflictCode
from events.models import Event, EventStatus, Session, TicketType
from registrations.models import (
    ACTIVE_STATUSES,
    ProgressStatus,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionProgress,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
)
from registrations.selectors import seats_taken
from users.models import Action
from users.services import log_activity


def lock_event(event_id: int) -> Event:
    return lock_one(Event.objects.filter(pk=event_id))


# --- Seats ------------------------------------------------------------------------------------


def _free_seats(event: Event, ticket_type: TicketType) -> int:
    """Seats still free for `ticket_type`: the smaller of what the event and the type have left.
    Only meaningful while the event is locked."""
    event_free = event.capacity - seats_taken(event)
    type_free = ticket_type.quantity - seats_taken(event, ticket_type=ticket_type)
    return max(min(event_free, type_free), 0)


def _ticket_types_on_sale(event: Event):
    return [
        ticket_type
        for ticket_type in event.ticket_types.filter(is_active=True).order_by("price", "id")
        if ticket_type.is_on_sale
    ]


def _choose_ticket_type(event: Event, ticket_type: TicketType | None) -> TicketType:
    """The ticket type to sell, read from the database while the event is locked: its price
    and quantity are the server's, whatever object the caller holds."""
    if ticket_type is None:
        on_sale = _ticket_types_on_sale(event)
        if not on_sale:
            raise Conflict(
                ConflictCode.REGISTRATION_CLOSED, "No tickets are on sale for this event."
            )
        return on_sale[0]
    ticket_type = event.ticket_types.filter(pk=ticket_type.pk).first()
    if ticket_type is None:
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


def _check_registration_open(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise Conflict(ConflictCode.REGISTRATION_CLOSED, "This event has been cancelled.")
    if not event.is_registration_open:
        raise Conflict(ConflictCode.REGISTRATION_CLOSED, "Registration for this event is closed.")


def _check_not_registered(event: Event, user) -> None:
    if Registration.objects.filter(event=event, user=user, status__in=ACTIVE_STATUSES).exists():
        raise Conflict(
            ConflictCode.ALREADY_REGISTERED, "You already have a registration for this event."
        )


def _check_quantity(ticket_type: TicketType, quantity: int) -> None:
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


def _confirm(registration: Registration, now) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "expires_at"])
    _issue_tickets(registration)
    WaitlistEntry.objects.filter(registration=registration).update(status=WaitlistStatus.CONVERTED)


def _new_registration(
    *, event, user, ticket_type, quantity, special_requirements, hold, now
) -> Registration:
    """A registration at the server's price: confirmed at once when free and not awaiting
    approval, otherwise pending (paid: held for `hold`; awaiting approval: until decided)."""
    total = ticket_type.price * quantity
    confirm_now = total == 0 and not event.requires_approval
    registration = Registration.objects.create(
        event=event,
        user=user,
        ticket_type=ticket_type,
        quantity=quantity,
        status=RegistrationStatus.CONFIRMED if confirm_now else RegistrationStatus.PENDING,
        unit_price=ticket_type.price,
        total_price=total,
        currency=event.currency,
        special_requirements=special_requirements,
        expires_at=None if event.requires_approval or confirm_now else now + hold,
        confirmed_at=now if confirm_now else None,
    )
    if confirm_now:
        _issue_tickets(registration)
    return registration


def _release_expired_holds(event: Event, now) -> None:
    """Mark this event's holds that ran out as expired (they already stopped counting), with
    their waitlist offers, and give the seats to the waitlist."""
    stale = Registration.objects.filter(
        event=event, status=RegistrationStatus.PENDING, expires_at__lte=now
    )
    expired_ids = list(stale.values_list("id", flat=True))
    if expired_ids:
        Registration.objects.filter(id__in=expired_ids).update(status=RegistrationStatus.EXPIRED)
        WaitlistEntry.objects.filter(
            registration_id__in=expired_ids, status=WaitlistStatus.OFFERED
        ).update(status=WaitlistStatus.EXPIRED)
    promote_waitlist(event=event, now=now)


# --- Booking ----------------------------------------------------------------------------------


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
        catalogue_changed()  # the waitlist may move into the freed seats
        _release_expired_holds(lock_event(event_id), now)


def register_for_event(
    *,
    user,
    event: Event,
    ticket_type: TicketType | None = None,
    quantity: int = 1,
    special_requirements: str = "",
    request=None,
) -> Registration:
    """Book `quantity` seats of `ticket_type` (default: the cheapest on sale).

    Rules: registration must be open; one active registration per user and event; the event's
    capacity and the ticket type's quantity are never exceeded, however many requests arrive at
    once (checked and taken under the event's lock); people already on the waitlist are served
    before a newcomer. Free events without approval confirm at once with one ticket per seat;
    paid ones hold the seats for REGISTRATION_HOLD_MINUTES awaiting payment; events requiring
    approval hold them until the organizer decides.
    """
    settle_expired_holds(event_id=event.pk)
    return _book(
        user=user,
        event_id=event.pk,
        ticket_type=ticket_type,
        quantity=quantity,
        special_requirements=special_requirements,
        request=request,
    )


@transaction.atomic
@changes_catalogue
def _book(*, user, event_id, ticket_type, quantity, special_requirements, request):
    event = lock_event(event_id)
    now = timezone.now()
    _release_expired_holds(event, now)
    _check_registration_open(event)
    _check_not_registered(event, user)
    ticket_type = _choose_ticket_type(event, ticket_type)
    _check_quantity(ticket_type, quantity)
    free = _free_seats(event, ticket_type)
    if quantity > free:
        raise Conflict(
            ConflictCode.SOLD_OUT,
            "Sold out." if free == 0 else f"Only {free} seat(s) left for {ticket_type.name}.",
            details={"available": free},
        )
    try:
        with transaction.atomic():
            registration = _new_registration(
                event=event,
                user=user,
                ticket_type=ticket_type,
                quantity=quantity,
                special_requirements=special_requirements,
                hold=timedelta(minutes=settings.REGISTRATION_HOLD_MINUTES),
                now=now,
            )
    except IntegrityError as exc:  # the database's own guard of one active registration
        raise Conflict(
            ConflictCode.ALREADY_REGISTERED, "You already have a registration for this event."
        ) from exc
    WaitlistEntry.objects.filter(event=event, user=user, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.CONVERTED, registration=registration
    )
    log_activity(
        action=Action.REGISTRATION_CREATED,
        user=user,
        request=request,
        target=registration,
        metadata={"event": event.pk, "quantity": quantity, "status": registration.status},
    )
    return registration


def refund_due_on_cancellation(registration: Registration, *, by_manager: bool, now) -> Decimal:
    """What a cancellation gives back: everything when the organizer or an admin cancels, or
    when the attendee cancels at least `refund_deadline_hours` before the start; nothing after
    that. Only a confirmed paid registration has anything to give back. (The payments
    capability moves the money; this is the rule it applies.)"""
    if registration.status != RegistrationStatus.CONFIRMED or registration.is_free:
        return Decimal("0.00")
    deadline = registration.event.starts_at - timedelta(
        hours=registration.event.refund_deadline_hours
    )
    return registration.total_price if by_manager or now <= deadline else Decimal("0.00")


@transaction.atomic
@changes_catalogue
def cancel_registration(*, registration: Registration, actor, request=None) -> Registration:
    """Cancel an active registration: by its owner before the event starts, by the event's
    organizer or an admin at any time. The seats go to the waitlist at once."""
    event = lock_event(registration.event_id)
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    now = timezone.now()
    if not registration.is_active:
        raise Conflict(
            ConflictCode.NOT_CANCELLABLE, f"This registration is {registration.display_status}."
        )
    by_manager = event.is_managed_by(actor)
    if not by_manager and event.starts_at <= now:
        raise Conflict(
            ConflictCode.NOT_CANCELLABLE,
            "The event has started: only its organizer can cancel now.",
        )
    refund_due = refund_due_on_cancellation(registration, by_manager=by_manager, now=now)
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    WaitlistEntry.objects.filter(registration=registration, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.LEFT
    )
    log_activity(
        action=Action.REGISTRATION_CANCELLED,
        user=actor,
        request=request,
        target=registration,
        metadata={"event": event.pk, "by_manager": by_manager, "refund_due": str(refund_due)},
    )
    promote_waitlist(event=event, now=now)
    return registration


def _decide(registration: Registration):
    event = lock_event(registration.event_id)
    registration = Registration.objects.select_related("user").get(pk=registration.pk)
    if not event.requires_approval or registration.display_status != RegistrationStatus.PENDING:
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"Only a pending registration awaiting approval can be decided; this one "
            f"is {registration.display_status}.",
        )
    if registration.approved_at is not None:
        raise Conflict(
            ConflictCode.INVALID_STATE, "This registration is already approved and awaits payment."
        )
    return event, registration


@transaction.atomic
@changes_catalogue
def approve_registration(*, registration: Registration, actor, request=None) -> Registration:
    """The organizer accepts a registration for an event that requires approval: a free one is
    confirmed with its tickets; a paid one is held for REGISTRATION_HOLD_MINUTES for payment."""
    event, registration = _decide(registration)
    now = timezone.now()
    registration.approved_at = now
    if registration.is_free:
        registration.save(update_fields=["approved_at"])
        _confirm(registration, now)
    else:
        registration.expires_at = now + timedelta(minutes=settings.REGISTRATION_HOLD_MINUTES)
        registration.save(update_fields=["approved_at", "expires_at"])
    log_activity(
        action=Action.REGISTRATION_APPROVED,
        user=actor,
        request=request,
        target=registration,
        metadata={"event": event.pk},
    )
    return registration


@transaction.atomic
@changes_catalogue
def reject_registration(*, registration: Registration, actor, request=None) -> Registration:
    """The organizer turns a registration down; its seats go to the waitlist."""
    event, registration = _decide(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    log_activity(
        action=Action.REGISTRATION_REJECTED,
        user=actor,
        request=request,
        target=registration,
        metadata={"event": event.pk},
    )
    promote_waitlist(event=event, now=timezone.now())
    return registration


def cancel_all_for_event(*, event: Event, actor, request=None) -> int:
    """When an event is cancelled (the caller holds its lock): every active registration is
    cancelled and the waitlist is closed. Everything paid is due back in full
    (`refund_due_on_cancellation` with `by_manager`), which the payments capability applies.
    Returns how many registrations were cancelled."""
    now = timezone.now()
    active = Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)
    cancelled = active.update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
    WaitlistEntry.objects.filter(
        event=event, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).update(status=WaitlistStatus.LEFT)
    return cancelled


def has_active_registrations(event: Event) -> bool:
    return Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES).exists()


def check_capacity_change(*, event: Event, capacity: int) -> None:
    """Capacity may never drop below the seats already taken (the caller holds the lock)."""
    taken = seats_taken(event)
    if capacity < taken:
        raise ApplicationError(
            f"{taken} seats are already taken; the capacity cannot be lower.",
            code="validation_error",
            details={"capacity": [f"Must be at least {taken}."]},
        )


def check_quantity_change(*, ticket_type: TicketType, quantity: int) -> None:
    sold = seats_taken(ticket_type.event, ticket_type=ticket_type)
    if quantity < sold:
        raise ApplicationError(
            f"{sold} {ticket_type.name} tickets are already taken; the quantity cannot be lower.",
            code="validation_error",
            details={"quantity": [f"Must be at least {sold}."]},
        )


def expire_holds() -> int:
    """Mark every hold that ran out as expired and promote each event's waitlist, one event per
    transaction. The seats stopped counting when the hold ran out; this makes the records say
    so and moves the queue. Returns how many events were visited."""
    now = timezone.now()
    event_ids = (
        Registration.objects.filter(status=RegistrationStatus.PENDING, expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
        .order_by("event_id")
    )
    event_ids = list(event_ids)
    for event_id in event_ids:
        settle_expired_holds(event_id=event_id)
    return len(event_ids)


# --- Waitlist ---------------------------------------------------------------------------------


def join_waitlist(
    *, user, event: Event, ticket_type: TicketType | None = None, quantity: int = 1, request=None
) -> WaitlistEntry:
    """Queue for seats of a sold-out event. Refused while seats are free (register instead),
    and for more seats than one order of the ticket type (or of any type on sale) may hold."""
    settle_expired_holds(event_id=event.pk)
    return _join_waitlist(user=user, event_id=event.pk, ticket_type=ticket_type, quantity=quantity)


@transaction.atomic
@changes_catalogue
def _join_waitlist(*, user, event_id, ticket_type, quantity) -> WaitlistEntry:
    event = lock_event(event_id)
    now = timezone.now()
    _release_expired_holds(event, now)
    _check_registration_open(event)
    _check_not_registered(event, user)
    if WaitlistEntry.objects.filter(
        event=event, user=user, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).exists():
        raise Conflict(ConflictCode.ALREADY_ON_WAITLIST, "You are already on the waitlist.")
    if ticket_type is not None:
        ticket_type = _choose_ticket_type(event, ticket_type)
        _check_quantity(ticket_type, quantity)
        candidates = [ticket_type]
    else:
        candidates = [
            candidate
            for candidate in _ticket_types_on_sale(event)
            if quantity <= candidate.max_per_order
        ]
        if not candidates:
            raise ApplicationError(
                f"No ticket type on sale allows {quantity} tickets in one order.",
                code="validation_error",
                details={"quantity": ["More than one order may hold."]},
            )
    if any(quantity <= _free_seats(event, candidate) for candidate in candidates):
        raise Conflict(
            ConflictCode.SEATS_AVAILABLE,
            "Seats are available: register instead of joining the waitlist.",
        )
    return WaitlistEntry.objects.create(
        event=event, user=user, ticket_type=ticket_type, quantity=quantity
    )


@transaction.atomic
@changes_catalogue
def leave_waitlist(*, entry: WaitlistEntry, request=None) -> WaitlistEntry:
    """Leave the queue. Leaving with an open offer gives its held seats to the next in line."""
    event = lock_event(entry.event_id)
    entry = WaitlistEntry.objects.select_related("registration").get(pk=entry.pk)
    if entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise Conflict(ConflictCode.INVALID_STATE, f"This waitlist entry is {entry.status}.")
    if entry.registration is not None and entry.registration.is_active:
        entry.registration.status = RegistrationStatus.CANCELLED
        entry.registration.cancelled_at = timezone.now()
        entry.registration.save(update_fields=["status", "cancelled_at"])
    entry.status = WaitlistStatus.LEFT
    entry.save(update_fields=["status"])
    promote_waitlist(event=event, now=timezone.now())
    return entry


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
        .select_related("user", "ticket_type")
        .order_by("created_at", "id")
    )
    type_free: dict[int, int] = {}
    promoted = []
    for entry in waiting:
        if entry.quantity > event_free:
            continue
        candidates = [entry.ticket_type] if entry.ticket_type else _ticket_types_on_sale(event)
        ticket_type = None
        for candidate in candidates:
            if candidate.id not in type_free:
                type_free[candidate.id] = candidate.quantity - seats_taken(
                    event, ticket_type=candidate
                )
            fits = entry.quantity <= min(type_free[candidate.id], candidate.max_per_order)
            if candidate.is_on_sale and fits:
                ticket_type = candidate
                break
        if ticket_type is None:
            continue
        registration = _new_registration(
            event=event,
            user=entry.user,
            ticket_type=ticket_type,
            quantity=entry.quantity,
            special_requirements="",
            hold=timedelta(hours=settings.WAITLIST_OFFER_HOURS),
            now=now,
        )
        entry.registration = registration
        entry.status = (
            WaitlistStatus.CONVERTED
            if registration.status == RegistrationStatus.CONFIRMED
            else WaitlistStatus.OFFERED
        )
        entry.offer_expires_at = registration.expires_at
        entry.save(update_fields=["registration", "status", "offer_expires_at"])
        log_activity(
            action=Action.WAITLIST_PROMOTED,
            user=entry.user,
            target=registration,
            metadata={"event": event.pk, "waitlist_entry": entry.pk},
        )
        event_free -= entry.quantity
        type_free[ticket_type.id] -= entry.quantity
        promoted.append(entry)
        if event_free == 0:
            break
    return promoted


# --- Check-in and progress --------------------------------------------------------------------


@transaction.atomic
def check_in(*, code: str, actor, session: Session | None = None, request=None) -> Ticket:
    """Admit a ticket at the door (or to one session). Only the event's organizer or an admin
    may; a code they cannot see is unknown (404). A ticket is admitted once: again is a 409
    with the time it was first admitted. Admission to a session marks the holder's progress
    for it completed."""
    tickets = Ticket.objects.filter(code=code).select_related("registration", "event")
    if not actor.is_admin:
        tickets = tickets.filter(event__organizer=actor)
    try:
        ticket = lock_one(tickets)
    except Ticket.DoesNotExist:
        raise ApplicationError(
            "No ticket with this code at your events.",
            code="not_found",
            status_code=status.HTTP_404_NOT_FOUND,
        ) from None
    if ticket.registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(
            ConflictCode.NOT_CONFIRMED,
            f"This ticket's registration is {ticket.registration.display_status}.",
        )
    now = timezone.now()
    if session is not None:
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
    log_activity(
        action=Action.CHECK_IN,
        user=actor,
        request=request,
        target=ticket,
        metadata={"event": ticket.event_id, "session": session.pk if session is not None else None},
    )
    return ticket


def progress_for(*, user, event: Event | None = None):
    """The user's progress rows for every session of the events they are confirmed for (of one
    event, if given), creating the rows that do not exist yet."""
    sessions = Session.objects.filter(
        event__registrations__user=user,
        event__registrations__status=RegistrationStatus.CONFIRMED,
    )
    if event is not None:
        sessions = sessions.filter(event=event)
    SessionProgress.objects.bulk_create(
        [
            SessionProgress(user=user, session_id=session_id)
            for session_id in sessions.values_list("id", flat=True).distinct()
        ],
        ignore_conflicts=True,
    )
    rows = SessionProgress.objects.filter(user=user, session__in=sessions)
    return rows


@transaction.atomic
def update_progress(*, progress: SessionProgress, **changes) -> SessionProgress:
    """Change one's own progress; `completed_at` follows the status."""
    for field, value in changes.items():
        setattr(progress, field, value)
    if progress.status == ProgressStatus.COMPLETED and progress.completed_at is None:
        progress.completed_at = timezone.now()
    elif progress.status != ProgressStatus.COMPLETED:
        progress.completed_at = None
    progress.save()
    return progress
