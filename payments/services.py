"""Taking money for a registration, exactly once.

The amount and currency always come from the registration. A gateway is called outside any
lock on the event; what it answers is applied under locks: the event's first (the order every
change to seats takes), then the payment's row. A success is applied once whichever way it
arrives (the client's verify call, the gateway's webhook, both, concurrently): the second finds
the payment no longer pending and changes nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from rest_framework import status

from config.db import lock_one
from config.exceptions import ApplicationError, Conflict, ConflictCode
from config.facts import Origin, record
from events.services import lock_event
from payments import facts
from payments.models import (
    PAID_STATUSES,
    Invoice,
    InvoiceCounter,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from payments.providers import gateway as find_gateway
from payments.providers.base import (
    Gateway,
    GatewayRefused,
    GatewayUnavailable,
    InvalidSignature,
    Outcome,
    ProviderDisabled,
)
from registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from registrations.services import booking, seats
from users.models import User

TAKES_SEATS_AGAIN = (RegistrationStatus.PENDING, RegistrationStatus.EXPIRED)


def gateway(provider: str) -> Gateway:
    try:
        return find_gateway(provider)
    except ProviderDisabled:
        raise ApplicationError(
            f"Payments with {provider!r} are not available here.",
            code="provider_disabled",
            details={"provider": [f"{provider!r} is not configured."]},
        ) from None


def call_gateway(method, **arguments):
    """A gateway call whose failure on the gateway's side is a 502 the client may retry: the
    caller has changed nothing yet."""
    try:
        return method(**arguments)
    except GatewayUnavailable as exc:
        raise ApplicationError(
            "The payment provider is not answering; nothing was charged. Please try again.",
            code="provider_unavailable",
            status_code=status.HTTP_502_BAD_GATEWAY,
        ) from exc
    except InvalidSignature as exc:
        raise ApplicationError(
            "The payment confirmation does not carry a valid signature.",
            code="invalid_signature",
        ) from exc
    except GatewayRefused as exc:
        raise ApplicationError(
            f"The payment provider refused: {exc.message}",
            code="payment_refused",
            details={"provider_code": exc.code} if exc.code else {},
        ) from exc
    except ValueError as exc:  # an amount the currency cannot express (1.5 JPY)
        raise ApplicationError(
            "This amount cannot be paid in this currency.",
            code="validation_error",
            details={"amount": [str(exc)]},
        ) from exc


def _check_payable(registration: Registration, amount: Decimal | None) -> None:
    if registration.is_free:
        raise Conflict(ConflictCode.INVALID_STATE, "This registration is free: nothing to pay.")
    if registration.status == RegistrationStatus.CONFIRMED:
        raise Conflict(ConflictCode.ALREADY_PAID, "This registration is paid.")
    if registration.display_status != RegistrationStatus.PENDING:
        raise Conflict(
            ConflictCode.INVALID_STATE,
            f"This registration is {registration.display_status}: it cannot be paid.",
        )
    if registration.event.requires_approval and registration.approved_at is None:
        raise Conflict(
            ConflictCode.INVALID_STATE, "This registration awaits the organizer's approval."
        )
    if amount is not None and amount != registration.total_price:
        raise ApplicationError(
            "The amount is set by the registration.",
            code="validation_error",
            details={"amount": [f"This registration costs {registration.total_price}."]},
        )


def start_payment(
    *,
    registration: Registration,
    user,
    provider: str,
    amount: Decimal | None = None,
    origin: Origin | None = None,
) -> tuple[Payment, bool]:
    """Start paying a pending registration at the server's price, through `provider`. While a
    payment of it through the same provider is pending, that one is returned (no second
    gateway order); one through another provider is replaced. Returns the payment and whether
    it is new. The registration's row lock makes two attempts at once
    wait for each other, so only one order is created."""
    chosen = gateway(provider)
    with transaction.atomic():
        registration = lock_one(
            Registration.objects.filter(pk=registration.pk).select_related("event")
        )
        _check_payable(registration, amount)
        pending = registration.payments.filter(status=PaymentStatus.PENDING).first()
        if pending is not None:
            if pending.provider == chosen.name:
                return pending, False
            # Paying another way: the checkout left behind no longer counts (should it still
            # succeed, its money finds the place paid and goes back).
            pending.status = PaymentStatus.FAILED
            pending.note = f"Replaced by a payment with {chosen.name}."
            pending.processed_at = timezone.now()
            pending.save(update_fields=["status", "note", "processed_at"])
        payment = Payment(
            registration=registration,
            user=user,
            provider=chosen.name,
            amount=registration.total_price,
            currency=registration.currency,
        )
        checkout = call_gateway(
            chosen.create_checkout,
            amount=payment.amount,
            currency=payment.currency,
            reference=payment.transaction_id,
            idempotency_key=payment.transaction_id,
        )
        payment.provider_order_id = checkout.order_id
        payment.client = checkout.client
        payment.save()
        record(
            facts.PAYMENT_CREATED,
            user=user,
            origin=origin,
            target=payment,
            data={
                "registration": registration.pk,
                "provider": payment.provider,
                "amount": str(payment.amount),
                "currency": payment.currency,
            },
        )
    return payment, True


def verify_payment(*, payment: Payment, data: dict, origin: Origin | None = None) -> Payment:
    """The client is back from the checkout: ask the gateway (or check what it signed) how it
    went, and apply that. A payment already settled is returned as it is."""
    if payment.status != PaymentStatus.PENDING:
        return payment
    state = call_gateway(
        gateway(payment.provider).confirm, order_id=payment.provider_order_id, data=data
    )
    if state.outcome == Outcome.SUCCEEDED:
        return apply_success(payment=payment, provider_payment_id=state.payment_id, origin=origin)
    if state.outcome == Outcome.FAILED:
        return apply_failure(payment=payment, reason=state.failure_reason, origin=origin)
    return payment


@transaction.atomic
def apply_success(
    *, payment: Payment, provider_payment_id: str, origin: Origin | None = None
) -> Payment:
    """The gateway took the money. Applied once: the registration is confirmed with its
    tickets, and the invoice issued. Money that arrives after the hold ran out confirms the
    registration when its seats are still free; when they are gone (or the registration was
    cancelled meanwhile, or is paid already) it is given back in full, never kept for nothing
    and never an oversold seat."""
    event = lock_event(payment.registration.event_id)
    payment = lock_one(Payment.objects.filter(pk=payment.pk))
    if payment.status in PAID_STATUSES:
        return payment
    now = timezone.now()
    registration = Registration.objects.select_related("user", "ticket_type", "event").get(
        pk=payment.registration_id
    )
    payment.status = PaymentStatus.SUCCEEDED
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.processed_at = now
    confirmed = _confirm_paid(registration, event=event, now=now, origin=origin)
    if not confirmed:
        payment.note = (
            "Paid after the registration's seats were no longer held for it: refunded in full."
        )
    payment.save()
    record(
        facts.PAYMENT_SUCCEEDED,
        user=payment.user,
        origin=origin,
        target=payment,
        data={
            "registration": registration.pk,
            "event": event.pk,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "confirmed": confirmed,
        },
    )
    if confirmed:
        issue_invoice(payment=payment, registration=registration, now=now)
    else:
        refund = Refund.objects.create(
            payment=payment, amount=payment.amount, reason=payment.note, status=RefundStatus.PENDING
        )
        transaction.on_commit(lambda: send_refund(refund_id=refund.pk), robust=True)
    return payment


def _confirm_paid(registration: Registration, *, event, now, origin) -> bool:
    """Confirm the paid registration if it may still have its seats. A hold that ran out is
    taken up again only as a new booking could be now: the event open for registration, the
    ticket type on sale, no other active place of the user's there, and the seats free.
    Under the event's lock."""
    holds = registration.status == RegistrationStatus.PENDING and (
        registration.expires_at is None or registration.expires_at > now
    )
    if not holds:
        could_book_now = (
            registration.status in TAKES_SEATS_AGAIN
            and event.is_registration_open
            and registration.ticket_type.is_on_sale
            and not Registration.objects.filter(
                event=event, user=registration.user, status__in=ACTIVE_STATUSES
            )
            .exclude(pk=registration.pk)
            .exists()
        )
        if not could_book_now:
            return False
        if seats.free_seats(event, registration.ticket_type) < registration.quantity:
            return False
        # The hold ran out but nobody took the seats: they are this registration's again.
        registration.status = RegistrationStatus.PENDING
        registration.expires_at = None
        registration.save(update_fields=["status", "expires_at"])
    seats.confirm(registration, now=now, actor=registration.user, origin=origin)
    return True


