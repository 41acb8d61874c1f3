"""`users/` and `activity-logs/`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import authenticated_client
from tests.factories import ActivityLogFactory, AdminFactory, OrganizerFactory, UserFactory
from tests.helpers import assert_error
from users.models import ActivityLog, User

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"
LOGS = "/api/v1/activity-logs/"
PRIVATE = {"email", "phone", "newsletter_subscribed", "notifications_enabled", "email_verified"}


class TestUserList:
    def test_admin_lists_every_account(self, admin_client, admin_user):
        UserFactory.create_batch(2)
        body = admin_client.get(USERS).json()
        assert body["count"] == 3
        assert {"email", "is_active"} <= set(body["results"][0])

    def test_attendees_and_organizers_may_not_list(self, user_client, organizer_client):
        assert_error(user_client.get(USERS), 403, "permission_denied")
        assert_error(organizer_client.get(USERS), 403, "permission_denied")

    def test_anonymous_may_not_list(self, api_client):
        assert_error(api_client.get(USERS), 401, "not_authenticated")

    def test_filters_by_username_email_and_role(self, admin_client):
        UserFactory(username="grace", email="grace@example.com")
        OrganizerFactory(username="olga")

        def names(query):
            return [u["username"] for u in admin_client.get(USERS + query).json()["results"]]

        assert names("?username=GRACE") == ["grace"]
        assert names("?email=grace@example.com") == ["grace"]
        assert names("?role=organizer") == ["olga"]

    def test_search_looks_in_names_and_email(self, admin_client):
        UserFactory(username="u1", first_name="Ada", last_name="Lovelace")
        UserFactory(username="u2", first_name="Alan", last_name="Turing")
        results = admin_client.get(USERS + "?search=lovelace").json()["results"]
        assert [u["username"] for u in results] == ["u1"]

    @pytest.mark.parametrize("query", ["?is_active=maybe", "?role=emperor"])
    def test_invalid_filter_values_are_400(self, admin_client, query):
        assert_error(admin_client.get(USERS + query), 400, "validation_error")

    def test_orders_by_username_and_date_joined(self, admin_client, admin_user):
        now = timezone.now()
        UserFactory(username="zed", date_joined=now - timedelta(days=2))
        UserFactory(username="amy", date_joined=now - timedelta(days=1))

        def names(query):
            return [u["username"] for u in admin_client.get(USERS + query).json()["results"]]

        assert names("?ordering=username") == sorted(names("?ordering=username"))
        assert names("?ordering=date_joined")[:2] == ["zed", "amy"]
        assert names("?ordering=-date_joined")[0] == admin_user.username

    def test_list_query_count_does_not_grow_with_the_page(
        self, admin_client, django_assert_max_num_queries
    ):
        UserFactory.create_batch(30)
        with django_assert_max_num_queries(4):  # auth user, count, page (+ throttle-free)
            response = admin_client.get(USERS + "?page_size=30")
        assert len(response.json()["results"]) == 30


class TestUserDetail:
    def test_others_see_a_public_profile_without_private_fields(self, user_client):
        other = UserFactory(phone="+1 555 0100", bio="Hello")
        body = user_client.get(f"{USERS}{other.pk}/").json()
        assert body["bio"] == "Hello"
        assert not PRIVATE & set(body)

    def test_self_sees_private_fields(self, user_client, user):
        body = user_client.get(f"{USERS}{user.pk}/").json()
        assert body["email"] == user.email

    def test_admin_sees_private_fields_and_status(self, admin_client):
        other = UserFactory()
        body = admin_client.get(f"{USERS}{other.pk}/").json()
        assert body["email"] == other.email and body["is_active"] is True

    def test_deactivated_accounts_are_404_for_non_admins(self, user_client, admin_client):
        gone = UserFactory(is_active=False)
        assert_error(user_client.get(f"{USERS}{gone.pk}/"), 404, "not_found")
        assert admin_client.get(f"{USERS}{gone.pk}/").status_code == 200

    def test_unknown_id_is_404(self, user_client):
        assert_error(user_client.get(f"{USERS}999999/"), 404, "not_found")

    def test_anonymous_is_401(self, api_client, user):
        assert_error(api_client.get(f"{USERS}{user.pk}/"), 401, "not_authenticated")


class TestAdminChanges:
    def test_admin_changes_a_role_and_it_is_logged(self, admin_client, admin_user):
        target = UserFactory()
        response = admin_client.patch(f"{USERS}{target.pk}/", {"role": "organizer"}, format="json")
        assert response.status_code == 200
        assert response.json()["role"] == "organizer"
        entry = ActivityLog.objects.get(action="role_changed")
        assert entry.user == admin_user
        assert entry.target_id == str(target.pk)
        assert entry.metadata == {
            "from": "attendee",
            "to": "organizer",
            "username": target.username,
        }

    def test_making_someone_admin_gives_staff_access_and_back(self, admin_client):
        target = UserFactory()
        admin_client.patch(f"{USERS}{target.pk}/", {"role": "admin"}, format="json")
        target.refresh_from_db()
        assert target.is_staff
        admin_client.patch(f"{USERS}{target.pk}/", {"role": "attendee"}, format="json")
        target.refresh_from_db()
        assert not target.is_staff

    def test_deactivating_an_account_stops_its_sign_in(self, admin_client, api_client):
        target = UserFactory()
        response = admin_client.patch(f"{USERS}{target.pk}/", {"is_active": False}, format="json")
        assert response.json()["is_active"] is False
        client = authenticated_client(target)
        assert_error(client.get("/api/v1/auth/users/me/"), 401, "not_authenticated")
        assert ActivityLog.objects.filter(action="account_status_changed").exists()

    def test_other_fields_are_read_only_for_the_admin(self, admin_client):
        target = UserFactory(first_name="Keep")
        admin_client.patch(f"{USERS}{target.pk}/", {"first_name": "Changed"}, format="json")
        target.refresh_from_db()
        assert target.first_name == "Keep"

    def test_admin_cannot_demote_or_deactivate_themself(self, admin_client, admin_user):
        url = f"{USERS}{admin_user.pk}/"
        assert_error(
            admin_client.patch(url, {"role": "attendee"}, format="json"), 409, "invalid_state"
        )
        assert_error(
            admin_client.patch(url, {"is_active": False}, format="json"), 409, "invalid_state"
        )
        admin_user.refresh_from_db()
        assert admin_user.is_admin and admin_user.is_active

    def test_unknown_role_is_400(self, admin_client):
        target = UserFactory()
        assert_error(
            admin_client.patch(f"{USERS}{target.pk}/", {"role": "king"}, format="json"),
            400,
            "validation_error",
        )

    def test_non_admins_cannot_patch_anyone(self, user_client, organizer_client, user):
        other = UserFactory()
        for client in (user_client, organizer_client):
            assert_error(
                client.patch(f"{USERS}{other.pk}/", {"role": "admin"}, format="json"),
                403,
                "permission_denied",
            )
        assert_error(
            user_client.patch(f"{USERS}{user.pk}/", {"role": "admin"}, format="json"),
            403,
            "permission_denied",
        )
        assert User.objects.filter(role="admin").count() == 0

    def test_put_and_delete_are_not_offered(self, admin_client):
        target = UserFactory()
        assert_error(admin_client.delete(f"{USERS}{target.pk}/"), 405, "method_not_allowed")
        assert_error(
            admin_client.put(f"{USERS}{target.pk}/", {}, format="json"), 405, "method_not_allowed"
        )


class TestActivityLog:
    def test_admin_reads_the_log(self, admin_client):
        entry = ActivityLogFactory(metadata={"k": "v"})
        body = admin_client.get(LOGS).json()
        assert body["count"] == 1
        assert body["results"][0] == {
            "id": entry.id,
            "user": entry.user_id,
            "username": entry.username,
            "action": "login",
            "ip_address": "127.0.0.1",
            "user_agent": "",
            "target_type": "",
            "target_id": "",
            "metadata": {"k": "v"},
            "created_at": body["results"][0]["created_at"],
        }

    def test_non_admins_cannot_read_it(self, user_client, organizer_client, api_client):
        assert_error(user_client.get(LOGS), 403, "permission_denied")
        assert_error(organizer_client.get(LOGS), 403, "permission_denied")
        assert_error(api_client.get(LOGS), 401, "not_authenticated")

    def test_filters_by_user_action_and_time(self, admin_client):
        alice, bob = UserFactory(), UserFactory()
        ActivityLogFactory(user=alice, action="login")
        ActivityLogFactory(user=bob, action="logout")
        past = ActivityLogFactory(user=bob, action="login")
        ActivityLog.objects.filter(pk=past.pk).update(created_at=timezone.now() - timedelta(days=3))

        def count(query):
            return admin_client.get(LOGS + query).json()["count"]

        assert count(f"?user={alice.pk}") == 1
        assert count("?action=login") == 2
        assert (
            count(
                "?created_before="
                + (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            == 1
        )
        assert (
            count(
                "?created_after="
                + (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            )
            == 2
        )

    @pytest.mark.parametrize("query", ["?action=dance", "?created_after=yesterday", "?user=x"])
    def test_invalid_filters_are_400(self, admin_client, query):
        assert_error(admin_client.get(LOGS + query), 400, "validation_error")

    def test_the_log_is_read_only_over_the_api(self, admin_client):
        entry = ActivityLogFactory()
        assert_error(admin_client.post(LOGS, {}, format="json"), 405, "method_not_allowed")
        assert_error(admin_client.delete(f"{LOGS}{entry.pk}/"), 405, "method_not_allowed")
        assert_error(
            admin_client.patch(f"{LOGS}{entry.pk}/", {}, format="json"), 405, "method_not_allowed"
        )

    def test_entries_cannot_be_edited_or_deleted_in_code(self):
        entry = ActivityLogFactory()
        entry.action = "logout"
        with pytest.raises(TypeError):
            entry.save()
        with pytest.raises(TypeError):
            entry.delete()

    def test_list_query_count_does_not_grow_with_the_page(
        self, admin_client, django_assert_max_num_queries
    ):
        ActivityLogFactory.create_batch(40)
        with django_assert_max_num_queries(3):
            response = admin_client.get(LOGS + "?page_size=40")
        assert len(response.json()["results"]) == 40


def test_every_admin_role_is_staff_in_the_database():
    """The role and the staff flag cannot drift apart: the database refuses it."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role="admin", is_staff=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role="attendee", is_staff=True)
    assert AdminFactory().is_staff
