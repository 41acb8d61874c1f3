"""Booking, approval and cancellation of registrations, and the expiry of holds.

Every change that takes or frees seats runs in one transaction holding the event's row lock
(`lock_event`), so "are there seats left?" and the writes that take them cannot interleave
between requests or server processes.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.exceptions import Conflict, ConflictCode
from config.facts import Entry, Origin, record, record_many
from config.formats import api_datetime
from events.models import Event, TicketType
from events.services import lock_event
from registrations import facts
from registrations.models import (
    Registration,
    RegistrationStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from registrations.services import promo, seats


def register_for_event(
    *,
    user,
    event: Event,
    ticket_type: TicketType | None = None,
    quantity: int = 1,
    special_requirements: str = "",
    promo_code: str = "",
    origin: Origin | None = None,
) -> Registration:
    """Book `quantity` seats of `ticket_type` (default: the cheapest on sale), priced with
    `promo_code` if one is given.

    Rules: registration must be open; one active registration per user and event; the event's
    capacity and the ticket type's quantity are never exceeded, however many requests arrive at
    once (checked and taken under the event's lock); people already on the waitlist are served
    before a newcomer. Free events without approval confirm at once with one ticket per seat;
    paid ones hold the seats for REGISTRATION_HOLD_MINUTES awaiting payment; events requiring
    approval hold them until the organizer decides. A code must be usable for the chosen type
    and every seat (its uses are counted under the same lock as the seats); anything wrong with
    it is one 400 on `promo_code`, which says why only to the event's managers.
    """
    seats.settle_expired_holds(event_id=event.pk)
    return _book(
        user=user,
        event_id=event.pk,
        ticket_type=ticket_type,
        quantity=quantity,
        special_requirements=special_requirements,
        promo_code=promo_code,
        origin=origin,
    )


@transaction.atomic
def _book(*, user, event_id, ticket_type, quantity, special_requirements, promo_code, origin):
    event = lock_event(event_id)
    now = timezone.now()
    seats.release_expired_holds(event, now)
    seats.check_registration_open(event)
    seats.check_not_registered(event, user)
    reveal = event.is_managed_by(user)
    code = promo.find_code(event, promo_code, reveal=reveal) if promo_code else None
    ticket_type = seats.choose_ticket_type(event, ticket_type, code)
    seats.check_quantity(ticket_type, quantity)
    if code is not None:
        promo.check_usable(code, ticket_type, quantity, reveal=reveal)
    free = seats.free_seats(event, ticket_type)
    if quantity > free:
        raise Conflict(
            ConflictCode.SOLD_OUT,
            "Sold out." if free == 0 else f"Only {free} seat(s) left for {ticket_type.name}.",
            details={"available": free},
        )
    try:
        with transaction.atomic():
            registration = seats.new_registration(
                event=event,
                user=user,
                ticket_type=ticket_type,
                quantity=quantity,
                special_requirements=special_requirements,
                hold=timedelta(minutes=settings.REGISTRATION_HOLD_MINUTES),
                now=now,
                origin=origin,
                promo_code=code,
            )
    except IntegrityError as exc:  # the database's own guard of one active registration
        raise Conflict(
            ConflictCode.ALREADY_REGISTERED, "You already have a registration for this event."
        ) from exc
    WaitlistEntry.objects.filter(event=event, user=user, status=WaitlistStatus.WAITING).update(
        status=WaitlistStatus.CONVERTED, registration=registration
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


def release(
    registrations: list[Registration],
    *,
    by_manager: bool,
    actor,
    now,
    origin: Origin | None = None,
    with_event: bool = False,
) -> None:
    """The one path every cancellation takes (the attendee's, the organizer's, the whole
    event's): the registrations are cancelled, their waitlist offers withdrawn, and one fact
    each records what is due back, for refunds and notifications to follow (`with_event`: the
    whole event was cancelled, which is what its attendees are told). In bulk: a few
    queries however many registrations. The caller holds the event's lock and gives the seats
    out afterwards."""
    if not registrations:
        return
    ids = [registration.pk for registration in registrations]
    refunds = {
        registration.pk: refund_due_on_cancellation(registration, by_manager=by_manager, now=now)
        for registration in registrations
    }
    Registration.objects.filter(pk__in=ids).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now
    )
    WaitlistEntry.objects.filter(registration_id__in=ids, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.LEFT
    )
    for registration in registrations:
        registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, now
    record_many(
        Entry(
            facts.REGISTRATION_CANCELLED,
            user=actor,
            origin=origin,
            target=registration,
            data={
                "event": registration.event_id,
                "user": registration.user_id,
                "by_manager": by_manager,
                "refund_due": str(refunds[registration.pk]),
                **({"event_cancelled": True} if with_event else {}),
            },
        )
        for registration in registrations
    )


@transaction.atomic
def cancel_registration(
    *, registration: Registration, actor, origin: Origin | None = None
) -> Registration:
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
    release([registration], by_manager=by_manager, actor=actor, now=now, origin=origin)
    seats.promote_waitlist(event=event, now=now)
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
def approve_registration(
    *, registration: Registration, actor, origin: Origin | None = None
) -> Registration:
    """The organizer accepts a registration for an event that requires approval: a free one is
    confirmed with its tickets; a paid one is held for REGISTRATION_HOLD_MINUTES for payment."""
    event, registration = _decide(registration)
    _approve(registration, event=event, now=timezone.now(), actor=actor, origin=origin)
    return registration


def _approve(registration: Registration, *, event, now, actor, origin: Origin | None) -> None:
    registration.approved_at = now
    if registration.is_free:
        registration.save(update_fields=["approved_at"])
    else:
        registration.expires_at = now + timedelta(minutes=settings.REGISTRATION_HOLD_MINUTES)
        registration.save(update_fields=["approved_at", "expires_at"])
    record(
        facts.REGISTRATION_APPROVED,
        user=actor,
        origin=origin,
        target=registration,
        data={
            "event": event.pk,
            "user": registration.user_id,
            "expires_at": api_datetime(registration.expires_at),
        },
    )
    if registration.is_free:
        seats.confirm(registration, now=now, actor=actor, origin=origin)


def approve_all_awaiting(*, event, actor, origin: Origin | None = None) -> int:
    """The event no longer requires approval: every registration still awaiting a decision is
    approved, as the organizer's approval would (a free one confirmed, a paid one held for
    payment), instead of waiting forever for a decision nobody can make any more. The caller
    holds the event's lock. Returns how many."""
    now = timezone.now()
    awaiting = Registration.objects.filter(  # a hold without an end awaits a decision
        event=event,
        status=RegistrationStatus.PENDING,
        approved_at__isnull=True,
        expires_at__isnull=True,
    ).select_related("user")
    count = 0
    for registration in awaiting:
        _approve(registration, event=event, now=now, actor=actor, origin=origin)
        count += 1
    return count


@transaction.atomic
def reject_registration(
    *, registration: Registration, actor, origin: Origin | None = None
) -> Registration:
    """The organizer turns a registration down; its seats go to the waitlist."""
    event, registration = _decide(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "cancelled_at"])
    record(
        facts.REGISTRATION_REJECTED,
        user=actor,
        origin=origin,
        target=registration,
        data={"event": event.pk, "user": registration.user_id},
    )
    seats.promote_waitlist(event=event, now=timezone.now())
    return registration


def expire_holds() -> int:
    """Mark every hold that ran out as expired and promote each event's waitlist, one event per
    transaction. The seats stopped counting when the hold ran out; this makes the records say
    so and moves the queue. Returns how many events were visited."""
    now = timezone.now()
    event_ids = list(
        Registration.objects.filter(status=RegistrationStatus.PENDING, expires_at__lte=now)
        .values_list("event_id", flat=True)
        .distinct()
        .order_by("event_id")
    )
    for event_id in event_ids:
        seats.settle_expired_holds(event_id=event_id)
    return len(event_ids)
