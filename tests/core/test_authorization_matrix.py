"""Who may call what: one table, `MATRIX`, with a row for every operation of the API under
`/api/v1/` and, in each row, the status each of six actors gets.

The actors (`ROLES`, the column order of every row):

- `anonymous`: no credentials;
- `attendee`: holds the registration, tickets, waitlist entry and progress used below;
- `other_attendee`: another attendee, with no relation to any of them;
- `organizer`: organizes every event used below;
- `other_organizer`: an organizer of none of them;
- `admin`: staff.

Each cell is its own test (`test_cell[<METHOD> <path> <role>]`) with its own database: the
`world` fixture builds the same objects each time (see `World`), the row's `target` names the
object whose id fills the path, and its `body` builds a body that is valid for the roles the
row allows, so that the status tells about authorization, not validation. Every refused cell
(any status of 400 or more) must also answer the API's error shape.

Two more tests keep the table honest: every operation that the OpenAPI schema or the URL
resolver knows has exactly one row, and every row is an operation that still exists.

Adding an endpoint (payments, notifications, reviews, certificates...) fails
`test_every_endpoint_has_a_row` until it has a row. To add one:

1. add the key `("METHOD", "/api/v1/path/{id}/")`, spelled as in the schema
   (`/api/v1/schema/`), to `MATRIX`, in path order;
2. give `Row(...)` the six statuses, in the order of `ROLES`, that the docs (`docs/api.md`)
   promise; objects a user may not see are 404, a wrong role on a visible object is 403,
   no credentials where they are needed is 401;
3. `target=` the attribute of `World` whose id (or code) fills the path parameter, adding the
   object to `World.__init__` when it is new (build it so the allowed roles succeed: a payment
   that may still be refunded, a certificate not yet downloaded...);
4. `body=` a function `(world, actor) -> dict` for unsafe methods.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from djoser.utils import encode_uid
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from events.models import EventStatus
from payments.services import issue_invoice
from registrations.models import PromoCode, RegistrationStatus, SessionProgress
from tests.factories import (
    TEST_PASSWORD,
    ActivityLogFactory,
    AdminFactory,
    CategoryFactory,
    CertificateFactory,
    EventFactory,
    NotificationFactory,
    OrganizerFactory,
    PaymentFactory,
    RegistrationFactory,
    ReviewFactory,
    SessionFactory,
    TicketFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
    WebhookFactory,
)
from tests.helpers import ERROR_KEYS, iso

ROLES = ("anonymous", "attendee", "other_attendee", "organizer", "other_organizer", "admin")

# The `error_code` a refusal must carry, by status (other statuses: only the shape is checked).
REFUSAL_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


@dataclass(frozen=True)
class Row:
    """Expected statuses in `ROLES` order; `target`: the `World` attribute that fills the path
    parameter; `body(world, actor)`: the request body, valid for the allowed roles."""

    statuses: tuple[int, int, int, int, int, int]
    target: str | None = None
    body: Callable | None = field(default=None, repr=False)


def everyone(status: int) -> tuple[int, ...]:
    return (status,) * len(ROLES)


def signed_in(status: int) -> tuple[int, ...]:
    return (401,) + (status,) * (len(ROLES) - 1)


# --- Bodies, each valid for the roles allowed to send it. -----------------------------------


def event_body(w, actor):
    starts = w.event.starts_at
    return {
        "title": "Renamed",
        "starts_at": iso(starts),
        "ends_at": iso(starts + timedelta(hours=3)),
        "capacity": 60,
    }


def session_body(w, actor):
    return {
        "event": w.event.pk,
        "title": "A talk",
        "starts_at": iso(w.event.starts_at),
        "ends_at": iso(w.event.starts_at + timedelta(hours=1)),
    }


def promo_code_body(w, actor):
    return {
        "event": w.event.pk,
        "code": "WELCOME10",
        "discount_type": "percent",
        "discount_value": "10",
    }


def ticket_type_body(w, actor):
    return {"event": w.event.pk, "name": "Late bird", "price": "0.00", "quantity": 40}


def category_body(w, actor):
    return {"name": "Renamed category", "slug": "renamed-category"}


def sign_up_body(w, actor):
    return {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password": TEST_PASSWORD,
        "first_name": "New",
        "last_name": "Comer",
    }


def reset_confirm_body(w, actor):
    return {
        "uid": encode_uid(w.attendee.pk),
        "token": default_token_generator.make_token(w.attendee),
        "new_password": "Another-Horse-43",
    }


def own_refresh(w, actor):
    """A refresh token of the caller (anonymous callers send the attendee's)."""
    return {"refresh": str(RefreshToken.for_user(actor or w.attendee))}


def me_body(w, actor):
    """A whole account for PUT; the e-mail address unchanged, so no `current_password`."""
    return {"email": (actor or w.attendee).email, "first_name": "Renamed", "last_name": "Person"}


# Bodies of the activation endpoints: well-formed; the answer is 400 `activation_disabled`
# while e-mail activation is off (the default).
def activation_body(w, actor):
    return {"uid": encode_uid(w.attendee.pk), "token": "set-by-the-mailed-link"}


def webhook_body(w, actor):
    """A public address written as an IP, so that checking it needs no DNS."""
    return {"url": "https://8.8.8.8/hooks", "events": ["registration.created"]}


MATRIX: dict[tuple[str, str], Row] = {
    # Statuses in ROLES order:
    # (anonymous, attendee, other_attendee, organizer, other_organizer, admin)
    ("GET", "/api/v1/"): Row(everyone(200)),
    ("GET", "/api/v1/schema/"): Row(everyone(200)),
    ("GET", "/api/v1/docs/"): Row(everyone(200)),
    # Activity log: admins only.
    ("GET", "/api/v1/activity-logs/"): Row((401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/activity-logs/{id}/"): Row((401, 403, 403, 403, 403, 200), target="log"),
    # Tokens.
    ("POST", "/api/v1/auth/jwt/create/"): Row(
        everyone(200),
        body=lambda w, actor: {"username": w.attendee.username, "password": TEST_PASSWORD},
    ),
    ("POST", "/api/v1/auth/jwt/logout/"): Row(signed_in(205), body=own_refresh),
    ("POST", "/api/v1/auth/jwt/refresh/"): Row(everyone(200), body=own_refresh),
    ("POST", "/api/v1/auth/jwt/verify/"): Row(
        everyone(200),
        body=lambda w, actor: {"token": str(RefreshToken.for_user(w.attendee).access_token)},
    ),
    ("POST", "/api/v1/auth/password_strength/"): Row(
        everyone(200), body=lambda w, actor: {"password": "Tr0ub4dor&3"}
    ),
    # Accounts.
    ("POST", "/api/v1/auth/users/"): Row(everyone(201), body=sign_up_body),
    ("POST", "/api/v1/auth/users/activation/"): Row(everyone(400), body=activation_body),
    ("GET", "/api/v1/auth/users/me/"): Row(signed_in(200)),
    ("PUT", "/api/v1/auth/users/me/"): Row(signed_in(200), body=me_body),
    ("PATCH", "/api/v1/auth/users/me/"): Row(
        signed_in(200), body=lambda w, actor: {"bio": "Hello."}
    ),
    ("DELETE", "/api/v1/auth/users/me/"): Row(
        signed_in(204), body=lambda w, actor: {"current_password": TEST_PASSWORD}
    ),
    ("POST", "/api/v1/auth/users/resend_activation/"): Row(
        everyone(400), body=lambda w, actor: {"email": w.attendee.email}
    ),
    ("POST", "/api/v1/auth/users/reset_password/"): Row(
        everyone(204), body=lambda w, actor: {"email": w.attendee.email}
    ),
    ("POST", "/api/v1/auth/users/reset_password_confirm/"): Row(
        everyone(204), body=reset_confirm_body
    ),
    ("POST", "/api/v1/auth/users/set_password/"): Row(
        signed_in(204),
        body=lambda w, actor: {
            "current_password": TEST_PASSWORD,
            "new_password": "Another-Horse-43",
        },
    ),
    # Categories: read by anyone, written by admins. `spare_category` holds no event.
    # Certificates: the holder's, the event's organizer's and admins'; verifying is public.
    ("GET", "/api/v1/certificates/"): Row(signed_in(200)),
    ("GET", "/api/v1/certificates/verify/{number}/"): Row(everyone(200), target="certificate"),
    ("GET", "/api/v1/certificates/{id}/"): Row(
        (401, 200, 404, 200, 404, 200), target="certificate"
    ),
    ("POST", "/api/v1/certificates/{id}/mark_as_downloaded/"): Row(
        (401, 200, 404, 403, 404, 403), target="certificate"
    ),
    ("GET", "/api/v1/certificates/{id}/pdf/"): Row(
        (401, 200, 404, 200, 404, 200), target="certificate"
    ),
    ("GET", "/api/v1/categories/"): Row(everyone(200)),
    ("POST", "/api/v1/categories/"): Row((401, 403, 403, 403, 403, 201), body=category_body),
    ("GET", "/api/v1/categories/{id}/"): Row(everyone(200), target="spare_category"),
    ("PUT", "/api/v1/categories/{id}/"): Row(
        (401, 403, 403, 403, 403, 200), target="spare_category", body=category_body
    ),
    ("PATCH", "/api/v1/categories/{id}/"): Row(
        (401, 403, 403, 403, 403, 200),
        target="spare_category",
        body=lambda w, actor: {"description": "Changed."},
    ),
    ("DELETE", "/api/v1/categories/{id}/"): Row(
        (401, 403, 403, 403, 403, 204), target="spare_category"
    ),
    ("GET", "/api/v1/dashboard/"): Row(signed_in(200)),
    # Events.
    ("GET", "/api/v1/events/"): Row(everyone(200)),
    ("POST", "/api/v1/events/"): Row((401, 403, 403, 201, 201, 201), body=event_body),
    ("GET", "/api/v1/events/{id}/"): Row(everyone(200), target="event"),
    ("PUT", "/api/v1/events/{id}/"): Row(
        (401, 403, 403, 200, 403, 200), target="event", body=event_body
    ),
    ("PATCH", "/api/v1/events/{id}/"): Row(
        (401, 403, 403, 200, 403, 200),
        target="event",
        body=lambda w, actor: {"description": "Changed."},
    ),
    # `open_event`: published, nobody holds a place (else 409 `event_has_registrations`).
    ("DELETE", "/api/v1/events/{id}/"): Row((401, 403, 403, 204, 403, 204), target="open_event"),
    ("GET", "/api/v1/events/{id}/attendees/"): Row((401, 403, 403, 200, 403, 200), target="event"),
    ("GET", "/api/v1/events/{id}/calendar.ics"): Row(everyone(200), target="event"),
    ("POST", "/api/v1/events/{id}/cancel/"): Row((401, 403, 403, 200, 403, 200), target="event"),
    # A draft is seen by its organizer and admins only: 404 to the others.
    # `ended_event`: over, the attendee was checked in (and already has their certificate).
    ("POST", "/api/v1/events/{id}/issue_certificates/"): Row(
        (401, 403, 403, 200, 403, 200), target="ended_event"
    ),
    ("POST", "/api/v1/events/{id}/publish/"): Row(
        (401, 404, 404, 200, 404, 200), target="draft_event"
    ),
    ("GET", "/api/v1/events/{id}/statistics/"): Row((401, 403, 403, 200, 403, 200), target="event"),
    # Payments: the payer, the event's organizer and admins see one; only the payer starts
    # and verifies it (the organizer sees it: 403); the receipt is the payer's and admins'.
    ("GET", "/api/v1/payments/"): Row(signed_in(200)),
    ("POST", "/api/v1/payments/"): Row(
        (401, 201, 400, 400, 400, 400),
        body=lambda w, actor: {"registration": w.unpaid_registration.pk, "provider": "mock"},
    ),
    ("GET", "/api/v1/payments/{id}/"): Row((401, 200, 404, 200, 404, 200), target="payment"),
    ("GET", "/api/v1/payments/{id}/receipt/"): Row(
        (401, 200, 404, 403, 404, 200), target="payment"
    ),
    # Refunds: the event's organizer and admins; the payer sees the payment but may not.
    ("POST", "/api/v1/payments/{id}/refund/"): Row(
        (401, 403, 404, 201, 404, 201),
        target="paid_payment",
        body=lambda w, actor: {"amount": "1.00"},
    ),
    ("POST", "/api/v1/payments/{id}/verify/"): Row(
        (401, 200, 404, 403, 404, 403),
        target="payment",
        body=lambda w, actor: {"outcome": "succeeded"},
    ),
    # Webhooks: no credentials are asked, whoever calls; an unsigned body is a 400 for all.
    ("POST", "/api/v1/payments/webhooks/stripe/"): Row(
        everyone(400), body=lambda w, actor: {"type": "payment_intent.succeeded"}
    ),
    ("POST", "/api/v1/payments/webhooks/razorpay/"): Row(
        everyone(400), body=lambda w, actor: {"event": "payment.captured"}
    ),
    # Invoices: of the payments one may see.
    ("GET", "/api/v1/invoices/"): Row(signed_in(200)),
    ("GET", "/api/v1/invoices/{id}/"): Row((401, 200, 404, 200, 404, 200), target="invoice"),
    ("GET", "/api/v1/invoices/{id}/pdf/"): Row((401, 200, 404, 200, 404, 200), target="invoice"),
    ("POST", "/api/v1/invoices/{id}/send/"): Row((401, 202, 404, 202, 404, 202), target="invoice"),
    # Notifications: one's own only, admins included.
    ("GET", "/api/v1/notifications/"): Row(signed_in(200)),
    ("POST", "/api/v1/notifications/read_all/"): Row(signed_in(200)),
    ("GET", "/api/v1/notifications/unread_count/"): Row(signed_in(200)),
    ("GET", "/api/v1/notifications/{id}/"): Row(
        (401, 200, 404, 404, 404, 404), target="notification"
    ),
    ("DELETE", "/api/v1/notifications/{id}/"): Row(
        (401, 204, 404, 404, 404, 404), target="notification"
    ),
    ("POST", "/api/v1/notifications/{id}/read/"): Row(
        (401, 200, 404, 404, 404, 404), target="notification"
    ),
    # Progress: one's own rows only, admins included.
    ("GET", "/api/v1/progress/"): Row(signed_in(200)),
    ("GET", "/api/v1/progress/{id}/"): Row((401, 200, 404, 404, 404, 404), target="progress"),
    ("PUT", "/api/v1/progress/{id}/"): Row(
        (401, 200, 404, 404, 404, 404),
        target="progress",
        body=lambda w, actor: {"status": "completed", "notes": "Done."},
    ),
    ("PATCH", "/api/v1/progress/{id}/"): Row(
        (401, 200, 404, 404, 404, 404),
        target="progress",
        body=lambda w, actor: {"status": "in_progress"},
    ),
    # An event's codes are its managers' alone: 404 to everyone else, the list included.
    ("GET", "/api/v1/promo-codes/"): Row(signed_in(200)),
    ("POST", "/api/v1/promo-codes/"): Row((401, 403, 403, 201, 403, 201), body=promo_code_body),
    ("GET", "/api/v1/promo-codes/{id}/"): Row((401, 404, 404, 200, 404, 200), target="promo_code"),
    ("PUT", "/api/v1/promo-codes/{id}/"): Row(
        (401, 404, 404, 200, 404, 200), target="promo_code", body=promo_code_body
    ),
    ("PATCH", "/api/v1/promo-codes/{id}/"): Row(
        (401, 404, 404, 200, 404, 200),
        target="promo_code",
        body=lambda w, actor: {"description": "For the newsletter."},
    ),
    ("DELETE", "/api/v1/promo-codes/{id}/"): Row(
        (401, 404, 404, 204, 404, 204), target="promo_code"
    ),
    # Registrations: the owner, the event's organizer, admins.
    ("GET", "/api/v1/registrations/"): Row(signed_in(200)),
    ("POST", "/api/v1/registrations/"): Row(
        signed_in(201), body=lambda w, actor: {"event": w.open_event.pk}
    ),
    ("GET", "/api/v1/registrations/{id}/"): Row(
        (401, 200, 404, 200, 404, 200), target="registration"
    ),
    ("POST", "/api/v1/registrations/{id}/cancel/"): Row(
        (401, 200, 404, 200, 404, 200), target="registration"
    ),
    # `pending_registration`: the attendee's, awaiting approval.
    ("POST", "/api/v1/registrations/{id}/confirm/"): Row(
        (401, 403, 404, 200, 404, 200), target="pending_registration"
    ),
    ("POST", "/api/v1/registrations/{id}/reject/"): Row(
        (401, 403, 404, 200, 404, 200), target="pending_registration"
    ),
    # Reviews: read by anyone; written by someone who was there (`started_event`: the
    # attendee's confirmed place, begun; others have none: 409; its organizer: 403); changed
    # by the author, removed by the author or an admin; voted on by anyone but the author.
    ("GET", "/api/v1/reviews/"): Row(everyone(200)),
    ("POST", "/api/v1/reviews/"): Row(
        (401, 201, 409, 403, 409, 409),
        body=lambda w, actor: {"event": w.started_event.pk, "rating": 5, "title": "Great"},
    ),
    ("GET", "/api/v1/reviews/{id}/"): Row(everyone(200), target="review"),
    ("PATCH", "/api/v1/reviews/{id}/"): Row(
        (401, 200, 403, 403, 403, 403), target="review", body=lambda w, actor: {"rating": 3}
    ),
    ("DELETE", "/api/v1/reviews/{id}/"): Row((401, 204, 403, 403, 403, 204), target="review"),
    ("POST", "/api/v1/reviews/{id}/vote/"): Row(
        (401, 403, 200, 200, 200, 200), target="review", body=lambda w, actor: {"helpful": True}
    ),
    # Sessions: read by whoever sees the event, written by its managers.
    ("GET", "/api/v1/sessions/"): Row(everyone(200)),
    ("POST", "/api/v1/sessions/"): Row((401, 403, 403, 201, 403, 201), body=session_body),
    ("GET", "/api/v1/sessions/{id}/"): Row(everyone(200), target="session"),
    ("PUT", "/api/v1/sessions/{id}/"): Row(
        (401, 403, 403, 200, 403, 200), target="session", body=session_body
    ),
    ("PATCH", "/api/v1/sessions/{id}/"): Row(
        (401, 403, 403, 200, 403, 200),
        target="session",
        body=lambda w, actor: {"title": "Renamed talk"},
    ),
    ("DELETE", "/api/v1/sessions/{id}/"): Row((401, 403, 403, 204, 403, 204), target="session"),
    # Ticket types: as sessions. `spare_ticket_type` was never booked (else 409).
    ("GET", "/api/v1/ticket-types/"): Row(everyone(200)),
    ("POST", "/api/v1/ticket-types/"): Row((401, 403, 403, 201, 403, 201), body=ticket_type_body),
    ("GET", "/api/v1/ticket-types/{id}/"): Row(everyone(200), target="ticket_type"),
    ("PUT", "/api/v1/ticket-types/{id}/"): Row(
        (401, 403, 403, 200, 403, 200), target="ticket_type", body=ticket_type_body
    ),
    ("PATCH", "/api/v1/ticket-types/{id}/"): Row(
        (401, 403, 403, 200, 403, 200),
        target="ticket_type",
        body=lambda w, actor: {"quantity": 45},
    ),
    ("DELETE", "/api/v1/ticket-types/{id}/"): Row(
        (401, 403, 403, 204, 403, 204), target="spare_ticket_type"
    ),
    # Tickets: the holder, the event's organizer, admins; check-in for organizers.
    ("GET", "/api/v1/tickets/"): Row(signed_in(200)),
    ("POST", "/api/v1/tickets/check_in/"): Row(
        (401, 403, 403, 200, 404, 200), body=lambda w, actor: {"code": w.ticket.code}
    ),
    ("GET", "/api/v1/tickets/{code}/"): Row((401, 200, 404, 200, 404, 200), target="ticket"),
    ("GET", "/api/v1/tickets/{code}/qr/"): Row((401, 200, 404, 200, 404, 200), target="ticket"),
    # Users: the directory and changes for admins, a profile for everyone signed in.
    ("GET", "/api/v1/users/"): Row((401, 403, 403, 403, 403, 200)),
    ("GET", "/api/v1/users/{id}/"): Row(signed_in(200), target="attendee"),
    ("PATCH", "/api/v1/users/{id}/"): Row(
        (401, 403, 403, 403, 403, 200),
        target="attendee",
        body=lambda w, actor: {"role": "organizer"},
    ),
    # Waitlist: the person waiting, the event's organizer, admins; leaving is the person's.
    ("GET", "/api/v1/waitlist/"): Row(signed_in(200)),
    ("POST", "/api/v1/waitlist/"): Row(
        signed_in(201), body=lambda w, actor: {"event": w.queue_event.pk}
    ),
    ("GET", "/api/v1/waitlist/{id}/"): Row((401, 200, 404, 200, 404, 200), target="waitlist_entry"),
    ("POST", "/api/v1/waitlist/{id}/leave/"): Row(
        (401, 200, 404, 403, 404, 403), target="waitlist_entry"
    ),
    # Outbound webhooks: organizers (their own) and admins (all); attendees are refused.
    ("GET", "/api/v1/webhooks/"): Row((401, 403, 403, 200, 200, 200)),
    ("POST", "/api/v1/webhooks/"): Row((401, 403, 403, 201, 201, 201), body=webhook_body),
    ("GET", "/api/v1/webhooks/{id}/"): Row((401, 403, 403, 200, 404, 200), target="webhook"),
    ("PUT", "/api/v1/webhooks/{id}/"): Row(
        (401, 403, 403, 200, 404, 200), target="webhook", body=webhook_body
    ),
    ("PATCH", "/api/v1/webhooks/{id}/"): Row(
        (401, 403, 403, 200, 404, 200),
        target="webhook",
        body=lambda w, actor: {"is_active": False},
    ),
    ("DELETE", "/api/v1/webhooks/{id}/"): Row((401, 403, 403, 204, 404, 204), target="webhook"),
    ("GET", "/api/v1/webhooks/{id}/deliveries/"): Row(
        (401, 403, 403, 200, 404, 200), target="webhook"
    ),
    ("POST", "/api/v1/webhooks/{id}/ping/"): Row((401, 403, 403, 202, 404, 202), target="webhook"),
    ("POST", "/api/v1/webhooks/{id}/rotate_secret/"): Row(
        (401, 403, 403, 200, 404, 200), target="webhook"
    ),
}


class World:
    """What every cell starts from. All events belong to `organizer`, start in ten days and
    are free (so bookings confirm at once and approvals need no payment)."""

    def __init__(self):
        self.attendee = UserFactory()
        self.other_attendee = UserFactory()
        self.organizer = OrganizerFactory()
        self.other_organizer = OrganizerFactory()
        self.admin = AdminFactory()
        filler = UserFactory()

        def event(**kwargs):
            return EventFactory(organizer=self.organizer, **kwargs)

        def free_ticket_type(event, **kwargs):
            return TicketTypeFactory(event=event, price=Decimal("0.00"), **kwargs)

        # The attendee's confirmed place, its ticket and their progress in a session.
        self.event = event()
        self.ticket_type = free_ticket_type(self.event)
        self.spare_ticket_type = free_ticket_type(self.event)
        self.session = SessionFactory(event=self.event)
        self.registration = RegistrationFactory(
            event=self.event, user=self.attendee, ticket_type=self.ticket_type
        )
        self.ticket = TicketFactory(registration=self.registration)
        self.progress = SessionProgress.objects.create(user=self.attendee, session=self.session)

        # The attendee's registration awaiting approval.
        approval_event = event(requires_approval=True)
        self.pending_registration = RegistrationFactory(
            event=approval_event,
            user=self.attendee,
            ticket_type=free_ticket_type(approval_event),
            status=RegistrationStatus.PENDING,
            confirmed_at=None,
        )

        # Sold-out events: the attendee waits at one; anyone may queue at the other.
        full_event = event(capacity=1)
        RegistrationFactory(event=full_event, user=filler, ticket_type=free_ticket_type(full_event))
        self.waitlist_entry = WaitlistEntryFactory(event=full_event, user=self.attendee)
        self.queue_event = event(capacity=1)
        RegistrationFactory(
            event=self.queue_event, user=filler, ticket_type=free_ticket_type(self.queue_event)
        )

        # Published, open, nobody registered: to book, and to delete.
        self.open_event = event()
        free_ticket_type(self.open_event)
        # A draft that passes the publishing rules.
        self.draft_event = event(status=EventStatus.DRAFT)
        free_ticket_type(self.draft_event)

        # A paid event: the attendee's unpaid hold with its pending payment, and another
        # unpaid hold to start paying; a paid registration with its invoice.
        paid_event = event(capacity=5)
        paid_type = TicketTypeFactory(event=paid_event, price=Decimal("20.00"))

        def unpaid():
            return RegistrationFactory(
                event=paid_event,
                user=self.attendee,
                ticket_type=paid_type,
                status=RegistrationStatus.PENDING,
                confirmed_at=None,
                expires_at=timezone.now() + timedelta(minutes=15),
            )

        self.payment = PaymentFactory(registration=unpaid())
        other_paid_event = event()
        self.unpaid_registration = RegistrationFactory(
            event=other_paid_event,
            user=self.attendee,
            ticket_type=TicketTypeFactory(event=other_paid_event, price=Decimal("20.00")),
            status=RegistrationStatus.PENDING,
            confirmed_at=None,
            expires_at=timezone.now() + timedelta(minutes=15),
        )
        third_paid_event = event()
        paid = RegistrationFactory(
            event=third_paid_event,
            user=self.attendee,
            ticket_type=TicketTypeFactory(event=third_paid_event, price=Decimal("20.00")),
        )
        self.paid_payment = PaymentFactory(registration=paid, status="succeeded")
        self.invoice = issue_invoice(
            payment=self.paid_payment, registration=paid, now=timezone.now()
        )

        # An event that is over: the attendee was there, reviewed it and holds a certificate.
        # One that has begun: the attendee's confirmed place, not reviewed yet.
        now = timezone.now()
        self.ended_event = event(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2))
        was_there = RegistrationFactory(
            event=self.ended_event,
            user=self.attendee,
            ticket_type=free_ticket_type(self.ended_event),
        )
        TicketFactory(registration=was_there, checked_in_at=self.ended_event.starts_at)
        self.review = ReviewFactory(event=self.ended_event, user=self.attendee)
        self.certificate = CertificateFactory(event=self.ended_event, user=self.attendee)
        self.started_event = event(starts_at=now - timedelta(hours=1))
        RegistrationFactory(
            event=self.started_event,
            user=self.attendee,
            ticket_type=free_ticket_type(self.started_event),
        )

        self.notification = NotificationFactory(user=self.attendee)
        self.webhook = WebhookFactory(owner=self.organizer)
        self.promo_code = PromoCode.objects.create(
            event=self.event, code="EARLY", discount_type="fixed", discount_value=Decimal("5")
        )

        self.spare_category = CategoryFactory()
        self.log = ActivityLogFactory(user=self.attendee)

    def fill(self, template: str, target: str | None) -> str:
        if target is None:
            return template
        obj = getattr(self, target)
        return (
            template.replace("{id}", str(obj.pk))
            .replace("{code}", getattr(obj, "code", ""))
            .replace("{number}", getattr(obj, "number", ""))
        )


def cells():
    """Every cell as a test's parameters. Listed, not left a generator: a generator would be
    spent by the first collection, and a second one in the same process (mutmut runs pytest
    again in its own process) would find no cells."""
    for (method, path), row in MATRIX.items():
        for role, status in zip(ROLES, row.statuses, strict=True):
            yield pytest.param(method, path, role, status, id=f"{method} {path} {role}")


@pytest.fixture
def world(db):
    return World()


@pytest.mark.parametrize("method, path, role, expected", list(cells()))
def test_cell(world, method, path, role, expected):
    row = MATRIX[method, path]
    actor = None if role == "anonymous" else getattr(world, role)
    client = APIClient()
    if actor is not None:
        client.force_authenticate(user=actor)
    url = world.fill(path, row.target)
    assert "{" not in url, f"no value for the path parameter of {url}: set `target`"
    kwargs = {"format": "json"}
    if row.body is not None:
        kwargs["data"] = row.body(world, actor)

    response = getattr(client, method.lower())(url, **kwargs)

    assert response.status_code == expected, (
        f"{role} {method} {url}: expected {expected}, got {response.status_code}: "
        f"{response.content[:500]!r}"
    )
    if expected >= 400:
        body = response.json()
        assert set(body) == ERROR_KEYS, body
        assert body["success"] is False
        assert isinstance(body["message"], str) and body["message"]
        assert isinstance(body["details"], dict)
        if expected in REFUSAL_CODES:
            assert body["error_code"] == REFUSAL_CODES[expected], body


# --- The table covers the API, no more and no less. ------------------------------------------


def _normalized(path: str) -> str:
    """`/events/{pk}/` and `/events/{id}/` are the same route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def schema_operations(django_db_blocker) -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() not in ("HEAD", "OPTIONS", "TRACE")
    }


def resolver_operations() -> set[tuple[str, str]]:
    """Every (method, path) the URL conf routes under `/api/v1/` to a REST framework view,
    those left out of the schema included (the API root, the schema and its docs)."""
    from drf_spectacular.generators import EndpointEnumerator
    from rest_framework.schemas.generators import is_api_view

    class EveryView(EndpointEnumerator):
        def should_include_endpoint(self, path, callback, *args, **kwargs):
            return is_api_view(callback)

    return {
        (method, path)
        for path, _regex, method, _callback in EveryView().get_api_endpoints()
        if path.startswith("/api/v1/")
    }


def test_every_endpoint_has_a_row(schema_operations):
    rows = set(MATRIX)
    missing_from_schema = sorted(schema_operations - rows)
    assert not missing_from_schema, f"Operations without a row in MATRIX: {missing_from_schema}"
    table = {(method, _normalized(path)) for method, path in rows}
    missing = sorted(op for op in resolver_operations() if (op[0], _normalized(op[1])) not in table)
    assert not missing, f"Routes without a row in MATRIX: {missing}"


def test_every_row_is_an_endpoint(schema_operations):
    routed = {(method, _normalized(path)) for method, path in resolver_operations()}
    routed |= {(method, _normalized(path)) for method, path in schema_operations}
    stale = sorted(key for key in MATRIX if (key[0], _normalized(key[1])) not in routed)
    assert not stale, f"Rows of MATRIX for operations that no longer exist: {stale}"


# State transitions that take no body.
ACTIONS_WITHOUT_BODY = (
    "/cancel/",
    "/publish/",
    "/confirm/",
    "/reject/",
    "/leave/",
    "/send/",
    "/read/",
    "/read_all/",
    "/ping/",
    "/rotate_secret/",
    "/mark_as_downloaded/",
    "/issue_certificates/",
)


def test_the_table_is_well_formed():
    for key, row in MATRIX.items():
        assert len(row.statuses) == len(ROLES), key
        has_parameter = "{" in key[1]
        assert (row.target is not None) == has_parameter, f"{key}: `target` iff a parameter"
        if key[0] in ("POST", "PUT", "PATCH") and not key[1].endswith(ACTIONS_WITHOUT_BODY):
            assert row.body is not None, f"{key}: a write needs a body"


def test_the_world_is_as_the_table_assumes(world):
    """The data the statuses rely on: if these drift, cells would pass or fail for other
    reasons than authorization."""
    assert world.event.organizer == world.organizer
    assert world.pending_registration.event.requires_approval
    assert world.pending_registration.expires_at is None
    assert not world.open_event.registrations.exists()
    assert not world.spare_category.events.exists()
    assert world.draft_event.status == EventStatus.DRAFT
    assert world.event.starts_at > timezone.now()
