"""Hidden ticket types: left out of the catalogue (its ticket types, price, spots and filters)
and of `ticket-types/` for all but the event's managers; an event's page with a usable promo
code (`?promo_code=`) lists the hidden types it unlocks and its discounted prices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.models import PromoCode
from tests.conftest import authenticated_client
from tests.factories import EventFactory, RegistrationFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"
TICKETS = "/api/v1/ticket-types/"


@pytest.fixture
def event():
    event = EventFactory(capacity=100)
    TicketTypeFactory(event=event, name="Standard", price=Decimal("40.00"), quantity=10)
    return event


@pytest.fixture
def speakers(event):
    return TicketTypeFactory(
        event=event, name="Speaker", price=Decimal("0.00"), quantity=30, is_hidden=True
    )


def code_for(event, code="SPEAK", **fields):
    types = fields.pop("ticket_types", [])
    promo_code = PromoCode.objects.create(
        event=event,
        code=code,
        discount_type=fields.pop("discount_type", "percent"),
        discount_value=Decimal(fields.pop("discount_value", "25")),
        **fields,
    )
    promo_code.ticket_types.set(types)
    return promo_code


def names(body):
    return [ticket_type["name"] for ticket_type in body["ticket_types"]]


class TestTheCatalogue:
    def test_a_hidden_type_is_left_out_of_the_event(self, api_client, event, speakers):
        body = api_client.get(f"{EVENTS}{event.pk}/").json()
        assert names(body) == ["Standard"]
        assert body["price"] == "40.00"
        assert body["available_spots"] == 10
        listed = api_client.get(EVENTS).json()["results"][0]
        assert names(listed) == ["Standard"] and listed["price"] == "40.00"

    def test_the_price_filters_ignore_hidden_types(self, api_client, event, speakers):
        assert api_client.get(EVENTS, {"price_max": "10"}).json()["count"] == 0
        assert api_client.get(EVENTS, {"price_min": "40"}).json()["count"] == 1

    def test_availability_ignores_hidden_types(self, api_client, event, speakers):
        standard = event.ticket_types.get(name="Standard")
        RegistrationFactory(event=event, ticket_type=standard, quantity=10)
        assert api_client.get(EVENTS, {"has_availability": "true"}).json()["count"] == 0
        assert api_client.get(f"{EVENTS}{event.pk}/").json()["available_spots"] == 0

    def test_the_organizer_sees_the_event_as_everyone_does(self, event, speakers):
        organizer = authenticated_client(event.organizer)
        assert names(organizer.get(f"{EVENTS}{event.pk}/").json()) == ["Standard"]


class TestTheTicketTypesEndpoint:
    def test_hidden_types_are_shown_only_to_the_events_managers(
        self, api_client, user_client, admin_client, event, speakers
    ):
        organizer = authenticated_client(event.organizer)
        for client in (api_client, user_client):
            rows = client.get(TICKETS).json()["results"]
            assert [row["name"] for row in rows] == ["Standard"]
            assert "is_hidden" not in rows[0]
            assert client.get(f"{TICKETS}{speakers.pk}/").status_code == 404
        for client in (organizer, admin_client):
            rows = {row["name"]: row for row in client.get(TICKETS).json()["results"]}
            assert rows["Speaker"]["is_hidden"] is True
            assert rows["Standard"]["is_hidden"] is False

    def test_the_organizer_hides_a_type(self, api_client, event):
        standard = event.ticket_types.get()
        organizer = authenticated_client(event.organizer)
        response = organizer.patch(f"{TICKETS}{standard.pk}/", {"is_hidden": True}, format="json")
        assert response.status_code == 200 and response.json()["is_hidden"] is True
        assert api_client.get(f"{EVENTS}{event.pk}/").json()["ticket_types"] == []


class TestAnEventsPageWithACode:
    def page(self, client, event, code):
        return client.get(f"{EVENTS}{event.pk}/", {"promo_code": code}).json()

    def test_a_usable_code_unlocks_and_prices_its_types(self, api_client, event, speakers):
        code_for(event, unlocks_hidden=True, discount_type="fixed", discount_value="5")

        body = self.page(api_client, event, "speak")

        prices = {row["name"]: row["discounted_price"] for row in body["ticket_types"]}
        assert prices == {"Speaker": "0.00", "Standard": "35.00"}
        assert body["price"] == "40.00"  # the catalogue's price stays what anyone pays

    def test_a_code_for_named_types_prices_only_those(self, api_client, event, speakers):
        code_for(event, unlocks_hidden=True, ticket_types=[speakers])
        prices = {
            row["name"]: row["discounted_price"]
            for row in self.page(api_client, event, "SPEAK")["ticket_types"]
        }
        assert prices == {"Speaker": "0.00", "Standard": None}

    def test_a_code_that_does_not_unlock_shows_no_hidden_type(self, api_client, event, speakers):
        code_for(event)
        body = self.page(api_client, event, "SPEAK")
        assert names(body) == ["Standard"]
        assert body["ticket_types"][0]["discounted_price"] == "30.00"

    @pytest.mark.parametrize(
        "fields",
        [
            {"is_active": False},
            {"valid_until": timezone.now() - timedelta(days=1)},
            {"valid_from": timezone.now() + timedelta(days=1)},
            {"max_uses": 1},
        ],
        ids=["switched-off", "expired", "not-yet", "used-up"],
    )
    def test_a_code_that_cannot_be_used_now_changes_nothing(
        self, api_client, event, speakers, fields
    ):
        code = code_for(event, unlocks_hidden=True, **fields)
        RegistrationFactory(event=event, ticket_type=speakers, promo_code=code)
        plain = api_client.get(f"{EVENTS}{event.pk}/").json()
        with_code = self.page(api_client, event, "SPEAK")
        assert with_code["ticket_types"] == plain["ticket_types"]
        assert names(with_code) == ["Standard"]

    @pytest.mark.parametrize("code", ["NOPE", "x" * 500, "' OR 1=1 --", " "])
    def test_an_unknown_code_changes_nothing_and_never_errors(self, api_client, event, code):
        response = api_client.get(f"{EVENTS}{event.pk}/", {"promo_code": code})
        assert response.status_code == 200
        assert response.json() == api_client.get(f"{EVENTS}{event.pk}/").json()

    def test_another_events_code_changes_nothing(self, api_client, event, speakers):
        code_for(EventFactory(), unlocks_hidden=True)
        assert names(self.page(api_client, event, "SPEAK")) == ["Standard"]

    def test_a_page_with_a_code_is_never_cached(self, api_client, event, speakers, settings):
        settings.CATALOGUE_CACHE_SECONDS = 60
        api_client.get(f"{EVENTS}{event.pk}/")  # the plain page, cached
        code = code_for(event, unlocks_hidden=True)
        assert names(self.page(api_client, event, "SPEAK")) == ["Speaker", "Standard"]
        code.is_active = False
        code.save()
        assert names(self.page(api_client, event, "SPEAK")) == ["Standard"]