@transaction.atomic
def apply_failure(*, payment: Payment, reason: str, origin: Origin | None = None) -> Payment:
    """The gateway says the payment failed. The registration keeps its hold: the user may pay
    again while it lasts. A payment that already succeeded stays succeeded."""
    payment = lock_one(Payment.objects.filter(pk=payment.pk))
    if payment.status != PaymentStatus.PENDING:
        return payment
    payment.status = PaymentStatus.FAILED
    payment.note = (reason or "The payment failed.")[:255]
    payment.processed_at = timezone.now()
    payment.save(update_fields=["status", "note", "processed_at"])
    record(
        facts.PAYMENT_FAILED,
        user=payment.user,
        origin=origin,
        target=payment,
        data={
            "registration": payment.registration_id,
            "event": payment.registration.event_id,
            "reason": payment.note,
        },
    )
    return payment


def next_invoice_number(year: int) -> str:
    """The next number of the year, `INV-YYYY-NNNNNN`: the year's counter row is locked until
    the caller's transaction ends, so numbers are consecutive and never shared."""
    InvoiceCounter.objects.get_or_create(year=year)
    counter = lock_one(InvoiceCounter.objects.filter(year=year))
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"INV-{year}-{counter.last_number:06d}"


def invoice_lines(registration: Registration, amount: Decimal) -> list[dict]:
    """The seats at the ticket type's price and, when a promo code took something off, the
    discount as a line of its own: the lines add up to `amount`, what was paid."""
    discount = registration.discount_amount
    seats = {
        "description": f"{registration.event.title}: {registration.ticket_type.name}",
        "quantity": registration.quantity,
        "unit_price": str(
            (registration.unit_price + discount / registration.quantity).quantize(Decimal("0.01"))
        ),
        "amount": str(amount + discount),
    }
    if not discount:
        return [seats]
    return [
        seats,
        {
            "description": f"Promo code {registration.promo_code.code}",
            "quantity": 1,
            "unit_price": str(-discount),
            "amount": str(-discount),
        },
    ]


