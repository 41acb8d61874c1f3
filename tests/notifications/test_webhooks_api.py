"""`webhooks/` through the API: organizers manage their own endpoints (admins all of them), the
secret is shown once, URLs that reach internal addresses are refused, and each webhook's
deliveries can be listed and a test delivery (`ping`) sent."""

from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Webhook, WebhookDelivery
from notifications.services import webhooks
from tests.conftest import authenticated_client
from tests.factories import WebhookFactory
from tests.helpers import assert_error, url_id
from tests.notifications.test_webhook_delivery import SIGNATURE, verify
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
RECEIVER = "https://8.8.8.8/hooks"  # a public address: the check passes without DNS
VALID = {"url": RECEIVER, "events": ["event.published"]}
INTERNAL = [
    "http://127.0.0.1/",
    "http://10.0.0.5/hooks",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://[::ffff:127.0.0.1]/",
    "http://localhost/",
]


@pytest.fixture(autouse=True)
def production_settings(settings):
    """The defaults these tests count on, whatever the environment says."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOKS_DELIVERY_ENABLED = True


def create(client, **fields):
    return client.post(URL, {**VALID, **fields}, format="json")


def detail(webhook) -> str:
    return f"{URL}{webhook.pk}/"


def counted_get(client, url) -> tuple[int, dict]:
    """How many queries a GET took, and what it answered."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(queries), response.json()


class TestCreating:
    def test_an_organizer_creates_a_webhook_and_gets_its_secret(self, organizer_client):
        response = create(organizer_client, description="CRM sync")

        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["url"], body["events"], body["description"]) == (
            RECEIVER,
            ["event.published"],
            "CRM sync",
        )
        assert body["secret"].startswith("whsec_")
        assert Webhook.objects.get(pk=body["id"]).secret == body["secret"]

    def test_the_secret_is_shown_only_when_made(self, organizer_client):
        created = create(organizer_client).json()

        one = organizer_client.get(f"{URL}{created['id']}/").json()
        listed = organizer_client.get(URL).json()["results"]

        assert "secret" not in one
        assert [row["id"] for row in listed] == [created["id"]]
        assert "secret" not in listed[0]

    def test_events_are_stored_sorted_and_once(self, organizer_client):
        events = ["payment.succeeded", "event.published", "payment.succeeded"]

        response = create(organizer_client, events=events)

        assert response.json()["events"] == ["event.published", "payment.succeeded"]
        assert Webhook.objects.get().events == ["event.published", "payment.succeeded"]

    def test_creating_is_logged(self, organizer, organizer_client):
        created = create(organizer_client).json()

        entry = ActivityLog.objects.get(action="webhook_created")
        assert (entry.user, entry.target_type, entry.target_id) == (
            organizer,
            "webhook",
            str(created["id"]),
        )
        assert entry.metadata == {"url": RECEIVER, "events": ["event.published"]}

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            pytest.param({**VALID, "events": []}, "events", id="no-events"),
            pytest.param({**VALID, "events": ["event.deleted"]}, "events", id="unknown-type"),
            pytest.param({"events": ["event.published"]}, "url", id="no-url"),
            pytest.param({**VALID, "url": "ftp://8.8.8.8/hooks"}, "url", id="ftp"),
            pytest.param({**VALID, "url": f"{RECEIVER}/{'a' * 480}"}, "url", id="over-500-chars"),
        ],
    )
    def test_bad_input_is_refused_on_its_field(self, organizer_client, payload, field):
        response = organizer_client.post(URL, payload, format="json")

        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {field}
        assert not Webhook.objects.exists()

    @pytest.mark.parametrize("url", [*INTERNAL, "http://2130706433/"], ids=url_id)
    def test_a_url_that_reaches_an_internal_address_is_refused(self, organizer_client, url):
        body = assert_error(create(organizer_client, url=url), 400, "validation_error")

        assert set(body["details"]) == {"url"}
        assert not Webhook.objects.exists()

    @pytest.mark.parametrize("url", INTERNAL, ids=url_id)
    def test_internal_addresses_are_accepted_when_private_urls_are_allowed(
        self, organizer_client, settings, url
    ):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True

        response = create(organizer_client, url=url)

        assert response.status_code == 201, response.json()
        assert Webhook.objects.get().url == url


