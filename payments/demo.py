"""Demo payments for `seed_demo`, through the mock gateway (only where it is switched on):
paid registrations with their invoices, a payment still pending, and refunds."""

from decimal import Decimal

from django.conf import settings

from events.models import Event
from payments import services
from registrations.models import Registration
from registrations.services import booking
from users.models import User

# (event slug, attendee, what happens): paid, pending, refunded (in full), partly refunded.
PAYMENTS = [
    ("drf-deep-dive", "carol", "paid"),
    ("drf-deep-dive", "dave", "pending"),
    ("drf-deep-dive", "erin", "refunded"),
    ("scaling-postgres-masterclass", "bob", "paid"),
    ("scaling-postgres-masterclass", "alice", "partly refunded"),
]


def seed(log) -> None:
    if not settings.PAYMENTS_MOCK_ENABLED:
        log("Payments: skipped (the mock gateway is off: PAYMENTS_MOCK_ENABLED).")
        return
    users = {user.username: user for user in User.objects.all()}
    events = {event.slug: event for event in Event.objects.all()}
    made = 0
    for slug, username, outcome in PAYMENTS:
        event, user = events[slug], users[username]
        if Registration.objects.filter(event=event, user=user).exists():
            continue
        registration = booking.register_for_event(user=user, event=event)
        if event.requires_approval:
            booking.approve_registration(registration=registration, actor=event.organizer)
        payment, _ = services.start_payment(registration=registration, user=user, provider="mock")
        made += 1
        if outcome == "pending":
            continue
        payment = services.verify_payment(payment=payment, data={"outcome": "succeeded"})
        if outcome == "refunded":
            services.refund_payment(
                payment=payment, actor=event.organizer, reason="Could not attend (demo)."
            )
        elif outcome == "partly refunded":
            services.refund_payment(
                payment=payment,
                amount=(payment.amount / 2).quantize(Decimal("0.01")),
                actor=event.organizer,
                reason="Goodwill discount (demo).",
            )
    log(f"Payments: {made} made through the mock gateway (paid, pending and refunded).")
