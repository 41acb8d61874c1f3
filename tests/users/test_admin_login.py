"""The Django admin's login: locked after repeated failures, per address and per account,
until the lockout ends or an admin clears it; every attempt is in the activity log."""

import pytest
from django.core.management import call_command

from tests.factories import TEST_PASSWORD, AdminFactory
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def admin():
    return AdminFactory(username="root")


def attempt(client, password, *, address="192.0.2.10", username="root"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


class TestLockout:
    def test_five_failures_from_one_address_lock_even_the_right_password(self, client, admin):
        for _ in range(4):
            assert attempt(client, "wrong").status_code == 200  # the form again, with an error
        assert attempt(client, "wrong").status_code == 429  # the fifth locks
        refused = attempt(client, TEST_PASSWORD)
        assert refused.status_code == 429
        assert not signed_in(client)

    def test_failures_from_many_addresses_lock_the_account(self, client, admin):
        for n in range(5):
            attempt(client, "wrong", address=f"198.51.100.{n}")
        refused = attempt(client, TEST_PASSWORD, address="203.0.113.77")
        assert refused.status_code == 429
        assert not signed_in(client)

    def test_an_admin_clears_the_lockout(self, client, admin):
        for _ in range(5):
            attempt(client, "wrong")
        call_command("axes_reset", verbosity=0)
        assert attempt(client, TEST_PASSWORD).status_code == 302
        assert signed_in(client)

    def test_the_lockouts_are_listed_in_the_admin(self, client, admin, admin_site):
        for _ in range(2):
            attempt(client, "wrong")
        page = admin_site.get("/admin/axes/accessattempt/")
        assert page.status_code == 200
        assert b"root" in page.content

    def test_a_few_failures_then_success_start_the_count_again(self, client, admin):
        for _ in range(4):
            attempt(client, "wrong")
        assert attempt(client, TEST_PASSWORD).status_code == 302
        client.logout()
        for _ in range(4):
            attempt(client, "wrong")
        assert attempt(client, TEST_PASSWORD).status_code == 302


class TestTheLog:
    def test_a_failed_and_a_successful_admin_login_are_logged(self, client, admin):
        attempt(client, "wrong", address="192.0.2.44")
        attempt(client, TEST_PASSWORD, address="192.0.2.44")
        failed = ActivityLog.objects.get(action="login_failed")
        assert (failed.user, failed.ip_address) == (admin, "192.0.2.44")
        login = ActivityLog.objects.get(action="login")
        assert (login.user, login.ip_address) == (admin, "192.0.2.44")

    def test_api_sign_ins_are_logged_once(self, api_client, admin):
        api_client.post("/api/v1/auth/jwt/create/", {"username": "root", "password": "nope"})
        assert ActivityLog.objects.filter(action="login_failed").count() == 1


def test_api_failures_do_not_count_towards_the_admin_lockout(api_client, client, admin):
    from axes.models import AccessAttempt

    for _ in range(6):
        api_client.post("/api/v1/auth/jwt/create/", {"username": "root", "password": "nope"})
    assert not AccessAttempt.objects.exists()
    assert attempt(client, TEST_PASSWORD).status_code == 302
