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


def _price(registration: Registration) -> str:
    return f"{registration.total_price} {registration.currency}"


def _draft(
    fact: Fact, user_id: int, type_: str, event: Event | None, title: str, message: str, **data
) -> Draft:
    """The notification `fact` makes for `user_id`: of `type_`, about `event`, with `data`."""
    return Draft(
        user_id=user_id,
        type=type_,
        title=title,
        message=message,
        key=f"fact:{fact.id}",
        event_id=event.pk if event is not None else None,
        data=data,
    )


def _targets(facts: list[Fact], objects) -> Iterator[tuple[Fact, object]]:
    """Each fact with the object it is about, loaded in one query (`objects.in_bulk`); a fact
    whose object is gone tells nobody."""
    found = objects.in_bulk({int(fact.target_id) for fact in facts})
    for fact in facts:
        if (target := found.get(int(fact.target_id))) is not None:
            yield fact, target


REGISTRATIONS = Registration.objects.select_related("event", "ticket_type")
PAYMENTS = Payment.objects.select_related("registration__event", "registration__ticket_type")


def registration_created(facts: list[Fact]) -> Iterator[Draft]:
    """A registration left pending: awaiting payment (its seats held until `expires_at`) or
    the organizer's approval. One promoted from the waitlist is a waitlist offer instead."""
    pending = [
        fact
        for fact in facts
        if fact.data.get("status") == RegistrationStatus.PENDING
        and "waitlist_entry" not in fact.data
    ]
    for fact, registration in _targets(pending, REGISTRATIONS):
        event, expires_at = registration.event, fact.data.get("expires_at")
        if expires_at is None:
            title, message = (
                f"Awaiting approval: {event.title}",
                f"Your registration for {_seats(registration)} awaits the organizer's "
                "approval. We will tell you as soon as they decide.",
            )
        else:
            title, message = (
                f"Complete your payment: {event.title}",
                f"We are holding {_seats(registration)} for you until "
                f"{moment(expires_at, event.timezone)}. Pay {_price(registration)} by then to "
                "confirm your place; after that the seats go back on sale.",
            )
        yield _draft(
            fact,
            registration.user_id,
            Type.REGISTRATION_PENDING,
            event,
            title,
            message,
            registration=registration.pk,
            expires_at=expires_at,
        )


def registration_approved(facts: list[Fact]) -> Iterator[Draft]:
    """Approved and awaiting payment (an approved free registration is confirmed at once,
    and told so by its confirmation)."""
    for fact, registration in _targets(facts, REGISTRATIONS):
        if registration.is_free:
            continue
        event, expires_at = registration.event, fact.data.get("expires_at")
        yield _draft(
            fact,
            registration.user_id,
            Type.REGISTRATION_PENDING,
            event,
            f"Approved, now pay: {event.title}",
            f"The organizer approved your registration for {_seats(registration)}. Pay "
            f"{_price(registration)}{_by(expires_at, event)} to confirm it.",
            registration=registration.pk,
            expires_at=expires_at,
        )


def registration_confirmed(facts: list[Fact]) -> Iterator[Draft]:
    for fact, registration in _targets(facts, REGISTRATIONS):
        event = registration.event
        opening = (
            "A place opened up on the waitlist and it is yours: "
            if "waitlist_entry" in fact.data
            else ""
        )
        yield _draft(
            fact,
            registration.user_id,
            Type.REGISTRATION_CONFIRMED,
            event,
            f"You're going: {event.title}",
            f"{opening}{_seats(registration)} confirmed for {event.title}, starting "
            f"{_starts(event)}. Your tickets are in your account.",
            registration=registration.pk,
        )


def registration_rejected(facts: list[Fact]) -> Iterator[Draft]:
    for fact, registration in _targets(facts, REGISTRATIONS):
        event = registration.event
        yield _draft(
            fact,
            registration.user_id,
            Type.REGISTRATION_CANCELLED,
            event,
            f"Not accepted: {event.title}",
            f"The organizer did not accept your registration for {event.title}. Nothing was "
            "charged, and the seats were released.",
            registration=registration.pk,
            rejected=True,
        )


def registration_cancelled(facts: list[Fact]) -> Iterator[Draft]:
    """A cancelled registration; when it went with its whole event, what its holder is told is
    that the event was cancelled."""
    for fact, registration in _targets(facts, REGISTRATIONS):
        event = registration.event
        refund_due = Decimal(fact.data.get("refund_due") or "0")
        refund = (
            f" {refund_due} {registration.currency} is being refunded to you."
            if refund_due > 0
            else ""
        )
        about = {"registration": registration.pk, "refund_due": str(refund_due)}
        if fact.data.get("event_cancelled"):
            yield _draft(
                fact,
                registration.user_id,
                Type.EVENT_CANCELLED,
                event,
                f"Cancelled: {event.title}",
                f"The organizer cancelled {event.title}, which was to start {_starts(event)}. "
                f"Your registration is cancelled.{refund}",
                **about,
            )
            continue
        who = "You" if fact.user_id == registration.user_id else "The organizer"
        yield _draft(
            fact,
            registration.user_id,
            Type.REGISTRATION_CANCELLED,
            event,
            f"Registration cancelled: {event.title}",
            f"{who} cancelled your registration for {event.title}.{refund}",
            **about,
        )


