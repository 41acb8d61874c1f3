"""`promo-codes/`: an event's organizer and admins keep its codes (through
`registrations.services.promo_codes`); nobody else can list or read one (404). Registrations and
waitlist entries take a code and show it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from registrations.models import PromoCode
from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import assert_error, iso
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

CODES = "/api/v1/promo-codes/"


def detail(code) -> str:
    return f"{CODES}{code.pk}/"


def make_code(event, code="EARLY", discount_type="percent", value="20", **fields):
    types = fields.pop("ticket_types", [])
    promo_code = PromoCode.objects.create(
        event=event, code=code, discount_type=discount_type, discount_value=Decimal(value), **fields
    )
    promo_code.ticket_types.set(types)
    return promo_code


@pytest.fixture
def event(organizer):
    return EventFactory(organizer=organizer)


def create(client, event, **fields):
    body = {"event": event.pk, "code": "early-bird", "discount_type": "percent"}
    body["discount_value"] = "15"
    return client.post(CODES, {**body, **fields}, format="json")


class TestCreating:
    def test_the_organizer_creates_a_code_stored_upper_cased(self, organizer_client, event):
        ticket_type = TicketTypeFactory(event=event)

        response = create(organizer_client, event, ticket_types=[ticket_type.pk], max_uses=10)

        assert response.status_code == 201, response.content
        body = response.json()
        assert body == {
            **body,
            "event": event.pk,
            "code": "EARLY-BIRD",
            "discount_type": "percent",
            "discount_value": "15.00",
            "ticket_types": [ticket_type.pk],
            "unlocks_hidden": False,
            "max_uses": 10,
            "uses": 0,
            "is_active": True,
        }
        entry = ActivityLog.objects.get(action="promo_code_created")
        assert entry.metadata == {"event": event.pk, "code": "EARLY-BIRD"}

    def test_an_admin_creates_one_for_any_event(self, admin_client):
        assert create(admin_client, EventFactory()).status_code == 201

    def test_an_event_one_cannot_see_is_not_found_in_the_field(self, organizer_client):
        draft = EventFactory(status="draft")
        body = assert_error(create(organizer_client, draft), 400, "validation_error")
        assert set(body["details"]) == {"event"}

    def test_someone_elses_event_is_refused(self, organizer_client, user_client):
        assert_error(create(organizer_client, EventFactory()), 403, "permission_denied")
        assert_error(create(user_client, EventFactory()), 403, "permission_denied")
        assert not PromoCode.objects.exists()

    def test_a_code_is_unique_per_event_in_any_case(self, organizer_client, event):
        make_code(event, "EARLY-BIRD")
        body = assert_error(create(organizer_client, event), 400, "validation_error")
        assert body["details"] == {"code": ["This event already has this code."]}
        assert create(organizer_client, EventFactory(organizer=event.organizer)).status_code == 201

    @pytest.mark.parametrize("code", ["early bird", "früh", "a/b", "", "x" * 41])
    def test_a_code_is_letters_digits_hyphens_and_underscores(self, organizer_client, event, code):
        body = assert_error(create(organizer_client, event, code=code), 400, "validation_error")
        assert set(body["details"]) == {"code"}

    @pytest.mark.parametrize(
        ("discount_type", "value"),
        [("percent", "100.01"), ("percent", "-1"), ("fixed", "0"), ("none", "5")],
    )
    def test_a_discount_fits_its_type(self, organizer_client, event, discount_type, value):
        response = create(
            organizer_client, event, discount_type=discount_type, discount_value=value
        )
        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {"discount_value"}

    @pytest.mark.parametrize(
        ("discount_type", "value"), [("percent", "100"), ("fixed", "5"), ("none", "0")]
    )
    def test_each_type_takes_its_values(self, organizer_client, event, discount_type, value):
        response = create(
            organizer_client, event, discount_type=discount_type, discount_value=value
        )
        assert response.status_code == 201, response.content

    def test_ticket_types_are_the_events_own(self, organizer_client, event):
        mine_elsewhere = TicketTypeFactory(event=EventFactory(organizer=event.organizer))
        response = create(organizer_client, event, ticket_types=[mine_elsewhere.pk])
        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {"ticket_types"}

    def test_a_ticket_type_of_an_event_one_cannot_see_does_not_exist(self, organizer_client, event):
        hidden_away = TicketTypeFactory(event=EventFactory(status="draft"))
        response = create(organizer_client, event, ticket_types=[hidden_away.pk])
        body = assert_error(response, 400, "validation_error")
        assert "does not exist" in body["details"]["ticket_types"][0]

    def test_valid_until_comes_after_valid_from(self, organizer_client, event):
        start = timezone.now() + timedelta(days=2)
        response = create(
            organizer_client,
            event,
            valid_from=iso(start),
            valid_until=iso(start - timedelta(hours=1)),
        )
        body = assert_error(response, 400, "validation_error")
        assert body["details"] == {"valid_until": ["Must be after valid_from."]}


class TestWhoSees:
    def test_the_list_holds_only_the_codes_of_ones_events(self, organizer_client, event):
        mine = make_code(event)
        make_code(EventFactory(), "THEIRS")
        codes = [row["code"] for row in organizer_client.get(CODES).json()["results"]]
        assert codes == [mine.code]

    def test_an_attendee_lists_none_and_reads_none(self, event):
        code = make_code(event)
        attendee = authenticated_client(RegistrationFactory(event=event).user)
        assert attendee.get(CODES).json()["results"] == []
        assert_error(attendee.get(detail(code)), 404, "not_found")
        assert_error(attendee.delete(detail(code)), 404, "not_found")

    def test_another_organizer_finds_nothing(self, event):
        code = make_code(event)
        other = authenticated_client(OrganizerFactory())
        assert_error(other.get(detail(code)), 404, "not_found")
        assert_error(other.patch(detail(code), {"is_active": False}), 404, "not_found")

    def test_anonymous_is_asked_to_sign_in(self, api_client, event):
        assert_error(api_client.get(CODES), 401, "not_authenticated")

    def test_an_admin_sees_every_code(self, admin_client, event):
        make_code(event)
        make_code(EventFactory(), "OTHER")
        assert admin_client.get(CODES).json()["count"] == 2

    def test_uses_count_the_seats_taken_with_it_in_fixed_queries(
        self, organizer_client, event, django_assert_max_num_queries
    ):
        code = make_code(event, max_uses=10)
        ticket_type = TicketTypeFactory(event=event)
        RegistrationFactory(event=event, ticket_type=ticket_type, promo_code=code, quantity=3)
        RegistrationFactory(
            event=event, ticket_type=ticket_type, promo_code=code, status="cancelled"
        )
        for n in range(5):
            make_code(event, f"MORE{n}", ticket_types=[ticket_type])

        with django_assert_max_num_queries(5):
            rows = organizer_client.get(CODES).json()["results"]

        assert {row["code"]: row["uses"] for row in rows}["EARLY"] == 3
        assert organizer_client.get(detail(code)).json()["uses"] == 3

    def test_filters_and_search(self, organizer_client, event):
        make_code(event, "SPEAKER", discount_type="none", value="0", is_active=False)
        make_code(event, "EARLY")
        other_event = EventFactory(organizer=event.organizer)
        make_code(other_event, "LATE")

        def codes(query):
            return [row["code"] for row in organizer_client.get(CODES, query).json()["results"]]

        assert codes({"is_active": "false"}) == ["SPEAKER"]
        assert codes({"event": other_event.pk}) == ["LATE"]
        assert codes({"search": "spea"}) == ["SPEAKER"]
        assert_error(organizer_client.get(CODES, {"is_active": "maybe"}), 400, "validation_error")


class TestChanging:
    def test_the_organizer_switches_a_code_off(self, organizer_client, event):
        code = make_code(event)
        response = organizer_client.patch(detail(code), {"is_active": False}, format="json")
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        entry = ActivityLog.objects.get(action="promo_code_updated")
        assert entry.metadata["changed"] == ["is_active"]

    def test_its_event_cannot_change(self, organizer_client, event):
        code = make_code(event)
        elsewhere = EventFactory(organizer=event.organizer)
        response = organizer_client.patch(detail(code), {"event": elsewhere.pk}, format="json")
        body = assert_error(response, 400, "validation_error")
        assert body["details"] == {"event": ["Cannot be changed."]}

    def test_renaming_to_a_taken_code_is_refused(self, organizer_client, event):
        make_code(event, "TAKEN")
        code = make_code(event)
        response = organizer_client.patch(detail(code), {"code": "taken"}, format="json")
        assert_error(response, 400, "validation_error")

    def test_a_change_keeps_the_rules(self, organizer_client, event):
        code = make_code(event, value="20")
        response = organizer_client.patch(detail(code), {"discount_value": "120"}, format="json")
        assert set(assert_error(response, 400, "validation_error")["details"]) == {"discount_value"}

    def test_ticket_types_are_replaced_or_cleared(self, organizer_client, event):
        first, second = TicketTypeFactory(event=event), TicketTypeFactory(event=event)
        code = make_code(event, ticket_types=[first])
        response = organizer_client.patch(
            detail(code), {"ticket_types": [second.pk]}, format="json"
        )
        assert response.json()["ticket_types"] == [second.pk]
        response = organizer_client.patch(detail(code), {"ticket_types": []}, format="json")
        assert response.json()["ticket_types"] == []


class TestDeleting:
    def test_an_unused_code_is_deleted(self, organizer_client, event):
        code = make_code(event)
        assert organizer_client.delete(detail(code)).status_code == 204
        assert not PromoCode.objects.exists()
        assert ActivityLog.objects.filter(action="promo_code_deleted").count() == 1

    def test_a_code_registrations_were_made_with_stays(self, organizer_client, event):
        code = make_code(event)
        RegistrationFactory(event=event, promo_code=code, status="cancelled")
        body = assert_error(organizer_client.delete(detail(code)), 409, "invalid_state")
        assert "deactivate it instead" in body["message"]
        assert PromoCode.objects.filter(pk=code.pk).exists()


class TestBookingWithACode:
    def test_a_registration_shows_its_code_and_discount(self, user_client):
        event = EventFactory(currency="EUR")
        ticket_type = TicketTypeFactory(event=event, price=Decimal("50.00"))
        make_code(event, "HALF", value="50")

        response = user_client.post(
            "/api/v1/registrations/",
            {"event": event.pk, "ticket_type": ticket_type.pk, "quantity": 2, "promo_code": "half"},
            format="json",
        )

        assert response.status_code == 201, response.content
        body = response.json()
        assert body["promo_code"] == "HALF"
        assert body["unit_price"] == "25.00" and body["total_price"] == "50.00"
        assert body["discount_amount"] == "50.00"
        listed = user_client.get("/api/v1/registrations/").json()["results"][0]
        assert listed["promo_code"] == "HALF"

    def test_without_a_code_it_reads_null(self, user_client):
        event = EventFactory()
        TicketTypeFactory(event=event, price=0)
        response = user_client.post(
            "/api/v1/registrations/", {"event": event.pk, "promo_code": ""}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["promo_code"] is None
        assert response.json()["discount_amount"] == "0.00"

    def test_an_unknown_code_is_400_on_the_field(self, user_client):
        event = EventFactory()
        TicketTypeFactory(event=event)
        response = user_client.post(
            "/api/v1/registrations/", {"event": event.pk, "promo_code": "NOPE"}, format="json"
        )
        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {"promo_code"}

    def test_a_code_is_at_most_40_characters(self, user_client):
        event = EventFactory()
        response = user_client.post(
            "/api/v1/registrations/", {"event": event.pk, "promo_code": "X" * 41}, format="json"
        )
        assert set(assert_error(response, 400, "validation_error")["details"]) == {"promo_code"}

    def test_a_waitlist_entry_keeps_the_code_it_joined_with(self):
        event = EventFactory(capacity=1)
        ticket_type = TicketTypeFactory(event=event, quantity=1)
        RegistrationFactory(event=event, ticket_type=ticket_type)
        make_code(event, "LATER", value="10")
        client = authenticated_client(UserFactory())

        response = client.post(
            "/api/v1/waitlist/", {"event": event.pk, "promo_code": "later"}, format="json"
        )

        assert response.status_code == 201, response.content
        assert response.json()["promo_code"] == "LATER"