class TestWhoMay:
    def test_an_attendee_may_not_list_webhooks(self, user_client):
        assert_error(user_client.get(URL), 403, "permission_denied")

    def test_an_attendee_may_not_create_one(self, user_client):
        assert_error(create(user_client), 403, "permission_denied")
        assert not Webhook.objects.exists()

    def test_anonymous_callers_are_asked_to_sign_in(self, api_client):
        assert_error(api_client.get(URL), 401, "not_authenticated")
        assert_error(create(api_client), 401, "not_authenticated")

    @pytest.mark.parametrize(
        ("method", "suffix"),
        [
            ("get", ""),
            ("patch", ""),
            ("delete", ""),
            ("get", "deliveries/"),
            ("post", "ping/"),
            ("post", "rotate_secret/"),
        ],
    )
    def test_another_organizers_webhook_is_not_found(self, organizer_client, method, suffix):
        theirs = WebhookFactory(url=RECEIVER)

        response = getattr(organizer_client, method)(f"{detail(theirs)}{suffix}")

        assert_error(response, 404, "not_found")
        assert Webhook.objects.get(pk=theirs.pk).secret == theirs.secret
        assert not theirs.deliveries.exists()

    def test_an_organizer_lists_only_their_own(self, organizer, organizer_client):
        mine = WebhookFactory.create_batch(2, owner=organizer, url=RECEIVER)
        WebhookFactory(url=RECEIVER)

        listed = organizer_client.get(URL).json()

        assert listed["count"] == 2
        assert {row["id"] for row in listed["results"]} == {webhook.pk for webhook in mine}

    def test_an_admin_sees_every_webhook(self, admin_client):
        every = [WebhookFactory(url=RECEIVER) for _ in range(2)]

        listed = admin_client.get(URL).json()

        assert {row["id"] for row in listed["results"]} == {webhook.pk for webhook in every}

    def test_an_admin_edits_anyones_webhook(self, admin_client):
        theirs = WebhookFactory(url=RECEIVER)

        response = admin_client.patch(detail(theirs), {"description": "Paused"}, format="json")

        assert response.status_code == 200, response.json()
        theirs.refresh_from_db()
        assert theirs.description == "Paused"
        assert response.json()["owner"] == theirs.owner_id

    def test_the_list_takes_as_many_queries_for_20_webhooks_as_for_2(
        self, organizer, organizer_client
    ):
        WebhookFactory.create_batch(2, owner=organizer, url=RECEIVER)
        few, _ = counted_get(organizer_client, URL)
        WebhookFactory.create_batch(18, owner=organizer, url=RECEIVER)

        many, listed = counted_get(organizer_client, URL)

        assert len(listed["results"]) == 20
        assert many == few


class TestUpdating:
    def test_an_internal_url_is_refused_and_nothing_changes(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER, description="Before")

        response = organizer_client.patch(
            detail(webhook), {"url": "http://10.0.0.5/", "description": "After"}, format="json"
        )

        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {"url"}
        webhook.refresh_from_db()
        assert (webhook.url, webhook.description) == (RECEIVER, "Before")
        assert not ActivityLog.objects.filter(action="webhook_updated").exists()

    def test_switching_a_disabled_webhook_on_forgets_its_failures(
        self, organizer, organizer_client
    ):
        webhook = WebhookFactory(
            owner=organizer,
            url=RECEIVER,
            is_active=False,
            failing_since=timezone.now() - timedelta(hours=80),
            disabled_reason="Every delivery failed for 72 hours.",
        )

        response = organizer_client.patch(detail(webhook), {"is_active": True}, format="json")

        assert response.status_code == 200, response.json()
        assert (response.json()["failing_since"], response.json()["disabled_reason"]) == (None, "")
        webhook.refresh_from_db()
        assert (webhook.is_active, webhook.failing_since, webhook.disabled_reason) == (
            True,
            None,
            "",
        )

    def test_pointing_a_webhook_at_a_new_url_forgets_its_failures(
        self, organizer, organizer_client
    ):
        webhook = WebhookFactory(
            owner=organizer, url=RECEIVER, failing_since=timezone.now() - timedelta(hours=5)
        )

        response = organizer_client.patch(
            detail(webhook), {"url": "https://8.8.4.4/hooks"}, format="json"
        )

        assert response.status_code == 200, response.json()
        webhook.refresh_from_db()
        assert (webhook.url, webhook.failing_since) == ("https://8.8.4.4/hooks", None)

    def test_an_update_is_logged_with_what_changed(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER, events=["event.published"])

        organizer_client.patch(
            detail(webhook),
            {"events": ["event.published", "event.cancelled"], "description": "Both"},
            format="json",
        )

        entry = ActivityLog.objects.get(action="webhook_updated")
        assert entry.metadata == {"changed": ["description", "events"]}


