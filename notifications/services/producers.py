"""What each fact tells whom: the facts the apps below record, turned into notifications.

`notify_about` is subscribed (in `AppConfig.ready()`, `many=True`, in the background) to every
fact named in `PRODUCERS`: the facts recorded together (an event cancelled with a thousand
registrations) come in one call, and each producer turns its facts into drafts with a fixed
number of queries however many there are. A notification's key is its fact's id, so a handler
that runs twice tells nobody twice. Facts of apps above this one (`certificate.issued`) are
read from their data alone: this app imports none of them.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.dateparse import parse_datetime

from config.facts import Fact
from events.models import Event
from notifications.models import NotificationType as Type
from notifications.services.inbox import Draft, notify
from payments.models import Payment, Refund
from registrations.models import Registration, RegistrationStatus, holds_seats

# Changes to an event its attendees are told of: when and where it happens.
TIME_AND_PLACE = {"starts_at", "ends_at", "timezone", "location", "is_online", "online_url"}


def moment(when: datetime | str, timezone_name: str) -> str:
    """A time as people read it, in the event's time zone: `Tue 15 Dec 2026, 18:00 (Europe/
    Berlin)`."""
    if isinstance(when, str):
        when = parse_datetime(when)
    try:
        zone = ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone_name = ZoneInfo("UTC"), "UTC"
    local = when.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({timezone_name})"


def _by(deadline: str | None, event: Event) -> str:
    return f" by {moment(deadline, event.timezone)}" if deadline else ""


def _starts(event: Event) -> str:
    return moment(event.starts_at, event.timezone)


def _seats(registration: Registration) -> str:
    count = registration.quantity
    return f"{count} seat{'s' if count != 1 else ''} ({registration.ticket_type.name})"


def _key(fact: Fact) -> str:
    return f"fact:{fact.id}"


def _registrations(facts: list[Fact]) -> dict[int, Registration]:
    """The registrations the facts are about (their target), in one query."""
    return Registration.objects.select_related("event", "ticket_type").in_bulk(
        {int(fact.target_id) for fact in facts}
    )


def _about(registration: Registration, **data) -> dict:
    return {"registration": registration.pk, **data}


def registration_created(facts: list[Fact]) -> Iterator[Draft]:
    """A registration left pending: awaiting payment (its seats held until `expires_at`) or
    the organizer's approval. One promoted from the waitlist is a waitlist offer instead."""
    registrations = _registrations(facts)
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if (
            registration is None
            or fact.data.get("status") != RegistrationStatus.PENDING
            or "waitlist_entry" in fact.data
        ):
            continue
        event, expires_at = registration.event, fact.data.get("expires_at")
        if expires_at is None:
            title = f"Awaiting approval: {event.title}"
            message = (
                f"Your registration for {_seats(registration)} awaits the organizer's "
                "approval. We will tell you as soon as they decide."
            )
        else:
            title = f"Complete your payment: {event.title}"
            message = (
                f"We are holding {_seats(registration)} for you until "
                f"{moment(expires_at, event.timezone)}. Pay {registration.total_price} "
                f"{registration.currency} by then to confirm your place; after that the seats "
                "go back on sale."
            )
        yield Draft(
            user_id=registration.user_id,
            type=Type.REGISTRATION_PENDING,
            title=title,
            message=message,
            key=_key(fact),
            event_id=event.pk,
            data=_about(registration, expires_at=expires_at),
        )


def registration_approved(facts: list[Fact]) -> Iterator[Draft]:
    """Approved and awaiting payment (an approved free registration is confirmed at once,
    and told so by its confirmation)."""
    registrations = _registrations(facts)
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if registration is None or registration.is_free:
            continue
        event, expires_at = registration.event, fact.data.get("expires_at")
        yield Draft(
            user_id=registration.user_id,
            type=Type.REGISTRATION_PENDING,
            title=f"Approved, now pay: {event.title}",
            message=(
                f"The organizer approved your registration for {_seats(registration)}. Pay "
                f"{registration.total_price} {registration.currency}"
                f"{_by(expires_at, event)} to confirm it."
            ),
            key=_key(fact),
            event_id=event.pk,
            data=_about(registration, expires_at=expires_at),
        )


def registration_confirmed(facts: list[Fact]) -> Iterator[Draft]:
    registrations = _registrations(facts)
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if registration is None:
            continue
        event = registration.event
        opening = (
            "A place opened up on the waitlist and it is yours: "
            if "waitlist_entry" in fact.data
            else ""
        )
        yield Draft(
            user_id=registration.user_id,
            type=Type.REGISTRATION_CONFIRMED,
            title=f"You're going: {event.title}",
            message=(
                f"{opening}{_seats(registration)} confirmed for {event.title}, starting "
                f"{_starts(event)}. Your tickets are in your account."
            ),
            key=_key(fact),
            event_id=event.pk,
            data=_about(registration),
        )


def registration_rejected(facts: list[Fact]) -> Iterator[Draft]:
    registrations = _registrations(facts)
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if registration is None:
            continue
        event = registration.event
        yield Draft(
            user_id=registration.user_id,
            type=Type.REGISTRATION_CANCELLED,
            title=f"Not accepted: {event.title}",
            message=(
                f"The organizer did not accept your registration for {event.title}. "
                "Nothing was charged, and the seats were released."
            ),
            key=_key(fact),
            event_id=event.pk,
            data=_about(registration, rejected=True),
        )


def registration_cancelled(facts: list[Fact]) -> Iterator[Draft]:
    """A cancelled registration; when it went with its whole event, what its holder is told is
    that the event was cancelled."""
    registrations = _registrations(facts)
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if registration is None:
            continue
        event = registration.event
        refund_due = Decimal(fact.data.get("refund_due") or "0")
        refund = (
            f" {refund_due} {registration.currency} is being refunded to you."
            if refund_due > 0
            else ""
        )
        data = _about(registration, refund_due=str(refund_due))
        if fact.data.get("event_cancelled"):
            yield Draft(
                user_id=registration.user_id,
                type=Type.EVENT_CANCELLED,
                title=f"Cancelled: {event.title}",
                message=(
                    f"The organizer cancelled {event.title}, which was to start "
                    f"{_starts(event)}. Your registration is cancelled.{refund}"
                ),
                key=_key(fact),
                event_id=event.pk,
                data=data,
            )
            continue
        who = "You" if fact.user_id == registration.user_id else "The organizer"
        yield Draft(
            user_id=registration.user_id,
            type=Type.REGISTRATION_CANCELLED,
            title=f"Registration cancelled: {event.title}",
            message=f"{who} cancelled your registration for {event.title}.{refund}",
            key=_key(fact),
            event_id=event.pk,
            data=data,
        )


def waitlist_promoted(facts: list[Fact]) -> Iterator[Draft]:
    """An offer to pay for seats that opened up (a free place is confirmed at once, and its
    confirmation says it came from the waitlist)."""
    offers = [fact for fact in facts if fact.data.get("status") == "offered"]
    registrations = _registrations(offers)
    for fact in offers:
        registration = registrations.get(int(fact.target_id))
        if registration is None:
            continue
        event, expires_at = registration.event, fact.data.get("expires_at")
        yield Draft(
            user_id=registration.user_id,
            type=Type.WAITLIST_OFFER,
            title=f"A place opened up: {event.title}",
            message=(
                f"You were next on the waitlist, so we are holding {_seats(registration)} for "
                f"you. Pay {registration.total_price} {registration.currency}"
                f"{_by(expires_at, event)} to take them."
            ),
            key=_key(fact),
            event_id=event.pk,
            data=_about(
                registration,
                waitlist_entry=fact.data.get("waitlist_entry"),
                expires_at=expires_at,
            ),
        )


def waitlist_left(facts: list[Fact]) -> Iterator[Draft]:
    """People still waiting when their event was cancelled (leaving by choice tells nobody)."""
    closed = [fact for fact in facts if fact.data.get("event_cancelled") and fact.user_id]
    events = Event.objects.in_bulk({fact.event_id for fact in closed})
    for fact in closed:
        event = events.get(fact.event_id)
        if event is None:
            continue
        yield Draft(
            user_id=fact.user_id,
            type=Type.EVENT_CANCELLED,
            title=f"Cancelled: {event.title}",
            message=(
                f"The organizer cancelled {event.title}, which was to start {_starts(event)}. "
                "You were on its waitlist, which is now closed."
            ),
            key=_key(fact),
            event_id=event.pk,
            data={"waitlist_entry": int(fact.target_id)},
        )


def _payments(facts: list[Fact]) -> dict[int, Payment]:
    return Payment.objects.select_related(
        "registration__event", "registration__ticket_type"
    ).in_bulk({int(fact.target_id) for fact in facts})


def payment_succeeded(facts: list[Fact]) -> Iterator[Draft]:
    payments = _payments(facts)
    for fact in facts:
        payment = payments.get(int(fact.target_id))
        if payment is None:
            continue
        registration, paid = payment.registration, f"{payment.amount} {payment.currency}"
        event = registration.event
        message = (
            f"We received {paid} for {_seats(registration)} at {event.title}. Your invoice is "
            "in your account."
            if fact.data.get("confirmed", True)
            else f"We received {paid}, but the seats were no longer held for you: the whole "
            "amount is being refunded."
        )
        yield Draft(
            user_id=payment.user_id,
            type=Type.PAYMENT_SUCCEEDED,
            title=f"Payment received: {event.title}",
            message=message,
            key=_key(fact),
            event_id=event.pk,
            data={
                "payment": payment.pk,
                "registration": registration.pk,
                "amount": str(payment.amount),
                "currency": payment.currency,
            },
        )


def payment_failed(facts: list[Fact]) -> Iterator[Draft]:
    payments = _payments(facts)
    for fact in facts:
        payment = payments.get(int(fact.target_id))
        if payment is None:
            continue
        registration = payment.registration
        event = registration.event
        reason = (fact.data.get("reason") or "").rstrip(".")
        held = (
            f" Your seats stay held until {moment(registration.expires_at, event.timezone)}: "
            "you can try again until then."
            if registration.is_active and registration.expires_at
            else ""
        )
        yield Draft(
            user_id=payment.user_id,
            type=Type.PAYMENT_FAILED,
            title=f"Payment failed: {event.title}",
            message=(
                f"Your payment of {payment.amount} {payment.currency} did not go through"
                f"{f' ({reason})' if reason else ''}.{held}"
            ),
            key=_key(fact),
            event_id=event.pk,
            data={
                "payment": payment.pk,
                "registration": registration.pk,
                "amount": str(payment.amount),
                "currency": payment.currency,
            },
        )


def refund_issued(facts: list[Fact]) -> Iterator[Draft]:
    refunds = Refund.objects.select_related("payment__registration__event").in_bulk(
        {int(fact.target_id) for fact in facts}
    )
    for fact in facts:
        refund = refunds.get(int(fact.target_id))
        if refund is None:
            continue
        payment = refund.payment
        event = payment.registration.event
        yield Draft(
            user_id=payment.user_id,
            type=Type.REFUND_ISSUED,
            title=f"Refund issued: {event.title}",
            message=(
                f"{refund.amount} {payment.currency} of your payment for {event.title} has been "
                "refunded. It can take a few days to reach your account."
            ),
            key=_key(fact),
            event_id=event.pk,
            data={
                "refund": refund.pk,
                "payment": payment.pk,
                "registration": payment.registration_id,
                "amount": str(refund.amount),
                "currency": payment.currency,
            },
        )


def _where(event: Event) -> str:
    if event.is_online:
        return "online (the link is on the event's page)"
    return f"at {event.location}" if event.location else "at a place to be announced"


def event_updated(facts: list[Fact]) -> Iterator[Draft]:
    """Everyone holding a place is told when the event's time or place changes."""
    moved = [fact for fact in facts if TIME_AND_PLACE & set(fact.data.get("changed", ()))]
    if not moved:
        return
    events = Event.objects.in_bulk({fact.event_id for fact in moved})
    holders = defaultdict(set)
    for event_id, user_id in Registration.objects.filter(
        holds_seats(), event_id__in=events
    ).values_list("event_id", "user_id"):
        holders[event_id].add(user_id)
    for fact in moved:
        event = events.get(fact.event_id)
        if event is None:
            continue
        changed = TIME_AND_PLACE & set(fact.data["changed"])
        sentences = []
        if changed & {"starts_at", "ends_at", "timezone"}:
            sentences.append(
                f"It now starts {_starts(event)} and ends {moment(event.ends_at, event.timezone)}."
            )
        if changed & {"location", "is_online", "online_url"}:
            sentences.append(f"It now takes place {_where(event)}.")
        for user_id in sorted(holders[event.pk]):
            yield Draft(
                user_id=user_id,
                type=Type.EVENT_UPDATED,
                title=f"Changed: {event.title}",
                message=f"The organizer changed {event.title}. {' '.join(sentences)}",
                key=_key(fact),
                event_id=event.pk,
                data={"changed": sorted(changed)},
            )


def certificate_issued(facts: list[Fact]) -> Iterator[Draft]:
    """From the certificates app, read from the fact alone: `user`, `event`, `event_title`,
    `number`, and the certificate's id as its target."""
    for fact in facts:
        user_id = fact.data.get("user") or fact.user_id
        if not user_id:
            continue
        title = fact.data.get("event_title", "your event")
        yield Draft(
            user_id=user_id,
            type=Type.CERTIFICATE_ISSUED,
            title=f"Your certificate: {title}",
            message=(
                f"Your certificate of attendance for {title} ({fact.data.get('number', '')}) "
                "is ready to download."
            ),
            key=_key(fact),
            event_id=fact.event_id,
            data={"certificate": int(fact.target_id), "number": fact.data.get("number")},
        )


def webhook_disabled(facts: list[Fact]) -> Iterator[Draft]:
    for fact in facts:
        yield Draft(
            user_id=fact.data["owner"],
            type=Type.WEBHOOK_DISABLED,
            title="A webhook was switched off",
            message=(
                f"Every delivery to {fact.data['url']} has failed since "
                f"{moment(fact.data['failing_since'], 'UTC')}, so it was switched off. "
                "Fix the receiver, then switch the webhook on again."
            ),
            key=_key(fact),
            data={"webhook": int(fact.target_id)},
        )


PRODUCERS: dict[str, Callable[[list[Fact]], Iterator[Draft]]] = {
    "registration.created": registration_created,
    "registration.approved": registration_approved,
    "registration.confirmed": registration_confirmed,
    "registration.rejected": registration_rejected,
    "registration.cancelled": registration_cancelled,
    "waitlist.promoted": waitlist_promoted,
    "waitlist.left": waitlist_left,
    "payment.succeeded": payment_succeeded,
    "payment.failed": payment_failed,
    "refund.issued": refund_issued,
    "event.updated": event_updated,
    "certificate.issued": certificate_issued,
    "webhook.disabled": webhook_disabled,
}


def notify_about(facts: list[Fact]) -> None:
    """The fact handler: every fact to its producer, their drafts stored in bulk."""
    by_name: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_name[fact.name].append(fact)
    notify(
        draft
        for name, group in by_name.items()
        if name in PRODUCERS
        for draft in PRODUCERS[name](group)
    )
