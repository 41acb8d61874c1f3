from django.db.models import Q, QuerySet

from events.models import Event
from payments.models import Invoice, Payment


def _own_or_organized(rows: QuerySet, user, *, own: str, event: str) -> QuerySet:
    """Rows that are the user's own (through `own`), or of events they organize (through
    `event`); all for admins, none for anonymous users."""
    if not user.is_authenticated:
        return rows.none()
    if user.is_admin:
        return rows
    mine = Q(**{own: user})
    if not user.is_organizer:
        return rows.filter(mine)
    organized = list(Event.objects.filter(organizer=user).values_list("pk", flat=True))
    return rows.filter(mine | Q(**{f"{event}__in": organized}))


def visible_payments(user) -> QuerySet[Payment]:
    """A user's own payments, those for events they organize, or all for admins."""
    return _own_or_organized(
        Payment.objects.all(), user, own="user", event="registration__event_id"
    )


def visible_invoices(user) -> QuerySet[Invoice]:
    """The invoices of the payments a user may see."""
    return _own_or_organized(
        Invoice.objects.all(), user, own="payment__user", event="payment__registration__event_id"
    )


def receipt(payment: Payment) -> dict:
    """The payer's receipt: what was paid, for what, and what came back."""
    registration = payment.registration
    event = registration.event
    invoice = Invoice.objects.filter(payment=payment).values_list("number", flat=True).first()
    return {
        "transaction_id": payment.transaction_id,
        "status": payment.status,
        "provider": payment.provider,
        "amount": payment.amount,
        "refunded_amount": payment.refunded_amount,
        "currency": payment.currency,
        "paid_at": payment.processed_at if payment.status != "pending" else None,
        "payer": {"name": payment.user.full_name, "email": payment.user.email},
        "event": {"id": event.pk, "title": event.title, "starts_at": event.starts_at.isoformat()},
        "registration": {
            "id": registration.pk,
            "ticket_type": registration.ticket_type.name,
            "quantity": registration.quantity,
            "unit_price": str(registration.unit_price),
        },
        "invoice_number": invoice,
        "refunds": list(payment.refunds.all()),
    }
