"""Notifications, webhooks and deliveries in the Django admin (webhooks saved through the same
service as the API, deliveries resent through it), and what `seed_demo` gives the demo users."""

import pytest
import responses
from django.core.management import call_command

from notifications.models import DeliveryStatus, Notification, Webhook, WebhookDelivery
from tests.factories import NotificationFactory, OrganizerFactory, WebhookFactory
from tests.helpers import admin_change_url, admin_filter_link, assert_admin_lists
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

WEBHOOKS = "/admin/notifications/webhook/"
DELIVERIES = "/admin/notifications/webhookdelivery/"


def delivery(webhook, **fields):
    fields.setdefault("type", "registration.created")
    return WebhookDelivery.objects.create(webhook=webhook, payload={"id": "x"}, **fields)


class TestChangelists:
    def test_notifications_are_found_by_person_and_filtered_by_type(self, admin_site):
        mine = NotificationFactory(user__username="alice", type="waitlist_offer")
        other = NotificationFactory(user__username="bob", type="waitlist_offer")
        page = admin_site.get("/admin/notifications/notification/?q=alice")
        assert_admin_lists(page, shown=[mine], hidden=[other])
        link = admin_filter_link(page, "type", "Waitlist Offer")
        assert_admin_lists(admin_site.get(f"/admin/notifications/notification/{link}"), [mine])

    def test_a_notification_is_a_record_not_edited_here(self, admin_site):
        notification = NotificationFactory()
        assert admin_site.get(admin_change_url(notification)).status_code == 200
        assert admin_site.post(admin_change_url(notification), {"title": "x"}).status_code == 403
        assert admin_site.get("/admin/notifications/notification/add/").status_code == 403

    def test_webhooks_and_deliveries_list_and_never_show_the_secret(self, admin_site):
        webhook = WebhookFactory(url="https://hooks.example.com/a")
        failed = delivery(webhook, status=DeliveryStatus.FAILED)
        succeeded = delivery(webhook, status=DeliveryStatus.SUCCEEDED)

        page = admin_site.get(WEBHOOKS)
        assert_admin_lists(page, shown=[webhook])
        assert webhook.secret not in admin_site.get(admin_change_url(webhook)).content.decode()
        deliveries = admin_site.get(DELIVERIES)
        link = admin_filter_link(deliveries, "status", "Failed")
        assert_admin_lists(admin_site.get(f"{DELIVERIES}{link}"), [failed], hidden=[succeeded])


class TestWebhooksThroughTheService:
    def form(self, owner, **changes):
        return {
            "owner": owner.pk,
            "url": "https://8.8.8.8/hooks",
            "events": ["registration.created", "event.cancelled"],
            "description": "",
            "is_active": "on",
            **changes,
        }

    def test_adding_one_checks_its_address_and_logs_it(self, admin_site, admin_user):
        owner = OrganizerFactory()

        response = admin_site.post(f"{WEBHOOKS}add/", self.form(owner))

        assert response.status_code == 302
        webhook = Webhook.objects.get()
        assert (webhook.owner, webhook.events) == (
            owner,
            ["event.cancelled", "registration.created"],
        )
        assert webhook.secret.startswith("whsec_")
        assert ActivityLog.objects.get(action="webhook_created").user == owner

    def test_an_internal_address_is_refused_with_a_message(self, admin_site):
        response = admin_site.post(
            f"{WEBHOOKS}add/",
            self.form(OrganizerFactory(), url="http://127.0.0.1:8000/"),
            follow=True,
        )

        assert not Webhook.objects.exists()
        messages = [str(message) for message in response.context["messages"]]
        assert messages == ["Webhooks can only be delivered to public http(s) addresses."]

    def test_switching_one_on_again_forgets_its_failures(self, admin_site, admin_user):
        webhook = WebhookFactory(
            url="https://8.8.8.8/hooks", is_active=False, disabled_reason="Failing."
        )
        Webhook.objects.filter(pk=webhook.pk).update(failing_since="2026-01-01T00:00:00Z")
        data = self.form(webhook.owner, events=webhook.events)
        del data["owner"]

        response = admin_site.post(admin_change_url(webhook), data)

        assert response.status_code == 302
        webhook.refresh_from_db()
        assert webhook.is_active and webhook.failing_since is None and webhook.disabled_reason == ""
        assert ActivityLog.objects.get(action="webhook_updated").user == admin_user

    def test_deleting_one_goes_through_the_service(self, admin_site):
        webhook = WebhookFactory()
        response = admin_site.post(f"{WEBHOOKS}{webhook.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not Webhook.objects.exists()
        assert ActivityLog.objects.filter(action="webhook_deleted").count() == 1

    def test_the_ping_action_sends_a_test_delivery(
        self, admin_site, settings, django_capture_on_commit_callbacks
    ):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        webhook = WebhookFactory()
        with responses.RequestsMock() as receiver, django_capture_on_commit_callbacks(execute=True):
            receiver.post(webhook.url, status=204)
            admin_site.post(WEBHOOKS, {"action": "send_ping", "_selected_action": [webhook.pk]})

        ping = WebhookDelivery.objects.get()
        assert (ping.type, ping.status, ping.response_status) == ("ping", "succeeded", 204)


def test_the_resend_action_sends_a_failed_delivery_again_with_the_same_id(
    admin_site, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    webhook = WebhookFactory()
    failed = delivery(webhook, status=DeliveryStatus.FAILED, attempts=6, error="Refused.")

    with responses.RequestsMock() as receiver:
        receiver.post(webhook.url, status=200)
        with django_capture_on_commit_callbacks(execute=True):
            admin_site.post(DELIVERIES, {"action": "resend", "_selected_action": [failed.pk]})
        [call] = receiver.calls

    assert call.request.headers["X-Webhook-Id"] == str(failed.uuid)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == ("succeeded", 1, "")


def test_seed_demo_gives_the_demo_users_notifications_and_the_organizer_a_webhook(
    capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    out = capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    alice = Notification.objects.filter(user__username="alice")
    assert alice.filter(is_read=True).count() == 1
    assert alice.filter(is_read=False).count() >= 3
    assert set(alice.values_list("type", flat=True)) >= {
        "registration_confirmed",
        "payment_succeeded",
        "refund_issued",
    }
    webhook = Webhook.objects.get(owner__username="organizer")
    assert not webhook.is_active and not webhook.deliveries.exists()
    assert "Notifications:" in out
    assert (
        Notification.objects.count()
        == Notification.objects.values("user", "key").distinct().count()
    )
