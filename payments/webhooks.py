"""What the gateways tell us on their own: webhooks, checked on their raw body, stored once by
their event id (a replay, or the same event delivered twice at once, changes nothing), and
applied through the same services as the client's verify call, in whatever order they come."""

from django.db import IntegrityError, transaction
from django.db.models import Q

from config.exceptions import ApplicationError
from payments import services
from payments.models import Payment, WebhookEvent
from payments.providers import GATEWAYS
from payments.providers.base import InvalidSignature, NoticeKind, ProviderDisabled


def receive(*, provider: str, body: bytes, headers: dict) -> WebhookEvent:
    """Check, store and apply one webhook of `provider`. A bad or missing signature is a 400
    and nothing is stored."""
    gateway = GATEWAYS[provider]()
    try:
        notice = gateway.read_webhook(body=body, headers=headers)
    except InvalidSignature as exc:
        raise ApplicationError(
            "The webhook's signature does not check.", code="invalid_signature"
        ) from exc
    except ProviderDisabled as exc:
        raise ApplicationError(
            f"Webhooks from {provider!r} are not configured here.", code="provider_disabled"
        ) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    provider=provider,
                    event_id=notice.event_id,
                    event_type=notice.event_type,
                    payload=notice.payload,
                )
        except IntegrityError:  # seen before (or being handled right now): nothing to do
            return WebhookEvent.objects.get(provider=provider, event_id=notice.event_id)
        if notice.kind == NoticeKind.OTHER:
            event.outcome = "ignored"
        else:
            event.payment = _payment_of(provider, notice)
            event.outcome = _apply(event.payment, notice) if event.payment else "no payment of ours"
        event.save(update_fields=["payment", "outcome"])
    return event


def _payment_of(provider: str, notice) -> Payment | None:
    ids = Q()
    if notice.order_id:
        ids |= Q(provider_order_id=notice.order_id)
    if notice.payment_id:
        ids |= Q(provider_payment_id=notice.payment_id)
    if not ids:
        return None
    return Payment.objects.filter(ids, provider=provider).order_by("-created_at").first()


def _apply(payment: Payment, notice) -> str:
    if notice.kind == NoticeKind.PAYMENT_SUCCEEDED:
        payment = services.apply_success(payment=payment, provider_payment_id=notice.payment_id)
        return f"payment {payment.status}"
    if notice.kind == NoticeKind.PAYMENT_FAILED:
        payment = services.apply_failure(payment=payment, reason=notice.failure_reason)
        return f"payment {payment.status}"
    return _refunded(payment, notice)  # NoticeKind.REFUNDED


def _refunded(payment: Payment, notice) -> str:
    return services.reconcile_gateway_refund(
        payment=payment,
        refund_id=notice.refund_id,
        amount=notice.amount,
        refunded_total=notice.refunded_total,
    )
