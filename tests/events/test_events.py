"""`events/`: create, read, change, delete, publish, cancel, and who may do each."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from events.models import Event, EventStatus, TicketType
from tests.conftest import authenticated_client
from tests.factories import (
    CategoryFactory,
    EventFactory,
    OrganizerFactory,
    SessionFactory,
    TicketTypeFactory,
)
from tests.helpers import assert_error, iso
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"

CONTRACT_FIELDS = {
    "id",
    "slug",
    "title",
    "description",
    "category",
    "tags",
    "level",
    "organizer",
    "organizer_name",
    "is_online",
    "location",
    "online_url",
    "status",
    "starts_at",
    "ends_at",
    "timezone",
    "registration_opens_at",
    "registration_deadline",
    "capacity",
    "requires_approval",
    "visibility",
    "currency",
    "price",
    "refund_deadline_hours",
    "cover_image",
    "ticket_types",
    "sessions",
    "attendees_count",
    "available_spots",
    "waitlist_count",
    "is_registration_open",
    "average_rating",
    "reviews_count",
    "created_at",
    "updated_at",
}


def new_event(**overrides):
    starts = timezone.now() + timedelta(days=30)
    return {
        "title": "Django Day",
        "description": "All about Django.",
        "starts_at": iso(starts),
        "ends_at": iso(starts + timedelta(hours=8)),
        "capacity": 100,
        "location": "Berlin",
        "timezone": "Europe/Berlin",
        **overrides,
    }


def image_file(size=(800, 400), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, fmt)
    buffer.seek(0)
    buffer.name = f"cover.{fmt.lower()}"
    return buffer


class TestCreate:
    def test_organizer_creates_a_draft_they_own(self, organizer_client, organizer):
        CategoryFactory(slug="workshop")
        response = organizer_client.post(
            URL,
            new_event(category="workshop", tags=["Django", "python", "django"]),
            format="json",
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert set(body) == CONTRACT_FIELDS
        assert body["status"] == "draft"
        assert body["organizer"] == organizer.pk
        assert body["organizer_name"] == organizer.full_name
        assert body["slug"] == "django-day"
        assert body["category"] == "workshop"
        assert body["tags"] == ["django", "python"]
        assert body["level"] == "all" and body["visibility"] == "public"
        assert body["price"] is None and body["ticket_types"] == []
        assert ActivityLog.objects.filter(action="event_created", user=organizer).exists()

    def test_price_shorthand_makes_one_general_admission_type(self, organizer_client):
        body = organizer_client.post(URL, new_event(price="29.99"), format="json").json()
        assert body["price"] == "29.99"
        [ticket] = body["ticket_types"]
        assert ticket["name"] == "General admission"
        assert ticket["price"] == "29.99" and ticket["quantity"] == 100
        assert ticket["available"] == 100 and ticket["sold"] == 0

    def test_inline_ticket_types_are_created_and_price_is_the_lowest(self, organizer_client):
        tickets = [
            {"name": "VIP", "price": "300.00", "quantity": 10},
            {"name": "Regular", "price": "100.00", "quantity": 90},
        ]
        body = organizer_client.post(
            URL, new_event(ticket_types=tickets, price="5.00"), format="json"
        ).json()
        assert body["price"] == "100.00"
        assert [t["name"] for t in body["ticket_types"]] == ["Regular", "VIP"]

    def test_creating_as_published_publishes_it(self, organizer_client):
        body = organizer_client.post(
            URL, new_event(price="0", status="published"), format="json"
        ).json()
        assert body["status"] == "published"
        assert ActivityLog.objects.filter(action="event_published").exists()

    def test_creating_as_published_without_tickets_is_refused(self, organizer_client):
        body = assert_error(
            organizer_client.post(URL, new_event(status="published"), format="json"),
            400,
            "validation_error",
        )
        assert "ticket_types" in body["details"]
        assert not Event.objects.exists()

    def test_admin_may_create(self, admin_client, admin_user):
        response = admin_client.post(URL, new_event(), format="json")
        assert response.status_code == 201
        assert response.json()["organizer"] == admin_user.pk

    def test_attendee_may_not_create(self, user_client):
        assert_error(user_client.post(URL, new_event(), format="json"), 403, "permission_denied")

    def test_anonymous_may_not_create(self, api_client):
        assert_error(api_client.post(URL, new_event(), format="json"), 401, "not_authenticated")

    def test_slugs_stay_unique(self, organizer_client):
        first = organizer_client.post(URL, new_event(), format="json").json()["slug"]
        second = organizer_client.post(URL, new_event(), format="json").json()["slug"]
        assert first == "django-day" and second == "django-day-2"

    def test_a_taken_slug_asked_for_is_refused(self, organizer_client):
        EventFactory(slug="mine")
        assert_error(
            organizer_client.post(URL, new_event(slug="mine"), format="json"),
            400,
            "validation_error",
        )

    def test_cover_image_is_stored_and_served(self, organizer_client):
        response = organizer_client.post(
            URL, {**new_event(), "cover_image": image_file()}, format="multipart"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["cover_image"].startswith("http://testserver/media/events/covers/")

    @pytest.mark.parametrize(
        "override, field",
        [
            ({"ends_at": iso(timezone.now() + timedelta(days=29))}, "ends_at"),
            ({"capacity": 0}, "capacity"),
            ({"capacity": "many"}, "capacity"),
            ({"price": "-1"}, "price"),
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"currency": "EURO"}, "currency"),
            ({"level": "expert"}, "level"),
            ({"visibility": "secret"}, "visibility"),
            ({"category": "no-such-category"}, "category"),
            (
                {"registration_deadline": iso(timezone.now() + timedelta(days=31))},
                "registration_deadline",
            ),
            (
                {"registration_opens_at": iso(timezone.now() + timedelta(days=31))},
                "registration_opens_at",
            ),
            ({"status": "cancelled"}, "status"),
            ({"tags": "not-a-list"}, "tags"),
            ({"tags": ["x" * 51]}, "tags"),
            ({"online_url": "not a url"}, "online_url"),
            ({"title": ""}, "title"),
            ({"starts_at": "next tuesday"}, "starts_at"),
            (
                {
                    "ticket_types": [
                        {"name": "A", "price": "1", "quantity": 1},
                        {"name": "A", "price": "2", "quantity": 1},
                    ]
                },
                "ticket_types",
            ),
            ({"ticket_types": [{"name": "A", "price": "-1", "quantity": 1}]}, "ticket_types"),
        ],
    )
    def test_invalid_input_is_refused_and_nothing_is_created(
        self, organizer_client, override, field
    ):
        body = assert_error(
            organizer_client.post(URL, new_event(**override), format="json"),
            400,
            "validation_error",
        )
        assert field in body["details"]
        assert not Event.objects.exists()

    def test_a_cover_that_is_not_an_image_is_refused(self, organizer_client):
        fake = io.BytesIO(b"GIF89a but not really")
        fake.name = "cover.gif"
        body = assert_error(
            organizer_client.post(URL, {**new_event(), "cover_image": fake}, format="multipart"),
            400,
            "validation_error",
        )
        assert "cover_image" in body["details"]

    def test_an_oversized_cover_is_refused(self, organizer_client, settings):
        settings.EVENT_COVER_MAX_BYTES = 1000
        body = assert_error(
            organizer_client.post(
                URL, {**new_event(), "cover_image": image_file()}, format="multipart"
            ),
            400,
            "validation_error",
        )
        assert "cover_image" in body["details"]


class TestRead:
    def test_anyone_reads_a_published_event(self, api_client):
        event = EventFactory()
        body = api_client.get(f"{URL}{event.pk}/").json()
        assert set(body) == CONTRACT_FIELDS
        assert body["status"] == "published"

    @pytest.mark.parametrize("overrides", [{"status": "draft"}, {"visibility": "private"}])
    def test_drafts_and_private_events_are_404_for_others(self, api_client, user_client, overrides):
        event = EventFactory(**overrides)
        other_organizer = authenticated_client(OrganizerFactory())
        for client in (api_client, user_client, other_organizer):
            assert_error(client.get(f"{URL}{event.pk}/"), 404, "not_found")

    @pytest.mark.parametrize("overrides", [{"status": "draft"}, {"visibility": "private"}])
    def test_owner_and_admin_read_drafts_and_private_events(self, admin_client, overrides):
        event = EventFactory(**overrides)
        assert authenticated_client(event.organizer).get(f"{URL}{event.pk}/").status_code == 200
        assert admin_client.get(f"{URL}{event.pk}/").status_code == 200

    def test_unlisted_events_are_reachable_by_id(self, api_client):
        event = EventFactory(visibility="unlisted")
        assert api_client.get(f"{URL}{event.pk}/").status_code == 200

    def test_online_url_is_hidden_from_everyone_but_the_organizer_and_admins(
        self, api_client, user_client, admin_client
    ):
        event = EventFactory(is_online=True, online_url="https://meet.example.com/x")
        assert api_client.get(f"{URL}{event.pk}/").json()["online_url"] is None
        assert user_client.get(f"{URL}{event.pk}/").json()["online_url"] is None
        owner = authenticated_client(event.organizer)
        assert owner.get(f"{URL}{event.pk}/").json()["online_url"] == event.online_url
        assert admin_client.get(f"{URL}{event.pk}/").json()["online_url"] == event.online_url

    def test_an_ended_event_reads_as_completed(self, api_client):
        past = timezone.now() - timedelta(days=2)
        event = EventFactory(starts_at=past, ends_at=past + timedelta(hours=2))
        assert api_client.get(f"{URL}{event.pk}/").json()["status"] == "completed"

    def test_registration_window(self, api_client):
        soon = EventFactory()
        later = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
        closed = EventFactory(registration_deadline=timezone.now() - timedelta(hours=1))
        assert api_client.get(f"{URL}{soon.pk}/").json()["is_registration_open"] is True
        assert api_client.get(f"{URL}{later.pk}/").json()["is_registration_open"] is False
        assert api_client.get(f"{URL}{closed.pk}/").json()["is_registration_open"] is False

    def test_detail_includes_sessions_and_ticket_types(self, api_client):
        event = EventFactory()
        TicketTypeFactory(event=event, price="15.00")
        SessionFactory(event=event, title="Keynote")
        body = api_client.get(f"{URL}{event.pk}/").json()
        assert body["price"] == "15.00"
        assert [s["title"] for s in body["sessions"]] == ["Keynote"]

    def test_detail_query_count_is_fixed(self, api_client, django_assert_max_num_queries):
        event = EventFactory()
        TicketTypeFactory.create_batch(3, event=event)
        SessionFactory.create_batch(3, event=event)
        with django_assert_max_num_queries(4):  # event, ticket types, sessions, tags
            assert api_client.get(f"{URL}{event.pk}/").status_code == 200

    def test_unknown_or_malformed_ids_are_404(self, api_client):
        assert_error(api_client.get(f"{URL}999999/"), 404, "not_found")
        assert_error(api_client.get(f"{URL}abc/"), 404, "not_found")


class TestUpdate:
    def test_owner_patches_their_event(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        response = organizer_client.patch(
            f"{URL}{event.pk}/", {"title": "Renamed", "tags": ["new"]}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Renamed" and response.json()["tags"] == ["new"]
        entry = ActivityLog.objects.get(action="event_updated")
        assert entry.metadata == {"event": event.pk, "changed": ["tags", "title"]}

    def test_put_replaces_the_details(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        response = organizer_client.put(f"{URL}{event.pk}/", new_event(title="Put"), format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["title"] == "Put"
        assert response.json()["status"] == "published"

    def test_admin_patches_any_event(self, admin_client, admin_user):
        event = EventFactory(capacity=50)
        response = admin_client.patch(f"{URL}{event.pk}/", {"capacity": 10}, format="json")
        assert response.status_code == 200
        assert response.json()["capacity"] == 10
        assert response.json()["organizer"] == event.organizer_id  # still the owner's event
        event.refresh_from_db()
        assert event.capacity == 10
        entry = ActivityLog.objects.get(action="event_updated")
        assert entry.user == admin_user and entry.metadata == {
            "event": event.pk,
            "changed": ["capacity"],
        }
        assert admin_client.get(f"{URL}{event.pk}/").json()["capacity"] == 10

    def test_another_organizer_may_not_edit(self):
        event = EventFactory()
        intruder = authenticated_client(OrganizerFactory())
        assert_error(
            intruder.patch(f"{URL}{event.pk}/", {"title": "Mine"}, format="json"),
            403,
            "permission_denied",
        )
        assert_error(intruder.delete(f"{URL}{event.pk}/"), 403, "permission_denied")
        event.refresh_from_db()
        assert event.title != "Mine"

    def test_another_organizers_draft_is_404(self):
        event = EventFactory(status="draft")
        intruder = authenticated_client(OrganizerFactory())
        assert_error(
            intruder.patch(f"{URL}{event.pk}/", {"title": "x"}, format="json"), 404, "not_found"
        )

    def test_attendee_and_anonymous_may_not_edit(self, user_client, api_client):
        event = EventFactory()
        assert_error(
            user_client.patch(f"{URL}{event.pk}/", {}, format="json"), 403, "permission_denied"
        )
        assert_error(
            api_client.patch(f"{URL}{event.pk}/", {}, format="json"), 401, "not_authenticated"
        )

    @pytest.mark.parametrize(
        "field, value", [("price", "10.00"), ("status", "draft"), ("ticket_types", [])]
    )
    def test_create_only_fields_are_refused_on_update(
        self, organizer_client, organizer, field, value
    ):
        event = EventFactory(organizer=organizer)
        body = assert_error(
            organizer_client.patch(f"{URL}{event.pk}/", {field: value}, format="json"),
            400,
            "validation_error",
        )
        assert field in body["details"]

    def test_end_before_start_is_refused_against_stored_values(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        body = assert_error(
            organizer_client.patch(
                f"{URL}{event.pk}/",
                {"ends_at": iso(event.starts_at - timedelta(hours=1))},
                format="json",
            ),
            400,
            "validation_error",
        )
        assert "ends_at" in body["details"]

    def test_moving_the_window_away_from_its_sessions_is_refused(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        SessionFactory(event=event)
        later = event.starts_at + timedelta(days=1)
        assert_error(
            organizer_client.patch(
                f"{URL}{event.pk}/",
                {"starts_at": iso(later), "ends_at": iso(later + timedelta(hours=3))},
                format="json",
            ),
            400,
            "validation_error",
        )

    def test_a_cancelled_event_cannot_be_changed(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer, status="cancelled")
        assert_error(
            organizer_client.patch(f"{URL}{event.pk}/", {"title": "x"}, format="json"),
            409,
            "invalid_state",
        )


class TestLifecycle:
    def test_publishing_a_draft(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer, status="draft")
        TicketTypeFactory(event=event)
        response = organizer_client.post(f"{URL}{event.pk}/publish/")
        assert response.status_code == 200
        assert response.json()["status"] == "published"
        event.refresh_from_db()
        assert event.published_at is not None

    def test_publishing_needs_a_ticket_type(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer, status="draft")
        body = assert_error(
            organizer_client.post(f"{URL}{event.pk}/publish/"), 400, "validation_error"
        )
        assert "ticket_types" in body["details"]

    def test_publishing_needs_a_future_start(self, organizer_client, organizer):
        past = timezone.now() - timedelta(hours=1)
        event = EventFactory(
            organizer=organizer, status="draft", starts_at=past, ends_at=past + timedelta(hours=3)
        )
        TicketTypeFactory(event=event)
        body = assert_error(
            organizer_client.post(f"{URL}{event.pk}/publish/"), 400, "validation_error"
        )
        assert "starts_at" in body["details"]

    def test_publishing_twice_is_a_conflict(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        assert_error(organizer_client.post(f"{URL}{event.pk}/publish/"), 409, "invalid_state")

    def test_cancelling(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        response = organizer_client.post(f"{URL}{event.pk}/cancel/")
        assert response.json()["status"] == "cancelled"
        assert ActivityLog.objects.filter(action="event_cancelled").exists()
        assert_error(organizer_client.post(f"{URL}{event.pk}/cancel/"), 409, "invalid_state")

    def test_a_completed_event_cannot_be_cancelled(self, organizer_client, organizer):
        past = timezone.now() - timedelta(days=1)
        event = EventFactory(organizer=organizer, starts_at=past, ends_at=past + timedelta(hours=2))
        assert_error(organizer_client.post(f"{URL}{event.pk}/cancel/"), 409, "invalid_state")

    def test_only_the_owner_or_an_admin_publishes_and_cancels(self, user_client, admin_client):
        event = EventFactory(status="draft")
        TicketTypeFactory(event=event)
        other = EventFactory()
        assert_error(user_client.post(f"{URL}{other.pk}/cancel/"), 403, "permission_denied")
        assert_error(
            authenticated_client(OrganizerFactory()).post(f"{URL}{other.pk}/cancel/"),
            403,
            "permission_denied",
        )
        assert_error(user_client.post(f"{URL}{event.pk}/publish/"), 404, "not_found")
        assert admin_client.post(f"{URL}{event.pk}/publish/").status_code == 200

    def test_owner_deletes_an_event(self, organizer_client, organizer):
        event = EventFactory(organizer=organizer)
        TicketTypeFactory(event=event)
        assert organizer_client.delete(f"{URL}{event.pk}/").status_code == 204
        assert not Event.objects.filter(pk=event.pk).exists()
        assert not TicketType.objects.exists()
        assert ActivityLog.objects.get(action="event_deleted").metadata["slug"] == event.slug


def test_event_status_never_stores_completed():
    assert EventStatus.COMPLETED not in dict(Event._meta.get_field("status").choices)
    # The contract's values, written out: comparing the code with itself would prove nothing.
    stored = [value for value, _ in Event._meta.get_field("status").choices]
    assert stored == ["draft", "published", "cancelled"]
    assert sorted(EventStatus.values) == ["cancelled", "completed", "draft", "published"]


def test_completed_is_never_accepted_as_a_status_on_create(organizer_client):
    body = assert_error(
        organizer_client.post(URL, new_event(status="completed"), format="json"),
        400,
        "validation_error",
    )
    assert "status" in body["details"]
    assert not Event.objects.exists()
