"""`events/{id}/statistics/`: the organizer's numbers for one event, assembled from parts.

Registrations contribute what they know (attendees, check-ins, seats, the waitlist, sales by
ticket type and by day, and, until payments record money, revenue as what confirmed
registrations cost). Apps above add theirs in `AppConfig.ready()` (reviews: the rating;
payments: revenue and refunds), so this module never imports them. A later part overrides an
earlier one's keys. Keys no part gives take their defaults from `EventStatisticsSerializer`.
"""

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from config.contributions import Contributions
from events.models import Event
from events.selectors import spots_left
from registrations.models import (
    PromoCode,
    Registration,
    RegistrationStatus,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
)
from registrations.selectors import (
    promo_code_uses_by_code,
    seats_taken,
    seats_taken_by_ticket_type,
)

statistics_parts = Contributions("an event's statistics")


def event_statistics(event: Event) -> dict:
    statistics: dict = {"currency": event.currency}
    for part in statistics_parts:
        statistics.update(part(event))
    return statistics


CENTS = Decimal("0.01")


def promo_code_rows(event: Event, revenue: dict[int, Decimal] | None = None) -> list[dict]:
    """`by_promo_code[]`: each code of the event with its `uses` (seats held with it now),
    the `discount_total` its confirmed registrations were given, and their `revenue`: what
    they cost, or, from payments' part, the money `revenue` says each code's payments kept."""
    confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
    zero = Decimal("0.00")
    codes = (
        PromoCode.objects.filter(event=event)
        .annotate(
            uses=promo_code_uses_by_code(),
            discount_total=Coalesce(Sum("registrations__discount_amount", filter=confirmed), zero),
            cost=Coalesce(Sum("registrations__total_price", filter=confirmed), zero),
        )
        .order_by("code")
    )
    return [
        {
            "code": code.code,
            "uses": code.uses,
            "discount_total": str(code.discount_total.quantize(CENTS)),
            "revenue": str(
                (code.cost if revenue is None else revenue.get(code.pk, zero)).quantize(CENTS)
            ),
        }
        for code in codes
    ]


@statistics_parts.register
def registrations_part(event: Event) -> dict:
    now = timezone.now()
    taken = seats_taken(event)
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
    by_type = [
        {
            "id": ticket_type.id,
            "name": ticket_type.name,
            "price": str(ticket_type.price),
            "quantity": ticket_type.quantity,
            "sold": ticket_type.sold,
            "available": max(ticket_type.quantity - ticket_type.sold, 0),
            "is_active": ticket_type.is_active,
        }
        for ticket_type in event.ticket_types.annotate(
            sold=seats_taken_by_ticket_type(now)
        ).order_by("price", "id")
    ]
    by_day = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(registrations=Count("id"), seats=Sum("quantity"))
        .order_by("day")
    )
    totals = confirmed.aggregate(seats=Sum("quantity"), revenue=Sum("total_price"))
    return {
        "total_attendees": totals["seats"] or 0,
        "checked_in": Ticket.objects.filter(event=event, checked_in_at__isnull=False).count(),
        "available_spots": spots_left(
            capacity=event.capacity,
            taken=taken,
            ticket_types=((t["quantity"], t["sold"], t["is_active"]) for t in by_type),
        ),
        "waitlist_count": WaitlistEntry.objects.filter(
            event=event, status=WaitlistStatus.WAITING
        ).count(),
        "total_revenue": str(totals["revenue"] or Decimal("0.00")),
        "by_ticket_type": by_type,
        "by_promo_code": promo_code_rows(event),
        "registrations_by_day": [
            {
                "date": row["day"].isoformat(),
                "registrations": row["registrations"],
                "seats": row["seats"],
            }
            for row in by_day
        ],
    }
