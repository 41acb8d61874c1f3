"""`notifications/`: one's own notifications, read, counted and deleted; nobody else's."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Notification
from tests.conftest import authenticated_client
from tests.factories import EventFactory, NotificationFactory, UserFactory
from tests.helpers import assert_error, iso

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/notifications/"


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


class TestTheList:
    def test_it_shows_ones_own_newest_first_with_every_field(self, user, user_client):
        event = EventFactory(title="PyCon")
        with time_machine.travel(timezone.now() - timezone.timedelta(hours=1)):
            older = NotificationFactory(user=user)
        newer = NotificationFactory(user=user, event=event, data={"registration": 7})
        NotificationFactory()  # someone else's

        body = user_client.get(NOTIFICATIONS).json()

        assert body["count"] == 2
        assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]
        assert body["results"][0] == {
            "id": newer.pk,
            "type": "registration_confirmed",
            "title": newer.title,
            "message": "Something happened.",
            "event": event.pk,
            "event_title": "PyCon",
            "data": {"registration": 7},
            "is_read": False,
            "read_at": None,
            "created_at": iso(newer.created_at),
        }
        assert body["results"][1]["event"] is None and body["results"][1]["event_title"] is None

    def test_it_filters_by_type_read_and_event(self, user, user_client):
        event = EventFactory()
        about_event = NotificationFactory(user=user, event=event, type="event_updated")
        read = NotificationFactory(user=user, is_read=True, read_at=timezone.now())

        def ids(query):
            return [item["id"] for item in user_client.get(NOTIFICATIONS + query).json()["results"]]

        assert ids("?type=event_updated") == [about_event.pk]
        assert ids("?is_read=true") == [read.pk]
        assert ids("?is_read=false") == [about_event.pk]
        assert ids(f"?event={event.pk}") == [about_event.pk]

    @pytest.mark.parametrize("query", ["?type=nonsense", "?is_read=maybe", "?event=abc"])
    def test_a_filter_value_that_is_not_one_is_a_400(self, user_client, query):
        assert_error(user_client.get(NOTIFICATIONS + query), 400, "validation_error")

    def test_its_query_count_does_not_grow_with_the_notifications(self, user, user_client):
        NotificationFactory.create_batch(2, user=user, event=EventFactory())
        few = queries_for(user_client, NOTIFICATIONS)
        for _ in range(20):
            NotificationFactory(user=user, event=EventFactory())
        many = queries_for(user_client, NOTIFICATIONS)

        assert many == few
        assert few <= 3  # the user, the count, the page with its events

    def test_it_needs_credentials(self, api_client):
        assert_error(api_client.get(NOTIFICATIONS), 401, "not_authenticated")


class TestOneNotification:
    def test_another_persons_notification_is_not_found_for_anyone_but_them(self, admin_client):
        theirs = NotificationFactory()
        for client in (admin_client, authenticated_client(UserFactory())):
            assert_error(client.get(f"{NOTIFICATIONS}{theirs.pk}/"), 404, "not_found")
            assert_error(client.post(f"{NOTIFICATIONS}{theirs.pk}/read/"), 404, "not_found")
            assert_error(client.delete(f"{NOTIFICATIONS}{theirs.pk}/"), 404, "not_found")
        theirs.refresh_from_db()
        assert not theirs.is_read

    def test_reading_marks_it_read_once_and_keeps_the_first_time(self, user, user_client):
        notification = NotificationFactory(user=user)

        first = user_client.post(f"{NOTIFICATIONS}{notification.pk}/read/").json()
        with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
            again = user_client.post(f"{NOTIFICATIONS}{notification.pk}/read/").json()

        assert first["is_read"] is True and first["read_at"] is not None
        assert again["read_at"] == first["read_at"]

    def test_deleting_ones_own_removes_it(self, user, user_client):
        notification = NotificationFactory(user=user)

        response = user_client.delete(f"{NOTIFICATIONS}{notification.pk}/")

        assert response.status_code == 204
        assert not Notification.objects.filter(pk=notification.pk).exists()

    def test_an_id_that_is_not_a_number_is_not_found(self, user_client):
        assert_error(user_client.get(f"{NOTIFICATIONS}abc/"), 404, "not_found")

    def test_there_is_no_way_to_make_or_edit_one(self, user, user_client):
        notification = NotificationFactory(user=user)
        assert_error(user_client.post(NOTIFICATIONS, {"title": "x"}), 405, "method_not_allowed")
        assert_error(
            user_client.patch(f"{NOTIFICATIONS}{notification.pk}/", {"title": "x"}),
            405,
            "method_not_allowed",
        )


class TestCountingAndReadingAll:
    def test_read_all_marks_ones_own_unread_and_says_how_many(self, user, user_client):
        NotificationFactory.create_batch(3, user=user)
        NotificationFactory(user=user, is_read=True, read_at=timezone.now())
        others = NotificationFactory()

        response = user_client.post(f"{NOTIFICATIONS}read_all/")

        assert response.json() == {"updated": 3}
        assert not Notification.objects.filter(user=user, is_read=False).exists()
        assert user_client.post(f"{NOTIFICATIONS}read_all/").json() == {"updated": 0}
        others.refresh_from_db()
        assert not others.is_read

    def test_the_unread_count_is_ones_own(self, user, user_client):
        NotificationFactory.create_batch(2, user=user)
        NotificationFactory(user=user, is_read=True, read_at=timezone.now())
        NotificationFactory()

        assert user_client.get(f"{NOTIFICATIONS}unread_count/").json() == {"unread_count": 2}

    def test_the_dashboard_counts_the_unread(self, user, user_client):
        NotificationFactory.create_batch(2, user=user)
        NotificationFactory(user=user, is_read=True, read_at=timezone.now())

        counts = user_client.get("/api/v1/dashboard/").json()["counts"]

        assert counts["unread_notifications"] == 2
