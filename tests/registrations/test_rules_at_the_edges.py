"""Rules about seats and money at their exact boundaries: the cases mutation testing showed no
test would notice if the comparison moved by one (`<` for `<=`), or if a step were skipped."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from config.exceptions import Conflict
from registrations.models import Registration, WaitlistEntry
from registrations.services import seats
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

REGISTRATIONS = "/api/v1/registrations/"
TICKET_TYPES = "/api/v1/ticket-types/"


def refund_due_after_cancelling(registration) -> str:
    response = authenticated_client(registration.user).post(
        f"{REGISTRATIONS}{registration.pk}/cancel/"
    )
    assert response.status_code == 200, response.json()
    entry = ActivityLog.objects.get(action="registration_cancelled", target_id=str(registration.pk))
    return entry.metadata["refund_due"]


class TestRefundDeadline:
    """The attendee is refunded in full when cancelling at least `refund_deadline_hours` before
    the start: at the deadline itself still counts."""

    @pytest.fixture
    def registration(self):
        starts = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
        event = EventFactory(
            starts_at=starts, ends_at=starts + timedelta(hours=2), refund_deadline_hours=24
        )
        ticket_type = TicketTypeFactory(event=event, price=Decimal("40.00"))
        return RegistrationFactory(event=event, ticket_type=ticket_type)

    def test_cancelling_exactly_at_the_deadline_refunds_everything(self, registration):
        deadline = registration.event.starts_at - timedelta(hours=24)
        with time_machine.travel(deadline, tick=False):
            assert refund_due_after_cancelling(registration) == "40.00"

    def test_one_second_after_the_deadline_refunds_nothing(self, registration):
        deadline = registration.event.starts_at - timedelta(hours=24)
        with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
            assert refund_due_after_cancelling(registration) == "0.00"


class TestConfirmingOnApproval:
    def test_approval_of_a_free_registration_confirms_it_now_and_closes_its_hold(
        self, organizer, organizer_client
    ):
        event = EventFactory(organizer=organizer, requires_approval=True, capacity=5)
        TicketTypeFactory(event=event, price=Decimal("0.00"))
        user = UserFactory()
        created = authenticated_client(user).post(REGISTRATIONS, {"event": event.pk})
        registration = Registration.objects.get(pk=created.json()["id"])
        entry = WaitlistEntry.objects.create(
            event=event, user=user, status="offered", registration=registration
        )
        moment = timezone.now().replace(microsecond=0) + timedelta(minutes=1)

        with time_machine.travel(moment, tick=False):
            body = organizer_client.post(f"{REGISTRATIONS}{registration.pk}/confirm/").json()

        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert registration.confirmed_at == moment
        assert registration.expires_at is None
        assert body["status"] == "confirmed" and len(body["tickets"]) == 1
        entry.refresh_from_db()
        assert entry.status == "converted"


class TestFloors:
    """A capacity or a ticket quantity may drop to exactly the seats taken, not below; a ticket
    type's floor counts its own seats only."""

    @pytest.fixture
    def event(self, organizer):
        event = EventFactory(organizer=organizer, capacity=10)
        standard = TicketTypeFactory(
            event=event, name="Standard", price=Decimal("0.00"), quantity=5
        )
        vip = TicketTypeFactory(event=event, name="VIP", price=Decimal("0.00"), quantity=5)
        RegistrationFactory(event=event, ticket_type=standard, quantity=3)
        RegistrationFactory(event=event, ticket_type=vip, quantity=1)
        return event

    def test_a_ticket_quantity_down_to_its_own_sold_seats_is_allowed(self, event, organizer_client):
        vip = event.ticket_types.get(name="VIP")
        response = organizer_client.patch(f"{TICKET_TYPES}{vip.pk}/", {"quantity": 1})
        assert response.status_code == 200, response.json()
        assert response.json()["quantity"] == 1

    def test_a_ticket_quantity_below_its_sold_seats_is_refused_on_the_field(
        self, event, organizer_client
    ):
        standard = event.ticket_types.get(name="Standard")
        body = assert_error(
            organizer_client.patch(f"{TICKET_TYPES}{standard.pk}/", {"quantity": 2}),
            400,
            "validation_error",
        )
        assert body["details"] == {"quantity": ["Must be at least 3."]}

    def test_a_capacity_down_to_the_seats_taken_is_allowed(self, event, organizer_client):
        response = organizer_client.patch(f"/api/v1/events/{event.pk}/", {"capacity": 4})
        assert response.status_code == 200, response.json()
        assert response.json()["capacity"] == 4

    def test_a_capacity_below_the_seats_taken_is_refused_on_the_field(
        self, event, organizer_client
    ):
        body = assert_error(
            organizer_client.patch(f"/api/v1/events/{event.pk}/", {"capacity": 3}),
            400,
            "validation_error",
        )
        assert body["details"] == {"capacity": ["Must be at least 4."]}


class TestSettlingBeforeARefusal:
    def test_a_refused_join_still_moves_the_queue_past_an_expired_hold(self):
        """Holds that ran out are settled in a transaction of their own before the join: a
        join refused afterwards does not undo the promotion it made."""
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, price=Decimal("30.00"), quantity=1)
        hold = RegistrationFactory(
            event=event,
            ticket_type=ticket_type,
            status="pending",
            confirmed_at=None,
            expires_at=timezone.now() - timedelta(seconds=1),
        )
        first, again = UserFactory(), UserFactory()
        WaitlistEntry.objects.create(event=event, user=first)
        WaitlistEntry.objects.create(event=event, user=again)

        response = authenticated_client(again).post(
            "/api/v1/waitlist/", {"event": event.pk}, format="json"
        )

        assert_error(response, 409, "already_on_waitlist")
        hold.refresh_from_db()
        assert hold.status == "expired"
        assert WaitlistEntry.objects.get(user=first).status == "offered"
        assert Registration.objects.get(user=first, event=event).status == "pending"


class TestConfirmOnlyWhatStillHoldsItsSeats:
    """`seats.confirm` is the one step that turns a hold into tickets (approval now, payments
    next): it refuses a registration whose hold ran out, or that is no longer pending, so a
    late confirmation can never issue tickets for a seat someone else has by now."""

    def confirm(self, registration, now):
        with pytest.raises(Conflict) as refused, transaction.atomic():
            seats.confirm(registration, now=now, actor=registration.user)
        assert refused.value.code == "invalid_state"
        registration.refresh_from_db()
        assert registration.tickets.count() == 0

    @pytest.mark.parametrize("status", ["confirmed", "cancelled", "expired", "rejected"])
    def test_a_registration_that_is_not_pending_is_refused(self, status):
        registration = RegistrationFactory(status=status)
        self.confirm(registration, timezone.now())
        assert registration.status == status

    def test_a_hold_that_ran_out_is_refused_at_its_exact_end(self):
        now = timezone.now()
        registration = RegistrationFactory(status="pending", expires_at=now)
        self.confirm(registration, now)
        assert registration.status == "pending"

    def test_a_hold_still_running_is_confirmed_with_its_tickets(self):
        now = timezone.now()
        registration = RegistrationFactory(
            status="pending", quantity=2, expires_at=now + timedelta(seconds=1)
        )
        with transaction.atomic():
            seats.confirm(registration, now=now, actor=registration.user)
        registration.refresh_from_db()
        assert registration.status == "confirmed"
        assert registration.tickets.count() == 2