def issue_invoice(*, payment: Payment, registration: Registration, now) -> Invoice:
    """The invoice of a successful payment. Prices include tax at INVOICE_TAX_RATE percent."""
    rate = Decimal(str(settings.INVOICE_TAX_RATE))
    tax = (payment.amount * rate / (100 + rate)).quantize(Decimal("0.01"))
    user = registration.user
    invoice = Invoice.objects.create(
        number=next_invoice_number(now.year),
        payment=payment,
        billed_to={"name": user.full_name, "email": user.email, "username": user.username},
        lines=invoice_lines(registration, payment.amount),
        subtotal=payment.amount - tax,
        tax=tax,
        total=payment.amount,
        currency=payment.currency,
        issued_at=now,
    )
    record(
        facts.INVOICE_ISSUED,
        user=payment.user,
        target=invoice,
        data={"payment": payment.pk, "number": invoice.number},
    )
    return invoice


def _confirmed_it(payment: Payment) -> bool:
    """Whether this payment is the one that confirmed its registration (it has the invoice):
    only giving that one back takes the place away. A second payment of the same place,
    refunded because the place was paid already, leaves it alone."""
    return Invoice.objects.filter(payment=payment).exists()


def _reserved(payment: Payment) -> Decimal:
    """What refunds still in flight have promised from the payment."""
    pending = payment.refunds.filter(status=RefundStatus.PENDING).aggregate(total=Sum("amount"))
    return pending["total"] or Decimal("0.00")


