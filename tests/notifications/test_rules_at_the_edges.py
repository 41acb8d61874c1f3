"""Rules mutation testing showed unguarded: which addresses count as public, what a sweep does
with work a dead sender left half done, and when a fresh e-mail becomes the sweep's."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import DeliveryStatus, EmailStatus, Notification, WebhookDelivery
from notifications.services import delivery, inbox
from notifications.services import mail as notification_mail
from notifications.services.addresses import is_public
from notifications.services.inbox import Draft, notify
from tests.factories import NotificationFactory, UserFactory, WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("::ffff:8.8.8.8", True),  # IPv4-mapped, of a public address
        ("64:ff9b::808:808", True),  # NAT64, of a public address
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("100.64.0.1", False),  # shared address space
        ("169.254.169.254", False),
        ("192.0.0.8", False),  # Python calls it global; IANA does not
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),  # link-local, with its zone
        ("::ffff:127.0.0.1", False),
        ("::7f00:1", False),  # IPv4-compatible loopback
        ("64:ff9b::a00:5", False),  # NAT64 of 10.0.0.5
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::ffff:0:7f00:1", False),  # IPv4-translated loopback
    ],
)
def test_which_addresses_are_public(address, public):
    assert is_public(address) is public


class TestWorkADeadSenderLeft:
    def claimed(self, **fields) -> WebhookDelivery:
        """A delivery a sender claimed (`sending`) and then never finished."""
        return WebhookDelivery.objects.create(
            webhook=WebhookFactory(),
            type="ping",
            payload={"id": "x"},
            status=DeliveryStatus.SENDING,
            next_retry_at=timezone.now() + delivery.SENDING_DEADLINE,
            **fields,
        )

    def test_a_delivery_left_sending_is_taken_again_once_its_deadline_passed(self, settings):
        settings.WEBHOOKS_DELIVERY_ENABLED = False  # what is picked, not what is sent
        stuck = self.claimed(attempts=2)

        assert delivery.due_for_retry() == []
        with time_machine.travel(timezone.now() + delivery.SENDING_DEADLINE):
            assert delivery.due_for_retry() == [stuck.pk]
            again = delivery._claim(stuck.pk, timezone.now())
        assert (again.status, again.attempts) == (DeliveryStatus.SENDING, 3)

    def test_one_left_sending_on_its_last_attempt_is_failed_not_tried_again(self, settings):
        stuck = self.claimed(attempts=settings.WEBHOOK_MAX_ATTEMPTS)

        with time_machine.travel(timezone.now() + delivery.SENDING_DEADLINE):
            assert delivery._claim(stuck.pk, timezone.now()) is None
            assert delivery.due_for_retry() == []

        stuck.refresh_from_db()
        assert (stuck.status, stuck.next_retry_at) == (DeliveryStatus.FAILED, None)
        assert stuck.error == "The sender stopped during the last attempt."

    def test_an_email_left_sending_on_its_last_attempt_is_failed(self, settings):
        stuck = NotificationFactory(
            email_status=EmailStatus.SENDING,
            email_attempts=settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS,
            email_next_attempt_at=timezone.now(),
        )

        assert tasks.retry_emails() == 0
        stuck.refresh_from_db()
        assert stuck.email_status == EmailStatus.FAILED
        assert notification_mail.due_for_retry() == [] and mail.outbox == []


def test_a_fresh_emails_sweep_waits_for_the_grace_its_own_task_has(
    django_capture_on_commit_callbacks,
):
    """Its own task runs right after the commit; the sweep takes it only if that task never
    ran, SWEEP_GRACE later, so the two do not race for every new mail."""
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):  # its task never runs
        notify([Draft(user_id=user.pk, type="event_reminder", title="T", message="M", key="k")])

    assert tasks.retry_emails() == 0
    with time_machine.travel(timezone.now() + inbox.SWEEP_GRACE):
        assert tasks.retry_emails() == 1
    assert len(mail.outbox) == 1


def test_read_all_stamps_when(user):
    NotificationFactory(user=user)
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=3)

    with time_machine.travel(moment, tick=False):
        assert inbox.mark_all_read(user) == 1

    assert Notification.objects.get().read_at == moment