class TestRotatingTheSecret:
    def test_rotating_answers_a_new_secret_once(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)

        response = organizer_client.post(f"{detail(webhook)}rotate_secret/")

        assert response.status_code == 200, response.json()
        secret = response.json()["secret"]
        assert secret.startswith("whsec_") and secret != webhook.secret
        assert Webhook.objects.get(pk=webhook.pk).secret == secret
        assert "secret" not in organizer_client.get(detail(webhook)).json()
        assert ActivityLog.objects.filter(action="webhook_secret_rotated").count() == 1

    def test_later_deliveries_are_signed_with_the_new_secret(
        self, organizer, organizer_client, django_capture_on_commit_callbacks
    ):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)
        secret = organizer_client.post(f"{detail(webhook)}rotate_secret/").json()["secret"]

        with responses.RequestsMock() as http:
            http.post(RECEIVER)
            with django_capture_on_commit_callbacks(execute=True):
                organizer_client.post(f"{detail(webhook)}ping/")
            request = http.calls[0].request

        assert verify(secret, request.headers[SIGNATURE], request.body)
        assert not verify(webhook.secret, request.headers[SIGNATURE], request.body)


class TestDeleting:
    def test_deleting_removes_the_webhook_and_its_deliveries(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)
        webhooks.ping(webhook=webhook)

        response = organizer_client.delete(detail(webhook))

        assert response.status_code == 204
        assert not Webhook.objects.filter(pk=webhook.pk).exists()
        assert not WebhookDelivery.objects.exists()

    def test_deleting_is_logged(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)

        organizer_client.delete(detail(webhook))

        entry = ActivityLog.objects.get(action="webhook_deleted")
        assert (entry.user, entry.target_id) == (organizer, str(webhook.pk))
        assert entry.metadata == {"url": RECEIVER, "owner": organizer.pk}


class TestDeliveries:
    def test_they_are_listed_newest_first_a_page_at_a_time(self, organizer):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)
        with time_machine.travel(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=False) as clock:
            pings = []
            for _ in range(3):
                pings.append(webhooks.ping(webhook=webhook))
                clock.shift(timedelta(minutes=1))

            page = authenticated_client(organizer).get(f"{detail(webhook)}deliveries/?page_size=2")

        body = page.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["previous"]) == (3, None)
        assert "page=2" in body["next"]
        assert [row["id"] for row in body["results"]] == [pings[2].pk, pings[1].pk]
        assert body["results"][0]["event_id"] == str(pings[2].uuid)

    def test_they_filter_by_status(
        self, organizer, organizer_client, settings, django_capture_on_commit_callbacks
    ):
        settings.WEBHOOK_MAX_ATTEMPTS = 1
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)
        webhooks.ping(webhook=webhook)  # never sent: pending
        with responses.RequestsMock() as http, django_capture_on_commit_callbacks(execute=True):
            http.post(RECEIVER, status=500)
            failed = webhooks.ping(webhook=webhook)

        body = organizer_client.get(f"{detail(webhook)}deliveries/?status=failed").json()

        assert [(row["id"], row["status"]) for row in body["results"]] == [(failed.pk, "failed")]

    def test_an_unknown_status_is_refused(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)

        response = organizer_client.get(f"{detail(webhook)}deliveries/?status=nonsense")

        body = assert_error(response, 400, "validation_error")
        assert set(body["details"]) == {"status"}

    def test_the_list_takes_as_many_queries_for_20_deliveries_as_for_2(
        self, organizer, organizer_client
    ):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)
        url = f"{detail(webhook)}deliveries/"
        for _ in range(2):
            webhooks.ping(webhook=webhook)
        few, _ = counted_get(organizer_client, url)
        for _ in range(18):
            webhooks.ping(webhook=webhook)

        many, listed = counted_get(organizer_client, url)

        assert len(listed["results"]) == 20
        assert many == few


class TestPing:
    def test_a_ping_is_accepted_and_waits_to_be_sent(self, organizer, organizer_client):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)

        response = organizer_client.post(f"{detail(webhook)}ping/")

        assert response.status_code == 202, response.json()
        body = response.json()
        assert (body["type"], body["status"], body["attempts"]) == ("ping", "pending", 0)
        assert body["payload"]["id"] == body["event_id"]
        assert webhook.deliveries.get().pk == body["id"]

    def test_after_the_commit_the_receiver_gets_it(
        self, organizer, organizer_client, django_capture_on_commit_callbacks
    ):
        webhook = WebhookFactory(owner=organizer, url=RECEIVER)

        with responses.RequestsMock() as http:
            http.post(RECEIVER, status=200, body="pong")
            with django_capture_on_commit_callbacks(execute=True):
                organizer_client.post(f"{detail(webhook)}ping/")
            assert len(http.calls) == 1

        [delivery] = organizer_client.get(f"{detail(webhook)}deliveries/").json()["results"]
        assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
            "succeeded",
            1,
            200,
        )
        assert delivery["response_excerpt"] == "pong"
        assert isinstance(delivery["duration_ms"], int) and delivery["duration_ms"] >= 0
        assert delivery["delivered_at"] is not None
