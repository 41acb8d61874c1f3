"""What an outbound webhook's `data` holds for each event type, built from the database in a
fixed number of queries for any number of facts. The shapes are documented in docs/webhooks.md
(ids, times in UTC ISO 8601, money as decimal strings, as everywhere in the API)."""

from collections.abc import Callable

from config.facts import Fact
from config.formats import api_datetime, api_money
from events.models import Event
from payments.models import Payment, Refund
from registrations.models import Registration, Ticket


def event_data(event: Event) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "slug": event.slug,
        "starts_at": api_datetime(event.starts_at),
        "ends_at": api_datetime(event.ends_at),
        "status": event.display_status,
    }


def registration_data(registration: Registration) -> dict:
    user = registration.user
    return {
        "id": registration.pk,
        "event": registration.event_id,
        "user": user.pk,
        "user_name": user.full_name,
        "email": user.email,
        "ticket_type": registration.ticket_type_id,
        "ticket_type_name": registration.ticket_type.name,
        "quantity": registration.quantity,
        "status": registration.display_status,
        "unit_price": api_money(registration.unit_price),
        "total_price": api_money(registration.total_price),
        "currency": registration.currency,
        "created_at": api_datetime(registration.created_at),
        "confirmed_at": api_datetime(registration.confirmed_at),
        "cancelled_at": api_datetime(registration.cancelled_at),
    }


def payment_data(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "registration": payment.registration_id,
        "provider": payment.provider,
        "transaction_id": payment.transaction_id,
        "amount": api_money(payment.amount),
        "refunded_amount": api_money(payment.refunded_amount),
        "currency": payment.currency,
        "status": payment.status,
        "processed_at": api_datetime(payment.processed_at),
    }


def _target_ids(facts: list[Fact]) -> set[int]:
    return {int(fact.target_id) for fact in facts}


def _registrations(facts: list[Fact]) -> dict[int, dict]:
    registrations = Registration.objects.select_related("event", "user", "ticket_type").in_bulk(
        _target_ids(facts)
    )
    built = {}
    for fact in facts:
        registration = registrations.get(int(fact.target_id))
        if registration is None:
            continue
        data = {
            "registration": registration_data(registration),
            "event": event_data(registration.event),
        }
        if fact.name == "registration.cancelled":
            data["cancellation"] = {
                "by_organizer": bool(fact.data.get("by_manager")),
                "with_event": bool(fact.data.get("event_cancelled")),
                "refund_due": fact.data.get("refund_due", "0.00"),
            }
        built[fact.id] = data
    return built


def _payments(facts: list[Fact]) -> dict[int, dict]:
    payments = Payment.objects.select_related("registration__event").in_bulk(_target_ids(facts))
    return {
        fact.id: {
            "payment": payment_data(payment),
            "event": event_data(payment.registration.event),
        }
        for fact in facts
        if (payment := payments.get(int(fact.target_id))) is not None
    }


def _refunds(facts: list[Fact]) -> dict[int, dict]:
    refunds = Refund.objects.select_related("payment__registration__event").in_bulk(
        _target_ids(facts)
    )
    built = {}
    for fact in facts:
        refund = refunds.get(int(fact.target_id))
        if refund is None:
            continue
        payment = refund.payment
        built[fact.id] = {
            "refund": {
                "id": refund.pk,
                "amount": api_money(refund.amount),
                "currency": payment.currency,
                "reason": refund.reason,
                "status": refund.status,
            },
            "payment": payment_data(payment),
            "event": event_data(payment.registration.event),
        }
    return built


def _events(facts: list[Fact]) -> dict[int, dict]:
    events = Event.objects.in_bulk(_target_ids(facts))
    built = {}
    for fact in facts:
        event = events.get(int(fact.target_id))
        if event is None:
            continue
        data = {"event": event_data(event)}
        if fact.name == "event.cancelled":
            data["registrations_cancelled"] = fact.data.get("registrations_cancelled", 0)
        built[fact.id] = data
    return built


def _checkins(facts: list[Fact]) -> dict[int, dict]:
    tickets = Ticket.objects.select_related(
        "event", "ticket_type", "registration__user", "registration__ticket_type"
    ).in_bulk(_target_ids(facts))
    built = {}
    for fact in facts:
        ticket = tickets.get(int(fact.target_id))
        if ticket is None:
            continue
        built[fact.id] = {
            "ticket": {
                "code": ticket.code,
                "attendee_name": ticket.attendee_name,
                "ticket_type": ticket.ticket_type_id,
                "checked_in_at": api_datetime(ticket.checked_in_at),
            },
            "session": fact.data.get("session"),
            "registration": registration_data(ticket.registration),
            "event": event_data(ticket.event),
        }
    return built


BUILDERS: dict[str, Callable[[list[Fact]], dict[int, dict]]] = {
    "registration.created": _registrations,
    "registration.cancelled": _registrations,
    "payment.succeeded": _payments,
    "refund.issued": _refunds,
    "event.published": _events,
    "event.cancelled": _events,
    "checkin.created": _checkins,
}


def build(facts: list[Fact]) -> dict[int, dict]:
    """Each fact's `data`, by fact id (a fact whose object is gone has none)."""
    by_builder: dict[Callable, list[Fact]] = {}
    for fact in facts:
        by_builder.setdefault(BUILDERS[fact.name], []).append(fact)
    built: dict[int, dict] = {}
    for builder, group in by_builder.items():
        built.update(builder(group))
    return built
