import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from payments import services
from payments.documents import invoice_pdf
from payments.models import Invoice, Refund, RefundStatus

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invoice(invoice_id: int) -> bool:
    """E-mail the invoice as a PDF to the address it is billed to, and note when it was sent.
    Returns whether a mail went out (an invoice without an address has nowhere to go)."""
    invoice = Invoice.objects.select_related("payment").get(pk=invoice_id)
    address = invoice.billed_to.get("email")
    if not address:
        return False
    message = EmailMessage(
        subject=f"Your invoice {invoice.number} from {settings.SITE_NAME}",
        body=(
            f"Hello {invoice.billed_to.get('name') or ''},\n\n"
            f"Attached is invoice {invoice.number} for {invoice.total} {invoice.currency}.\n\n"
            f"The {settings.SITE_NAME} team"
        ),
        to=[address],
    )
    message.attach(f"{invoice.number}.pdf", invoice_pdf(invoice), "application/pdf")
    message.send()
    with transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=timezone.now())
    return True


@shared_task
def send_pending_refunds() -> int:
    """Ask the gateway again for refunds it has not taken yet (it was down, or refused for a
    reason that may pass), a minute after they were recorded. Returns how many it settled."""
    waiting = Refund.objects.filter(
        status=RefundStatus.PENDING,
        provider_refund_id="",
        created_at__lte=timezone.now() - timedelta(minutes=1),
    ).values_list("pk", flat=True)
    settled = 0
    for refund_id in waiting:
        try:
            refund = services.send_refund(refund_id=refund_id)
        except Exception:  # one refund that fails must not hold back the ones after it
            logger.exception("Sending refund #%s failed; it stays pending", refund_id)
            continue
        settled += refund.status != RefundStatus.PENDING
    return settled
