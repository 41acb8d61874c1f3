from django.db.models import QuerySet

from payments.models import Invoice, Payment
from registrations.selectors import own_or_organized


def visible_payments(user) -> QuerySet[Payment]:
    """A user's own payments, those for events they organize, or all for admins."""
    return own_or_organized(Payment.objects.all(), user, own="user", event="registration__event_id")


def visible_invoices(user) -> QuerySet[Invoice]:
    """The invoices of the payments a user may see."""
    return own_or_organized(
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
