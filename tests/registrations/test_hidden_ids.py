"""An object one may not see reads exactly like one that does not exist, in a body reference
too: ids of ticket types and sessions cannot be probed through error messages."""

import pytest

from tests.conftest import authenticated_client
from tests.factories import (
    EventFactory,
    OrganizerFactory,
    SessionFactory,
    TicketFactory,
    TicketTypeFactory,
)

pytestmark = pytest.mark.django_db

MISSING = 987654


def refusal(response, field: str, pk: int) -> str:
    assert response.status_code == 400, response.content
    return response.json()["details"][field][0].replace(str(pk), "<id>")


@pytest.mark.parametrize("path", ["/api/v1/registrations/", "/api/v1/waitlist/"])
def test_a_draft_events_ticket_type_reads_as_missing(user, path):
    visible = EventFactory()
    TicketTypeFactory(event=visible)
    hidden = TicketTypeFactory(event=EventFactory(status="draft"))
    client = authenticated_client(user)

    of_hidden = client.post(path, {"event": visible.pk, "ticket_type": hidden.pk})
    of_missing = client.post(path, {"event": visible.pk, "ticket_type": MISSING})

    assert refusal(of_hidden, "ticket_type", hidden.pk) == refusal(
        of_missing, "ticket_type", MISSING
    )


def test_a_private_events_ticket_type_reads_as_missing_too(user):
    visible = EventFactory()
    TicketTypeFactory(event=visible)
    hidden = TicketTypeFactory(event=EventFactory(visibility="private"))
    client = authenticated_client(user)
    of_hidden = client.post(
        "/api/v1/registrations/", {"event": visible.pk, "ticket_type": hidden.pk}
    )
    of_missing = client.post(
        "/api/v1/registrations/", {"event": visible.pk, "ticket_type": MISSING}
    )
    assert refusal(of_hidden, "ticket_type", hidden.pk) == refusal(
        of_missing, "ticket_type", MISSING
    )


def test_a_session_of_another_organizers_event_reads_as_missing_at_the_door():
    organizer = OrganizerFactory()
    ticket = TicketFactory(
        registration__event__organizer=organizer,
    )
    elsewhere = SessionFactory(event=EventFactory())
    door = authenticated_client(organizer)

    of_other = door.post(
        "/api/v1/tickets/check_in/", {"code": ticket.code, "session": elsewhere.pk}
    )
    of_missing = door.post("/api/v1/tickets/check_in/", {"code": ticket.code, "session": MISSING})

    assert refusal(of_other, "session", elsewhere.pk) == refusal(of_missing, "session", MISSING)
