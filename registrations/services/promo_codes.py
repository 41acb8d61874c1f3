"""Promo codes as their event's managers keep them (the API and the admin alike): made,
changed, and deleted while no registration was priced with one. How a code is used at booking
is `registrations.services.promo`."""

from django.db import IntegrityError, transaction

from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events.models import Event, TicketType
from events.services import lock_event
from registrations import facts
from registrations.models import DiscountType, PromoCode


def _refuse(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="validation_error", details={field: [message]})


def _check(code: PromoCode, ticket_types: list[TicketType] | None) -> None:
    """The rules a code keeps whoever writes it: a discount its type can give, ticket types of
    its own event, a validity that ends after it starts, and a spelling no other code of the
    event has in any case."""
    value = code.discount_value
    if code.discount_type == DiscountType.PERCENT and not 0 <= value <= 100:
        raise _refuse("discount_value", "A percentage is between 0 and 100.")
    if code.discount_type == DiscountType.FIXED and value <= 0:
        raise _refuse("discount_value", "An amount off must be more than 0.")
    if code.discount_type == DiscountType.NONE and value != 0:
        raise _refuse("discount_value", "An access code gives no discount: use 0.")
    if ticket_types and any(each.event_id != code.event_id for each in ticket_types):
        raise _refuse("ticket_types", "Every ticket type must be one of the code's event.")
    if code.valid_from and code.valid_until and code.valid_until <= code.valid_from:
        raise _refuse("valid_until", "Must be after valid_from.")
    spelled_alike = PromoCode.objects.filter(event_id=code.event_id, code__iexact=code.code)
    if spelled_alike.exclude(pk=code.pk).exists():
        raise _refuse("code", "This event already has this code.")


def _save(code: PromoCode, ticket_types: list[TicketType] | None) -> None:
    code.code = code.code.strip().upper()
    _check(code, ticket_types)
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as exc:  # the same code saved at the same moment
        raise _refuse("code", "This event already has this code.") from exc
    if ticket_types is not None:
        code.ticket_types.set(ticket_types)


@transaction.atomic
def create_promo_code(
    *,
    event: Event,
    code: str,
    discount_type: str,
    ticket_types: list[TicketType] | None = None,
    actor=None,
    origin: Origin | None = None,
    **fields,
) -> PromoCode:
    """A new code for `event`, stored upper-cased (codes are read in any case). No ticket
    types: it applies to every type of the event."""
    promo_code = PromoCode(event=event, code=code, discount_type=discount_type, **fields)
    _save(promo_code, ticket_types or [])
    record(
        facts.PROMO_CODE_CREATED,
        user=actor,
        origin=origin,
        target=promo_code,
        data={"event": event.pk, "code": promo_code.code},
    )
    return promo_code


@transaction.atomic
def update_promo_code(
    *,
    promo_code: PromoCode,
    ticket_types: list[TicketType] | None = None,
    actor=None,
    origin: Origin | None = None,
    **fields,
) -> PromoCode:
    """Change a code (never its event). Registrations already priced with it keep their
    price; `ticket_types` None leaves them as they are."""
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    changed = sorted(name for name, value in fields.items() if getattr(promo_code, name) != value)
    for name, value in fields.items():
        setattr(promo_code, name, value)
    if ticket_types is not None:
        before = {each.pk for each in promo_code.ticket_types.all()}
        if before != {each.pk for each in ticket_types}:
            changed.append("ticket_types")
    _save(promo_code, ticket_types)
    record(
        facts.PROMO_CODE_UPDATED,
        user=actor,
        origin=origin,
        target=promo_code,
        data={"event": promo_code.event_id, "code": promo_code.code, "changed": changed},
    )
    return promo_code


@transaction.atomic
def delete_promo_code(*, promo_code: PromoCode, actor=None, origin: Origin | None = None):
    """A code that priced any registration stays, as the record of its price: deactivate it.
    Checked under the event's lock, which every booking takes, so none slips in between."""
    lock_event(promo_code.event_id)
    if promo_code.registrations.exists():
        raise Conflict(
            ConflictCode.INVALID_STATE,
            "Registrations were made with this code: deactivate it instead (is_active false).",
        )
    record(
        facts.PROMO_CODE_DELETED,
        user=actor,
        origin=origin,
        target=promo_code,
        data={"event": promo_code.event_id, "code": promo_code.code},
    )
    promo_code.delete()
