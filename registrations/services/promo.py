"""Promo and access codes at booking: which code, whether it may be used now for these seats,
and the price it gives. The checks that count uses run under the event's lock, in the same
transaction that takes the seats, so `max_uses` holds however many buyers arrive at once."""

from decimal import Decimal

from django.utils import timezone

from config.exceptions import ApplicationError
from config.money import round_to_minor_unit
from events.models import Event, TicketType
from registrations.models import DiscountType, PromoCode
from registrations.selectors import promo_code_uses

# What everyone but the event's managers is told, whatever is wrong with the code: an unknown
# code and an exhausted one read the same, so codes cannot be probed.
REFUSED = "This code cannot be used for this booking."


def refusal(reason: str, *, reveal: bool) -> ApplicationError:
    message = reason if reveal else REFUSED
    return ApplicationError(message, code="validation_error", details={"promo_code": [message]})


def find_code(event: Event, raw: str, *, reveal: bool) -> PromoCode:
    """The event's code spelled `raw`, in any case; a refusal when it has none."""
    code = (
        PromoCode.objects.filter(event=event, code=raw.strip().upper())
        .prefetch_related("ticket_types")
        .first()
    )
    if code is None:
        raise refusal("This event has no such code.", reveal=reveal)
    return code


def covers(code: PromoCode | None, ticket_type: TicketType) -> bool:
    """Whether `code` may price `ticket_type`: one of its types (none named: all of them),
    and for a hidden type, a code that unlocks hidden types."""
    if code is None:
        return not ticket_type.is_hidden
    if ticket_type.is_hidden and not code.unlocks_hidden:
        return False
    named = {each.pk for each in code.ticket_types.all()}
    return not named or ticket_type.pk in named


def unlocks(code: PromoCode | None, ticket_type: TicketType) -> bool:
    """Whether the buyer may see and book `ticket_type` at all: visible ones always, hidden
    ones with a code that covers them."""
    return not ticket_type.is_hidden or covers(code, ticket_type)


def why_unusable(code: PromoCode, ticket_type: TicketType, quantity: int, now) -> str | None:
    """Why `code` cannot price `quantity` seats of `ticket_type` now, or None. Counts the uses:
    call it while holding the event's lock."""
    if not code.is_active:
        return "This code is switched off."
    if code.valid_from is not None and now < code.valid_from:
        return "This code is not valid yet."
    if code.valid_until is not None and now >= code.valid_until:
        return "This code has expired."
    if not covers(code, ticket_type):
        return f"This code does not apply to {ticket_type.name} tickets."
    if code.max_uses is not None:
        left = code.max_uses - promo_code_uses(code)
        if quantity > left:
            return (
                "This code has been used up."
                if left <= 0
                else f"This code has {left} use(s) left, for {left} seat(s)."
            )
    return None


def check_usable(code: PromoCode, ticket_type: TicketType, quantity: int, *, reveal: bool):
    reason = why_unusable(code, ticket_type, quantity, timezone.now())
    if reason is not None:
        raise refusal(reason, reveal=reveal)


def unit_price(code: PromoCode | None, price: Decimal, currency: str) -> Decimal:
    """One seat's price after `code`: never below zero, rounded to the currency's smallest
    unit."""
    if code is None or code.discount_type == DiscountType.NONE:
        return price
    if code.discount_type == DiscountType.PERCENT:
        discounted = price * (Decimal(100) - code.discount_value) / Decimal(100)
    else:
        discounted = price - code.discount_value
    return max(round_to_minor_unit(discounted, currency), Decimal("0.00"))