@transaction.atomic
def refund_payment(
    *,
    payment: Payment,
    amount: Decimal | None = None,
    actor=None,
    reason: str = "",
    origin: Origin | None = None,
) -> Refund:
    """Give back `amount` of a payment (default: all that remains), through its gateway after
    the commit. Never above what remains once the refunds in flight are counted, under the
    payment's lock, however many ask at once. A refund that leaves nothing cancels the
    registration (by the organizer: its seats go to the waitlist, its tickets stop counting)."""
    event = lock_event(payment.registration.event_id)
    payment = lock_one(Payment.objects.filter(pk=payment.pk))
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED):
        raise Conflict(ConflictCode.NOT_REFUNDABLE, f"This payment is {payment.status}.")
    remaining = payment.amount - payment.refunded_amount - _reserved(payment)
    if remaining <= 0:
        raise Conflict(ConflictCode.NOT_REFUNDABLE, "Everything paid is already refunded.")
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise ApplicationError(
            f"At most {remaining} {payment.currency} is left to refund.",
            code="validation_error",
            details={"amount": [f"Ensure this value is at most {remaining}."]},
        )
    refund = Refund.objects.create(
        payment=payment, amount=amount, reason=reason[:255], requested_by=actor
    )
    registration = payment.registration
    if amount == remaining and registration.is_active and _confirmed_it(payment):
        now = timezone.now()
        booking.release([registration], by_manager=True, actor=actor, now=now, origin=origin)
        seats.promote_waitlist(event=event, now=now)
    transaction.on_commit(lambda: send_refund(refund_id=refund.pk), robust=True)
    return refund


def refund_cancellation(fact) -> None:
    """After a registration is cancelled (by its holder, the organizer, or with its event):
    give back what the cancellation rules said is due, from its payment, once (what was
    already refunded or is in flight counts)."""
    due = Decimal(fact.data.get("refund_due") or "0")
    if due <= 0:
        return
    payment = Payment.objects.filter(  # the one that paid for the place: it has the invoice
        registration_id=fact.target_id,
        status__in=(PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED),
        invoice__isnull=False,
    ).first()
    if payment is None:
        return
    remaining = payment.amount - payment.refunded_amount - _reserved(payment)
    if remaining > 0:
        refund_payment(
            payment=payment,
            amount=min(due, remaining),
            actor=User.objects.filter(pk=fact.user_id).first(),
            reason="Registration cancelled.",
        )


