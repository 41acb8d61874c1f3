"""Links people click are web links: http and https only (no javascript:, data:, ftp:)."""

import pytest

from tests.conftest import authenticated_client
from tests.factories import EventFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(organizer):
    return EventFactory(organizer=organizer)


def session_with(client, event, room_or_link):
    return client.post(
        "/api/v1/sessions/",
        {
            "event": event.pk,
            "title": "Talk",
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "room_or_link": room_or_link,
        },
        format="json",
    )


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "ftp://x.example"]
)
def test_a_session_link_that_is_not_a_web_link_is_refused(organizer, event, value):
    body = assert_error(
        session_with(authenticated_client(organizer), event, value), 400, "validation_error"
    )
    assert "room_or_link" in body["details"]


@pytest.mark.parametrize(
    "value", ["Room 101", "Room: 101", "Hall B, 2nd floor", "https://meet.example/x"]
)
def test_a_room_or_a_web_link_is_accepted(organizer, event, value):
    response = session_with(authenticated_client(organizer), event, value)
    assert response.status_code == 201, response.json()
    assert response.json()["room_or_link"] == value


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://files.example/x"])
def test_an_events_join_link_must_be_a_web_link(organizer, event, value):
    body = assert_error(
        authenticated_client(organizer).patch(
            f"/api/v1/events/{event.pk}/", {"online_url": value}, format="json"
        ),
        400,
        "validation_error",
    )
    assert "online_url" in body["details"]


@pytest.mark.parametrize("field", ["website", "linkedin", "facebook"])
def test_profile_links_must_be_web_links(user, field):
    body = assert_error(
        authenticated_client(user).patch(
            "/api/v1/auth/users/me/", {field: "javascript:alert(1)//x.com"}, format="json"
        ),
        400,
        "validation_error",
    )
    assert field in body["details"]


class TestSessionLinksAreKeptLikeTheJoinLink:
    LINK = "https://meet.example/secret-room"

    @pytest.fixture
    def sessions(self, event):
        from tests.factories import SessionFactory, TicketTypeFactory

        TicketTypeFactory(event=event, price="0.00")
        SessionFactory(event=event, title="In person", room_or_link="Room 101")
        SessionFactory(event=event, title="Online", room_or_link=self.LINK)
        return event

    def shown(self, client, event) -> dict:
        page = client.get(f"/api/v1/events/{event.pk}/").json()["sessions"]
        listing = client.get(f"/api/v1/sessions/?event={event.pk}").json()["results"]
        by_page = {s["title"]: s["room_or_link"] for s in page}
        by_list = {s["title"]: s["room_or_link"] for s in listing}
        assert by_page == by_list
        return by_page

    def test_anonymous_visitors_see_the_room_but_not_the_link(self, api_client, sessions):
        assert self.shown(api_client, sessions) == {"In person": "Room 101", "Online": None}

    def test_a_signed_in_stranger_does_not_see_the_link(self, user, sessions):
        shown = self.shown(authenticated_client(user), sessions)
        assert shown["Online"] is None

    def test_confirmed_attendees_and_the_organizer_see_it(self, user, organizer, sessions):
        from tests.factories import RegistrationFactory

        RegistrationFactory(event=sessions, user=user, ticket_type=sessions.ticket_types.get())
        assert self.shown(authenticated_client(user), sessions)["Online"] == self.LINK
        assert self.shown(authenticated_client(organizer), sessions)["Online"] == self.LINK


class TestEmptyLinksReadAsNull:
    def test_an_empty_profile_link_reads_null_and_null_clears_one(self, user):
        client = authenticated_client(user)
        assert client.get("/api/v1/auth/users/me/").json()["website"] is None
        client.patch("/api/v1/auth/users/me/", {"website": "https://me.example"}, format="json")
        assert client.get("/api/v1/auth/users/me/").json()["website"] == "https://me.example"
        response = client.patch("/api/v1/auth/users/me/", {"website": None}, format="json")
        assert response.status_code == 200 and response.json()["website"] is None
        user.refresh_from_db()
        assert user.website == ""

    def test_an_event_without_a_join_link_reads_null_even_to_its_organizer(self, organizer, event):
        body = authenticated_client(organizer).get(f"/api/v1/events/{event.pk}/").json()
        assert body["online_url"] is None

    def test_the_schema_says_links_may_be_null(self):
        from drf_spectacular.generators import SchemaGenerator

        schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
        for component, field in (("Event", "online_url"), ("PublicUser", "website")):
            prop = schemas[component]["properties"][field]
            assert prop.get("nullable") is True and prop.get("format") == "uri", component
