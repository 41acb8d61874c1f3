"""`sessions/`, `ticket-types/`, `events/{id}/calendar.ics` and the catalogue's admin."""

from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events.models import Session, Tag, TicketType
from tests.conftest import authenticated_client
from tests.factories import (
    CategoryFactory,
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    SessionFactory,
    TicketTypeFactory,
    UserFactory,
)
from tests.helpers import admin_filter_link, assert_admin_lists, assert_error, iso

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/sessions/"
TICKETS = "/api/v1/ticket-types/"


def session_data(event, **overrides):
    return {
        "event": event.pk,
        "title": "Keynote",
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.starts_at + timedelta(hours=1)),
        **overrides,
    }


class TestSessions:
    def test_organizer_adds_a_session_inside_the_window(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        speaker = UserFactory(first_name="Grace", last_name="Hopper")
        response = organizer_client.post(
            SESSIONS, session_data(event, speaker=speaker.pk, room_or_link="Room 1"), format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["speaker_name"] == "Grace Hopper"
        assert response.json()["event"] == event.pk

    @pytest.mark.parametrize(
        "starts, ends",
        [(-1, 1), (2, 4), (1, 0.5)],
        ids=["starts-before-event", "ends-after-event", "ends-before-start"],
    )
    def test_sessions_outside_the_window_are_refused(
        self, organizer_client, organizer, starts, ends
    ):
        event = EventFactory(organizer=organizer)  # three hours long
        data = session_data(
            event,
            starts_at=iso(event.starts_at + timedelta(hours=starts)),
            ends_at=iso(event.starts_at + timedelta(hours=ends)),
        )
        assert_error(organizer_client.post(SESSIONS, data, format="json"), 400, "validation_error")
        assert not Session.objects.exists()

    def test_another_organizer_cannot_add_or_change_sessions(self):
        event = EventFactory()
        session = SessionFactory(event=event)
        intruder = authenticated_client(OrganizerFactory())
        assert_error(
            intruder.post(SESSIONS, session_data(event), format="json"), 403, "permission_denied"
        )
        assert_error(
            intruder.patch(f"{SESSIONS}{session.pk}/", {"title": "x"}, format="json"),
            403,
            "permission_denied",
        )
        assert_error(intruder.delete(f"{SESSIONS}{session.pk}/"), 403, "permission_denied")

    def test_an_event_you_cannot_see_is_not_found(self):
        hidden = EventFactory(status="draft")
        intruder = authenticated_client(OrganizerFactory())
        body = assert_error(
            intruder.post(SESSIONS, session_data(hidden), format="json"), 400, "validation_error"
        )
        assert "event" in body["details"]

    def test_sessions_of_hidden_events_are_not_listed_or_readable(self, api_client):
        hidden = SessionFactory(event=EventFactory(visibility="private"))
        SessionFactory()
        assert api_client.get(SESSIONS).json()["count"] == 1
        assert_error(api_client.get(f"{SESSIONS}{hidden.pk}/"), 404, "not_found")

    def test_filters_and_ordering(self, api_client):
        event = EventFactory()
        speaker = UserFactory()
        late = SessionFactory(
            event=event,
            starts_at=event.starts_at + timedelta(hours=2),
            ends_at=event.starts_at + timedelta(hours=3),
            speaker=speaker,
        )
        early = SessionFactory(event=event)
        SessionFactory()
        ids = [
            s["id"]
            for s in api_client.get(f"{SESSIONS}?event={event.pk}&ordering=starts_at").json()[
                "results"
            ]
        ]
        assert ids == [early.pk, late.pk]
        assert [
            s["id"] for s in api_client.get(f"{SESSIONS}?speaker={speaker.pk}").json()["results"]
        ] == [late.pk]

    def test_a_session_cannot_move_to_another_event(self, organizer_client, organizer):
        event, other = EventFactory(organizer=organizer), EventFactory(organizer=organizer)
        session = SessionFactory(event=event)
        assert_error(
            organizer_client.patch(f"{SESSIONS}{session.pk}/", {"event": other.pk}, format="json"),
            400,
            "validation_error",
        )

    def test_owner_changes_and_deletes_a_session(self, organizer_client, organizer):
        session = SessionFactory(event=EventFactory(organizer=organizer))
        assert (
            organizer_client.patch(
                f"{SESSIONS}{session.pk}/", {"title": "New"}, format="json"
            ).json()["title"]
            == "New"
        )
        assert organizer_client.delete(f"{SESSIONS}{session.pk}/").status_code == 204

    def test_list_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        event = EventFactory()
        for _ in range(15):
            SessionFactory(event=event, speaker=UserFactory())
        with django_assert_max_num_queries(2):
            assert len(api_client.get(SESSIONS).json()["results"]) == 15


class TestTicketTypes:
    def test_organizer_adds_a_ticket_type(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        response = organizer_client.post(
            TICKETS,
            {"event": event.pk, "name": "VIP", "price": "99.50", "quantity": 10},
            format="json",
        )
        assert response.status_code == 201
        assert response.json() == {
            **response.json(),
            "sold": 0,
            "available": 10,
            "max_per_order": 10,
            "is_active": True,
            "price": "99.50",
        }

    @pytest.mark.parametrize(
        "data, field",
        [
            ({"price": "-1"}, "price"),
            ({"quantity": -5}, "quantity"),
            ({"max_per_order": 0}, "max_per_order"),
            ({"price": "free"}, "price"),
            ({"price": "1.999"}, "price"),
            (
                {"sales_start": "2030-01-02T00:00:00Z", "sales_end": "2030-01-01T00:00:00Z"},
                "sales_end",
            ),
        ],
    )
    def test_invalid_ticket_types_are_refused(self, organizer_client, organizer, data, field):
        event = EventFactory(organizer=organizer)
        body = assert_error(
            organizer_client.post(
                TICKETS,
                {"event": event.pk, "name": "X", "price": "1", "quantity": 1, **data},
                format="json",
            ),
            400,
            "validation_error",
        )
        assert field in body["details"]
        assert not TicketType.objects.exists()

    def test_names_are_unique_per_event_and_the_error_is_on_name(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        vip = TicketTypeFactory(event=event, name="VIP")
        standard = TicketTypeFactory(event=event, name="Standard")
        TicketTypeFactory(event=EventFactory(organizer=organizer), name="Early")
        body = assert_error(
            organizer_client.post(
                TICKETS,
                {"event": event.pk, "name": "VIP", "price": "1", "quantity": 1},
                format="json",
            ),
            400,
            "validation_error",
        )
        assert body["details"] == {"name": ["Already used for this event."]}
        renamed = organizer_client.patch(f"{TICKETS}{standard.pk}/", {"name": "VIP"}, format="json")
        assert_error(renamed, 400, "validation_error")
        assert list(renamed.json()["details"]) == ["name"]
        # Its own name, and a name used at another event, are fine.
        same = organizer_client.patch(f"{TICKETS}{vip.pk}/", {"name": "VIP"}, format="json")
        assert same.status_code == 200, same.json()
        elsewhere = organizer_client.patch(f"{TICKETS}{vip.pk}/", {"name": "Early"}, format="json")
        assert elsewhere.status_code == 200, elsewhere.json()

    def test_others_cannot_write_ticket_types(self, user_client):
        ticket = TicketTypeFactory()
        intruder = authenticated_client(OrganizerFactory())
        for client in (user_client, intruder):
            assert_error(
                client.patch(f"{TICKETS}{ticket.pk}/", {"price": "0"}, format="json"),
                403,
                "permission_denied",
            )
            assert_error(
                client.post(
                    TICKETS,
                    {"event": ticket.event_id, "name": "Mine", "price": "0", "quantity": 1},
                    format="json",
                ),
                403,
                "permission_denied",
            )

    def test_filter_by_event(self, api_client):
        ticket = TicketTypeFactory()
        TicketTypeFactory()
        body = api_client.get(f"{TICKETS}?event={ticket.event_id}").json()
        assert [t["id"] for t in body["results"]] == [ticket.pk]

    def test_owner_changes_a_price(self, organizer_client, organizer):
        ticket = TicketTypeFactory(event=EventFactory(organizer=organizer))
        assert (
            organizer_client.patch(
                f"{TICKETS}{ticket.pk}/", {"price": "12.00"}, format="json"
            ).json()["price"]
            == "12.00"
        )

    def test_list_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        TicketTypeFactory.create_batch(12)
        with django_assert_max_num_queries(2):
            assert len(api_client.get(TICKETS).json()["results"]) == 12


class TestCalendar:
    def test_the_event_as_an_rfc5545_calendar(self, api_client, settings):
        settings.FRONTEND_URL = "https://events.example.com"
        event = EventFactory(title="Django Day", description="Talks", location="Berlin")
        response = api_client.get(
            f"/api/v1/events/{event.pk}/calendar.ics", HTTP_ACCEPT="text/calendar"
        )

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert f'filename="{event.slug}.ics"' in response["Content-Disposition"]
        [entry] = Calendar.from_ical(response.content).walk("VEVENT")
        assert str(entry["uid"]) == f"event-{event.pk}@events.example.com"
        assert entry.decoded("dtstart") == event.starts_at
        assert entry.decoded("dtend") == event.ends_at
        assert entry.decoded("dtstart").utcoffset() == timedelta(0)
        assert "dtstamp" in entry
        assert str(entry["summary"]) == "Django Day"
        assert str(entry["location"]) == "Berlin"
        assert str(entry["description"]) == "Talks"
        assert str(entry["url"]) == f"https://events.example.com/events/{event.slug}"
        assert b"DTSTART:" in response.content and b"Z\r\n" in response.content

    def test_the_online_link_is_only_in_the_organizers_calendar(self, api_client):
        event = EventFactory(is_online=True, online_url="https://meet.example.com/secret")
        assert b"secret" not in api_client.get(f"/api/v1/events/{event.pk}/calendar.ics").content
        owner = authenticated_client(event.organizer)
        assert b"secret" in owner.get(f"/api/v1/events/{event.pk}/calendar.ics").content

    def test_a_cancelled_event_is_marked_cancelled(self, api_client):
        event = EventFactory(status="cancelled")
        content = api_client.get(f"/api/v1/events/{event.pk}/calendar.ics").content
        assert b"STATUS:CANCELLED" in content

    def test_hidden_events_have_no_calendar(self, api_client):
        event = EventFactory(status="draft")
        assert_error(api_client.get(f"/api/v1/events/{event.pk}/calendar.ics"), 404, "not_found")


class TestAdmin:
    @pytest.mark.parametrize(
        "url",
        [
            "/admin/events/event/?q=django&display_status=completed&visibility__exact=public",
            "/admin/events/event/?display_status=published",
            "/admin/events/tickettype/?q=vip&is_active__exact=1",
            "/admin/events/session/?q=keynote",
            "/admin/events/tag/?q=py",
        ],
    )
    def test_changelists_search_and_filter(self, admin_site, url):
        event = EventFactory(title="Django Day", tags=["python"])
        TicketTypeFactory(event=event, name="VIP")
        SessionFactory(event=event, title="Keynote")
        assert admin_site.get(url).status_code == 200

    @pytest.mark.parametrize(
        "overrides",
        [
            {"title": "Quokka Day"},
            {"slug": "quokka-day"},
            {"description": "All about quokkas."},
            {"location": "Quokka Island"},
            {"organizer__username": "quokka"},
            {"tags": ["quokka"]},
        ],
        ids=["title", "slug", "description", "location", "organizer", "tag"],
    )
    def test_the_event_changelist_searches_each_search_field(self, admin_site, overrides):
        match = EventFactory(**overrides)
        other = EventFactory(tags=["python"])
        page = admin_site.get("/admin/events/event/", {"q": "quokka"})
        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_the_display_status_filter_shows_the_status_the_api_shows(self, admin_site):
        past = timezone.now() - timedelta(days=2)
        events = {
            "Draft": EventFactory(status="draft"),
            "Published": EventFactory(status="published"),
            "Completed": EventFactory(
                status="published", starts_at=past, ends_at=past + timedelta(hours=3)
            ),
            "Cancelled": EventFactory(status="cancelled"),
        }
        page = admin_site.get("/admin/events/event/")
        assert_admin_lists(page, shown=events.values())
        for choice, event in events.items():
            filtered = admin_site.get(
                "/admin/events/event/" + admin_filter_link(page, "status", choice)
            )
            others = [e for e in events.values() if e != event]
            assert_admin_lists(filtered, shown=[event], hidden=others)

    @pytest.mark.parametrize(
        "title, choice, matching, other",
        [
            ("visibility", "Unlisted", {"visibility": "unlisted"}, {"visibility": "public"}),
            ("level", "Advanced", {"level": "advanced"}, {"level": "beginner"}),
            ("is online", "Yes", {"is_online": True}, {"is_online": False}),
            (
                "starts at",
                "Past 7 days",
                {"starts_at": timezone.now() - timedelta(days=2)},
                {"starts_at": timezone.now() + timedelta(days=10)},
            ),
        ],
    )
    def test_each_event_filter_narrows_the_list(self, admin_site, title, choice, matching, other):
        match, unmatched = EventFactory(**matching), EventFactory(**other)
        page = admin_site.get("/admin/events/event/")
        assert_admin_lists(page, shown=[match, unmatched])
        filtered = admin_site.get("/admin/events/event/" + admin_filter_link(page, title, choice))
        assert_admin_lists(filtered, shown=[match], hidden=[unmatched])

    def test_the_event_changelist_filters_by_category(self, admin_site):
        match = EventFactory(category=CategoryFactory(name="Quokkas", slug="quokkas"))
        other = EventFactory(category=CategoryFactory(name="Meetups", slug="meetups"))
        page = admin_site.get("/admin/events/event/")
        filtered = admin_site.get(
            "/admin/events/event/" + admin_filter_link(page, "category", "Quokkas")
        )
        assert_admin_lists(filtered, shown=[match], hidden=[other])

    @pytest.mark.parametrize(
        "overrides",
        [
            {"name": "Quokka talks"},
            {"slug": "quokka-talks"},
            {"description": "Talks about quokkas."},
        ],
        ids=["name", "slug", "description"],
    )
    def test_the_category_changelist_searches_each_search_field(self, admin_site, overrides):
        match = CategoryFactory(**{"name": "Zeta", "slug": "zeta", **overrides})
        other = CategoryFactory(name="Meetups", slug="meetups", description="Local groups.")
        page = admin_site.get("/admin/events/category/", {"q": "quokka"})
        assert_admin_lists(page, shown=[match], hidden=[other])

    @pytest.mark.parametrize(
        "overrides",
        [{"name": "Quokka pass"}, {"event__title": "Quokka Day"}],
        ids=["name", "event title"],
    )
    def test_the_ticket_type_changelist_searches_each_search_field(self, admin_site, overrides):
        match = TicketTypeFactory(**overrides)
        other = TicketTypeFactory(name="VIP")
        page = admin_site.get("/admin/events/tickettype/", {"q": "quokka"})
        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_the_ticket_type_changelist_filters_by_active(self, admin_site):
        inactive = TicketTypeFactory(is_active=False)
        active = TicketTypeFactory(is_active=True)
        page = admin_site.get("/admin/events/tickettype/")
        assert_admin_lists(page, shown=[inactive, active])
        filtered = admin_site.get(
            "/admin/events/tickettype/" + admin_filter_link(page, "is active", "No")
        )
        assert_admin_lists(filtered, shown=[inactive], hidden=[active])

    @pytest.mark.parametrize(
        "overrides",
        [
            {"title": "Quokka care"},
            {"speaker_name": "Dr Quokka"},
            {"event__title": "Quokka Day"},
        ],
        ids=["title", "speaker name", "event title"],
    )
    def test_the_session_changelist_searches_each_search_field(self, admin_site, overrides):
        match = SessionFactory(**overrides)
        other = SessionFactory(title="Keynote", speaker_name="Grace Hopper")
        page = admin_site.get("/admin/events/session/", {"q": "quokka"})
        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_the_session_changelist_filters_by_start(self, admin_site):
        past = timezone.now() - timedelta(days=2)
        recent = SessionFactory(event=EventFactory(starts_at=past))
        upcoming = SessionFactory()
        page = admin_site.get("/admin/events/session/")
        assert_admin_lists(page, shown=[recent, upcoming])
        filtered = admin_site.get(
            "/admin/events/session/" + admin_filter_link(page, "starts at", "Past 7 days")
        )
        assert_admin_lists(filtered, shown=[recent], hidden=[upcoming])

    def test_the_tag_changelist_searches_by_name(self, admin_site):
        match, other = Tag.objects.create(name="quokka"), Tag.objects.create(name="python")
        page = admin_site.get("/admin/events/tag/", {"q": "quok"})
        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_event_page_has_ticket_type_and_session_inlines(self, admin_site):
        event = EventFactory()
        TicketTypeFactory(event=event, name="VIP")
        page = admin_site.get(f"/admin/events/event/{event.pk}/change/")
        assert page.status_code == 200
        assert b"VIP" in page.content and b"Sessions" in page.content


def test_sold_counts_holds_against_the_time_of_the_request(api_client):
    """Regression: the queryset was built once at import, so holds that expired later counted
    on as sold."""
    ticket_type = TicketTypeFactory(quantity=5)
    RegistrationFactory(
        event=ticket_type.event,
        ticket_type=ticket_type,
        status="pending",
        confirmed_at=None,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    body = api_client.get(f"{TICKETS}{ticket_type.pk}/").json()
    assert body["sold"] == 0 and body["available"] == 5


def test_filtering_by_an_event_you_cannot_see_reveals_nothing(api_client):
    hidden = SessionFactory(event=EventFactory(status="draft")).event
    for url in (
        f"{SESSIONS}?event={hidden.pk}",
        f"{SESSIONS}?event=999999",
        f"{TICKETS}?event={hidden.pk}",
        f"{TICKETS}?event=999999",
    ):
        response = api_client.get(url)
        assert response.status_code == 200 and response.json()["count"] == 0