def send_refund(*, refund_id: int) -> Refund:
    """Ask the gateway for a refund already recorded as pending (after the commit that recorded
    it), and record what it answered. A gateway that is down leaves it pending, to retry."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != RefundStatus.PENDING or refund.provider_refund_id:
        return refund
    payment = refund.payment
    try:
        result = find_gateway(payment.provider).refund(
            order_id=payment.provider_order_id,
            payment_id=payment.provider_payment_id,
            amount=refund.amount,
            currency=payment.currency,
            idempotency_key=f"refund_{refund.pk}_{payment.transaction_id}",
        )
    except (GatewayUnavailable, ProviderDisabled):
        return refund  # still pending: sent again later (`tasks.send_pending_refunds`)
    except (GatewayRefused, ValueError) as refusal:
        refund.reason = f"{refund.reason} Refused by the provider: {refusal}"[:255].strip()
        refund.save(update_fields=["reason"])
        return settle_refund(refund=refund, provider_refund_id="", outcome=Outcome.FAILED)
    return settle_refund(refund=refund, provider_refund_id=result.refund_id, outcome=result.outcome)


@transaction.atomic
def settle_refund(*, refund: Refund, provider_refund_id: str, outcome: Outcome) -> Refund:
    """Record what the gateway did with a refund: once it succeeded, the payment counts it. A
    payment refunded in full no longer pays for a place: a registration still active (the
    refund was made at the gateway itself) is cancelled, its seats given out."""
    event = lock_event(refund.payment.registration.event_id)
    payment = lock_one(Payment.objects.filter(pk=refund.payment_id))
    refund = lock_one(Refund.objects.filter(pk=refund.pk))
    refund.provider_refund_id = provider_refund_id or refund.provider_refund_id
    if refund.status == RefundStatus.PENDING and outcome != Outcome.PENDING:
        refund.status = (
            RefundStatus.SUCCEEDED if outcome == Outcome.SUCCEEDED else RefundStatus.FAILED
        )
        refund.processed_at = timezone.now()
        if refund.status == RefundStatus.FAILED:
            record(
                facts.REFUND_FAILED,
                user=refund.requested_by,
                target=refund,
                data={"payment": payment.pk, "amount": str(refund.amount), "reason": refund.reason},
            )
        if refund.status == RefundStatus.SUCCEEDED:
            payment.refunded_amount += refund.amount
            payment.status = (
                PaymentStatus.REFUNDED
                if payment.refunded_amount >= payment.amount
                else PaymentStatus.PARTIALLY_REFUNDED
            )
            payment.save(update_fields=["refunded_amount", "status"])
            registration = payment.registration
            if (
                payment.status == PaymentStatus.REFUNDED
                and registration.is_active
                and _confirmed_it(payment)
            ):
                now = timezone.now()
                booking.release([registration], by_manager=True, actor=refund.requested_by, now=now)
                seats.promote_waitlist(event=event, now=now)
            record(
                facts.REFUND_ISSUED,
                user=refund.requested_by,
                target=refund,
                data={
                    "payment": payment.pk,
                    "user": payment.user_id,
                    "event": payment.registration.event_id,
                    "amount": str(refund.amount),
                    "currency": payment.currency,
                    "reason": refund.reason,
                },
            )
    refund.save()
    return refund


@transaction.atomic
def reconcile_gateway_refund(
    *,
    payment: Payment,
    refund_id: str = "",
    amount: Decimal | None = None,
    refunded_total: Decimal | None = None,
) -> str:
    """A gateway says money was given back: one of our refunds it confirms, or one made at the
    gateway itself (its dashboard), recorded so the books match. `amount` is this refund
    (Razorpay), `refunded_total` all refunded so far (Stripe). Under the event's lock, then
    the payment's, like every refund. A refund reported before the payment's success applies
    that success first: the money was taken before it was given back. Returns what it did."""
    event_id = payment.registration.event_id
    lock_event(event_id)
    payment = lock_one(Payment.objects.filter(pk=payment.pk))
    ours = payment.refunds.filter(provider_refund_id=refund_id).first() if refund_id else None
    if ours is not None:
        settle_refund(refund=ours, provider_refund_id=refund_id, outcome=Outcome.SUCCEEDED)
        return "refund confirmed"
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        apply_success(payment=payment, provider_payment_id="")
    payment.refresh_from_db()
    pending = list(payment.refunds.filter(status=RefundStatus.PENDING).order_by("id"))
    if refunded_total is not None:
        amount = refunded_total - payment.refunded_amount
        for refund in pending:  # ours, taken by the gateway, not yet answered
            if Decimal("0") < refund.amount <= amount:
                settle_refund(refund=refund, provider_refund_id="", outcome=Outcome.SUCCEEDED)
                amount -= refund.amount
    else:
        same = next((r for r in pending if r.amount == amount and not r.provider_refund_id), None)
        if same is not None:
            settle_refund(refund=same, provider_refund_id=refund_id, outcome=Outcome.SUCCEEDED)
            return "refund confirmed"
    payment.refresh_from_db()
    if amount is None or amount <= 0 or payment.status not in PAID_STATUSES:
        return "refund already counted"
    amount = min(amount, payment.amount - payment.refunded_amount - _reserved(payment))
    if amount <= 0:
        return "refund already counted"
    refund = Refund.objects.create(
        payment=payment,
        amount=amount,
        provider_refund_id=refund_id,
        reason="Refunded at the payment provider.",
    )
    settle_refund(refund=refund, provider_refund_id=refund_id, outcome=Outcome.SUCCEEDED)
    return "refund recorded"
