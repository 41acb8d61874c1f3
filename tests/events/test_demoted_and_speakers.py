"""Powers follow the role: an organizer demoted to attendee no longer manages their events;
and a session's speaker is a live account."""

import pytest

from tests.conftest import authenticated_client
from tests.factories import EventFactory, RegistrationFactory, TicketFactory, UserFactory
from tests.helpers import assert_error
from users.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demoted(organizer):
    event = EventFactory(organizer=organizer)
    RegistrationFactory(event=event)
    organizer.role = Role.ATTENDEE
    organizer.save(update_fields=["role"])
    return organizer, event


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("patch", "/api/v1/events/{id}/", {"title": "Still mine?"}),
        ("post", "/api/v1/events/{id}/cancel/", None),
        ("get", "/api/v1/events/{id}/attendees/", None),
        ("get", "/api/v1/events/{id}/attendees/?format=csv", None),
        ("get", "/api/v1/events/{id}/statistics/", None),
    ],
)
def test_a_demoted_organizer_no_longer_manages_their_event(demoted, method, path, data):
    user, event = demoted
    client = authenticated_client(user)
    call = getattr(client, method)
    response = (
        call(path.format(id=event.pk), data, format="json")
        if data
        else call(path.format(id=event.pk))
    )
    assert_error(response, 403, "permission_denied")
    event.refresh_from_db()
    assert event.status == "published" and event.title != "Still mine?"


def test_a_demoted_organizer_no_longer_checks_in_at_the_door(demoted):
    user, event = demoted
    ticket = TicketFactory(registration=event.registrations.get())
    response = authenticated_client(user).post("/api/v1/tickets/check_in/", {"code": ticket.code})
    assert_error(response, 403, "permission_denied")


def test_the_organizer_role_given_back_gives_the_event_back(demoted):
    user, event = demoted
    user.role = Role.ORGANIZER
    user.save(update_fields=["role"])
    response = authenticated_client(user).get(f"/api/v1/events/{event.pk}/statistics/")
    assert response.status_code == 200


def test_a_deactivated_account_cannot_be_a_speaker(organizer):
    event = EventFactory(organizer=organizer)
    gone = UserFactory(is_active=False)
    missing = authenticated_client(organizer).post(
        "/api/v1/sessions/",
        {
            "event": event.pk,
            "title": "Talk",
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "speaker": gone.pk,
        },
        format="json",
    )
    body = assert_error(missing, 400, "validation_error")
    assert "does not exist" in body["details"]["speaker"][0]
