"""Once, under concurrency, on PostgreSQL with real threads (own connections, released
together): senders that race for the same e-mail or the same webhook delivery send it once,
and reminder runs that overlap remind each person once."""

from datetime import timedelta

import pytest
import responses
import time_machine
from django.core import mail

from notifications.models import DeliveryStatus, EmailStatus, Notification, WebhookDelivery
from notifications.services import delivery, reminders
from notifications.services import mail as notification_mail
from tests.factories import (
    EventFactory,
    NotificationFactory,
    RegistrationFactory,
    WebhookFactory,
)
from tests.registrations.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

attempts = pytest.mark.parametrize("attempt", range(3))


@attempts
def test_senders_racing_for_one_email_send_it_once(attempt):
    notification = NotificationFactory(email_status=EmailStatus.PENDING)

    sent = run_at_once(8, lambda i: notification_mail.send_emails([notification.pk]))

    assert sorted(sent) == [0] * 7 + [1], sent
    assert len(mail.outbox) == 1


@attempts
def test_senders_racing_for_one_delivery_post_it_once(attempt, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
    webhook = WebhookFactory()
    pending = WebhookDelivery.objects.create(
        webhook=webhook, type="ping", payload={"id": "x", "type": "ping"}
    )

    with responses.RequestsMock() as receiver:
        receiver.post(webhook.url, status=200)
        succeeded = run_at_once(6, lambda i: delivery.send_deliveries([pending.pk]))
        posts = len(receiver.calls)

    assert sorted(succeeded) == [0] * 5 + [1], succeeded
    assert posts == 1
    pending.refresh_from_db()
    assert (pending.status, pending.attempts) == (DeliveryStatus.SUCCEEDED, 1)


@attempts
def test_reminder_runs_that_overlap_remind_each_person_once(attempt):
    event = EventFactory()
    RegistrationFactory.create_batch(5, event=event)

    with time_machine.travel(event.starts_at - timedelta(hours=3)):
        made = run_at_once(4, lambda i: reminders.send_due())

    assert all(isinstance(count, int) for count in made), made
    assert Notification.objects.filter(type="event_reminder").count() == 5
    assert len(mail.outbox) == 5
