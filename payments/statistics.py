"""What payments add to the numbers of lower apps (registered in `PaymentsConfig.ready()`):
an event's revenue and refunds, and the dashboards' revenue per currency. Revenue is money
taken and kept: what payments took, less what was given back."""

from decimal import Decimal

from django.db.models import Count, Sum

from payments.models import PAID_STATUSES, Payment, PaymentStatus
from registrations.statistics import promo_code_rows

ZERO = Decimal("0.00")


def _money(value) -> str:
    return str((value or ZERO).quantize(Decimal("0.01")))


def event_money(event) -> dict:
    """The event's part of `events/{id}/statistics/` (in the event's currency): revenue and
    refunds, and the money each promo code's payments kept."""
    totals = Payment.objects.filter(registration__event=event, status__in=PAID_STATUSES).aggregate(
        taken=Sum("amount"), refunded=Sum("refunded_amount")
    )
    taken, refunded = totals["taken"] or ZERO, totals["refunded"] or ZERO
    by_code = (
        Payment.objects.filter(
            registration__event=event,
            registration__promo_code__isnull=False,
            status__in=PAID_STATUSES,
        )
        .values("registration__promo_code")
        .annotate(taken=Sum("amount"), refunded=Sum("refunded_amount"))
        .order_by()
    )
    kept = {
        row["registration__promo_code"]: Decimal(_money(row["taken"] - row["refunded"]))
        for row in by_code
    }
    return {
        "total_revenue": _money(taken - refunded),
        "refunded_amount": _money(refunded),
        "by_promo_code": promo_code_rows(event, revenue=kept),
    }


def _by_currency(payments) -> dict:
    rows = (
        payments.filter(status__in=PAID_STATUSES)
        .values("currency")
        .annotate(taken=Sum("amount"), refunded=Sum("refunded_amount"))
        .order_by("currency")
    )
    return {
        row["currency"]: {
            "revenue": _money(row["taken"] - row["refunded"]),
            "refunded": _money(row["refunded"]),
        }
        for row in rows
    }


def organizer_money(user) -> dict:
    """The organizer's dashboard: revenue and refunds of their events, per currency."""
    return {"revenue": _by_currency(Payment.objects.filter(registration__event__organizer=user))}


def platform_money(user) -> dict:
    """The admins' dashboard: payments by status, and revenue and refunds per currency."""
    by_status = {status: 0 for status in PaymentStatus.values}
    by_status.update(Payment.objects.values_list("status").annotate(n=Count("id")))
    return {"payments_by_status": by_status, "revenue": _by_currency(Payment.objects.all())}
