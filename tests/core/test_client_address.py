"""Whose address a request comes from: the rate limits and the activity log must not take it
from a header the client wrote (`config.throttling.client_ip`, TRUSTED_PROXY_COUNT)."""

import pytest
from django.test import RequestFactory

from config.throttling import client_ip
from tests.helpers import assert_error
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/jwt/create/"
FORGED = ["unknown", "1.2.3.4, 10.0.0.1", "", "999.1.1.1", "::1, ::2, nonsense", "x" * 2000]


def failed_login(client, forwarded: str):
    return client.post(
        LOGIN,
        {"username": "nobody", "password": "wrong"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.usefixtures("one_rate_window")
class TestWithoutProxies:
    """The default: X-Forwarded-For is ignored."""

    def test_a_new_header_does_not_reset_the_login_limit(self, api_client, settings):
        settings.API_THROTTLE_AUTH = "3/minute"
        for n in range(3):
            assert failed_login(api_client, f"203.0.113.{n}").status_code == 401
        assert_error(failed_login(api_client, "198.51.100.99"), 429, "throttled")

    def test_the_log_records_the_connections_address_not_the_header(self, api_client):
        failed_login(api_client, "203.0.113.7")
        assert ActivityLog.objects.get(action="login_failed").ip_address == "127.0.0.1"

    @pytest.mark.parametrize("forwarded", FORGED)
    def test_no_header_makes_a_login_fail_with_a_500(self, api_client, forwarded):
        assert failed_login(api_client, forwarded).status_code == 401
        assert ActivityLog.objects.get(action="login_failed").ip_address == "127.0.0.1"


@pytest.mark.usefixtures("one_rate_window")
class TestBehindOneProxy:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1

    def test_the_client_is_the_address_the_proxy_appended(self, api_client):
        failed_login(api_client, "203.0.113.5, 198.51.100.7")
        assert ActivityLog.objects.get(action="login_failed").ip_address == "198.51.100.7"

    def test_each_client_behind_the_proxy_has_its_own_limit(self, api_client, settings):
        settings.API_THROTTLE_AUTH = "2/minute"
        for _ in range(2):
            failed_login(api_client, "198.51.100.7")
        assert_error(failed_login(api_client, "198.51.100.7"), 429, "throttled")
        assert failed_login(api_client, "198.51.100.8").status_code == 401

    def test_a_forged_prefix_does_not_change_the_client(self, api_client, settings):
        settings.API_THROTTLE_AUTH = "2/minute"
        for forged in ("1.1.1.1", "2.2.2.2"):
            failed_login(api_client, f"{forged}, 198.51.100.7")
        assert_error(failed_login(api_client, "3.3.3.3, 198.51.100.7"), 429, "throttled")

    @pytest.mark.parametrize("forwarded", FORGED)
    def test_what_is_not_an_address_falls_back_to_the_connection(self, api_client, forwarded):
        assert failed_login(api_client, forwarded).status_code == 401
        logged = ActivityLog.objects.get(action="login_failed").ip_address
        assert logged in ("127.0.0.1", "10.0.0.1", "::2")


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.1", "192.0.2.1"),
        (1, "203.0.113.1", "203.0.113.1"),
        (2, "203.0.113.1, 198.51.100.2", "203.0.113.1"),
        (2, "spoofed, 203.0.113.1, 198.51.100.2", "203.0.113.1"),
        (2, "198.51.100.2", "192.0.2.1"),  # fewer hops than proxies: not believed
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_counted_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_no_address_at_all_is_none(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert client_ip(request) is None
