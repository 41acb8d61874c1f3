"""What a promo code offers on an event's page (`events/{id}/?promo_code=`), for the catalogue's
`code_offers`: the same checks as at booking, for one seat, told to nobody."""

from django.utils import timezone

from config.exceptions import ApplicationError
from events.models import Event, TicketType
from events.selectors import CodeOffer
from registrations.services import promo


def promo_code_offer(event: Event, raw: str, viewer) -> CodeOffer | None:
    """The hidden types the code opens and its price of each type it covers, when it could be
    used now for one seat of them; None otherwise (unknown, switched off, out of its dates,
    used up), which reads exactly like no code at all."""
    try:
        code = promo.find_code(event, raw, reveal=False)
    except ApplicationError:
        return None
    covered = [each for each in TicketType.objects.filter(event=event) if promo.covers(code, each)]
    if not covered or promo.why_unusable(code, covered[0], 1, timezone.now()) is not None:
        return None
    return CodeOffer(
        unlocked=frozenset(each.pk for each in covered if each.is_hidden),
        prices={each.pk: promo.unit_price(code, each.price, event.currency) for each in covered},
    )