def waitlist_promoted(facts: list[Fact]) -> Iterator[Draft]:
    """An offer to pay for seats that opened up (a free place is confirmed at once, and its
    confirmation says it came from the waitlist)."""
    offers = [fact for fact in facts if fact.data.get("status") == "offered"]
    for fact, registration in _targets(offers, REGISTRATIONS):
        event, expires_at = registration.event, fact.data.get("expires_at")
        yield _draft(
            fact,
            registration.user_id,
            Type.WAITLIST_OFFER,
            event,
            f"A place opened up: {event.title}",
            f"You were next on the waitlist, so we are holding {_seats(registration)} for you. "
            f"Pay {_price(registration)}{_by(expires_at, event)} to take them.",
            registration=registration.pk,
            waitlist_entry=fact.data.get("waitlist_entry"),
            expires_at=expires_at,
        )


def waitlist_left(facts: list[Fact]) -> Iterator[Draft]:
    """People still waiting when their event was cancelled (leaving by choice tells nobody)."""
    closed = [fact for fact in facts if fact.data.get("event_cancelled") and fact.user_id]
    events = Event.objects.in_bulk({fact.event_id for fact in closed})
    for fact in closed:
        if (event := events.get(fact.event_id)) is None:
            continue
        yield _draft(
            fact,
            fact.user_id,
            Type.EVENT_CANCELLED,
            event,
            f"Cancelled: {event.title}",
            f"The organizer cancelled {event.title}, which was to start {_starts(event)}. You "
            "were on its waitlist, which is now closed.",
            waitlist_entry=int(fact.target_id),
        )


def _money(payment: Payment, amount=None) -> dict:
    return {
        "payment": payment.pk,
        "registration": payment.registration_id,
        "amount": str(payment.amount if amount is None else amount),
        "currency": payment.currency,
    }


def payment_succeeded(facts: list[Fact]) -> Iterator[Draft]:
    for fact, payment in _targets(facts, PAYMENTS):
        registration, paid = payment.registration, f"{payment.amount} {payment.currency}"
        event = registration.event
        yield _draft(
            fact,
            payment.user_id,
            Type.PAYMENT_SUCCEEDED,
            event,
            f"Payment received: {event.title}",
            f"We received {paid} for {_seats(registration)} at {event.title}. Your invoice is "
            "in your account."
            if fact.data.get("confirmed", True)
            else f"We received {paid}, but the seats were no longer held for you: the whole "
            "amount is being refunded.",
            **_money(payment),
        )


def payment_failed(facts: list[Fact]) -> Iterator[Draft]:
    for fact, payment in _targets(facts, PAYMENTS):
        registration = payment.registration
        event = registration.event
        reason = (fact.data.get("reason") or "").rstrip(".")
        held = (
            f" Your seats stay held until {moment(registration.expires_at, event.timezone)}: "
            "you can try again until then."
            if registration.is_active and registration.expires_at
            else ""
        )
        yield _draft(
            fact,
            payment.user_id,
            Type.PAYMENT_FAILED,
            event,
            f"Payment failed: {event.title}",
            f"Your payment of {payment.amount} {payment.currency} did not go through"
            f"{f' ({reason})' if reason else ''}.{held}",
            **_money(payment),
        )


def refund_issued(facts: list[Fact]) -> Iterator[Draft]:
    refunds = Refund.objects.select_related("payment__registration__event")
    for fact, refund in _targets(facts, refunds):
        payment = refund.payment
        event = payment.registration.event
        yield _draft(
            fact,
            payment.user_id,
            Type.REFUND_ISSUED,
            event,
            f"Refund issued: {event.title}",
            f"{refund.amount} {payment.currency} of your payment for {event.title} has been "
            "refunded. It can take a few days to reach your account.",
            refund=refund.pk,
            **_money(payment, amount=refund.amount),
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
        if (event := events.get(fact.event_id)) is None:
            continue
        changed = TIME_AND_PLACE & set(fact.data["changed"])
        sentences = []
        if changed & {"starts_at", "ends_at", "timezone"}:
            ends = moment(event.ends_at, event.timezone)
            sentences.append(f"It now starts {_starts(event)} and ends {ends}.")
        if changed & {"location", "is_online", "online_url"}:
            sentences.append(f"It now takes place {_where(event)}.")
        for user_id in sorted(holders[event.pk]):
            yield _draft(
                fact,
                user_id,
                Type.EVENT_UPDATED,
                event,
                f"Changed: {event.title}",
                f"The organizer changed {event.title}. {' '.join(sentences)}",
                changed=sorted(changed),
            )


def certificate_issued(facts: list[Fact]) -> Iterator[Draft]:
    """From the certificates app, read from the fact alone: `user`, `event`, `event_title`,
    `number`, and the certificate's id as its target."""
    events = Event.objects.in_bulk({fact.event_id for fact in facts if fact.event_id})
    for fact in facts:
        if not (user_id := fact.data.get("user") or fact.user_id):
            continue
        title = fact.data.get("event_title", "your event")
        yield _draft(
            fact,
            user_id,
            Type.CERTIFICATE_ISSUED,
            events.get(fact.event_id),
            f"Your certificate: {title}",
            f"Your certificate of attendance for {title} ({fact.data.get('number', '')}) is "
            "ready to download.",
            certificate=int(fact.target_id),
            number=fact.data.get("number"),
        )


def webhook_disabled(facts: list[Fact]) -> Iterator[Draft]:
    for fact in facts:
        yield _draft(
            fact,
            fact.data["owner"],
            Type.WEBHOOK_DISABLED,
            None,
            "A webhook was switched off",
            f"Every delivery to {fact.data['url']} has failed since "
            f"{moment(fact.data['failing_since'], 'UTC')}, so it was switched off. Fix the "
            "receiver, then switch the webhook on again.",
            webhook=int(fact.target_id),
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
