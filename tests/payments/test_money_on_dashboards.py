"""Payments add real money to the dashboards: revenue kept and refunds, per currency."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    PaymentFactory,
    RegistrationFactory,
    TicketTypeFactory,
)

pytestmark = pytest.mark.django_db


def paid(event, price: str, refunded="0.00", status="succeeded"):
    registration = RegistrationFactory(
        event=event, ticket_type=TicketTypeFactory(event=event, price=Decimal(price))
    )
    return PaymentFactory(
        registration=registration,
        status=status,
        refunded_amount=Decimal(refunded),
        processed_at=timezone.now(),
    )


def test_an_organizer_sees_the_revenue_of_their_events_per_currency():
    organizer = OrganizerFactory()
    euros = EventFactory(organizer=organizer, currency="EUR")
    pounds = EventFactory(organizer=organizer, currency="GBP")
    paid(euros, "40.00")
    paid(euros, "30.00", refunded="10.00", status="partially_refunded")
    paid(pounds, "25.00")
    paid(EventFactory(currency="EUR"), "99.00")  # someone else's event

    money = authenticated_client(organizer).get("/api/v1/dashboard/").json()["organizer"]

    assert money["revenue"] == {
        "EUR": {"revenue": "60.00", "refunded": "10.00"},
        "GBP": {"revenue": "25.00", "refunded": "0.00"},
    }


def test_admins_see_payments_by_status_and_the_platforms_revenue(admin_user):
    event = EventFactory(currency="EUR")
    paid(event, "40.00")
    paid(event, "20.00", refunded="20.00", status="refunded")
    PaymentFactory()  # pending: no money yet

    platform = authenticated_client(admin_user).get("/api/v1/dashboard/").json()["platform"]

    assert platform["payments_by_status"] == {
        "pending": 1,
        "succeeded": 1,
        "failed": 0,
        "refunded": 1,
        "partially_refunded": 0,
    }
    assert platform["revenue"]["EUR"] == {"revenue": "40.00", "refunded": "20.00"}
