"""Each notification's e-mail: sent after the commit by a task, to people who want e-mail,
once, with text and HTML from the templates; a mail server that is down fails no request and
is tried again later, with backoff."""

import os
import socket
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import tasks
from notifications.models import EmailStatus, Notification
from notifications.services import mail as notification_mail
from notifications.services.inbox import Draft, notify
from registrations.services import booking
from tests.conftest import authenticated_client
from tests.factories import EventFactory, TicketTypeFactory, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def free_event(**fields):
    event = EventFactory(capacity=10, **fields)
    TicketTypeFactory(event=event, name="Free", price=Decimal("0.00"))
    return event


def draft(user, key="test:1", **fields) -> Draft:
    fields.setdefault("type", "registration_confirmed")
    return Draft(user_id=user.pk, title="Hello", message="Something happened.", key=key, **fields)


@pytest.fixture
def mail_server_down(settings):
    """SMTP at a local port where nothing listens: every connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    return settings


class TestSending:
    def test_a_booking_is_mailed_after_the_commit_in_text_and_html(
        self, user, settings, django_capture_on_commit_callbacks
    ):
        settings.FRONTEND_URL = "https://app.example.org"
        event = free_event(title="PyCon Berlin", location="Hall A", timezone="Europe/Berlin")

        with django_capture_on_commit_callbacks(execute=True):
            registration = booking.register_for_event(user=user, event=event)
            assert mail.outbox == []  # nothing before the commit

        [message] = mail.outbox
        assert message.to == [user.email]
        assert message.subject == "You're going: PyCon Berlin | EventHub"
        assert "1 seat (Free) confirmed for PyCon Berlin" in message.body
        assert "Where: Hall A" in message.body and "(Europe/Berlin)" in message.body
        link = f"https://app.example.org/registrations/{registration.pk}"
        assert link in message.body
        html, kind = message.alternatives[0]
        assert kind == "text/html" and f'href="{link}"' in html and "Hall A" in html
        notification = Notification.objects.get(user=user)
        assert notification.email_status == EmailStatus.SENT
        assert notification.emailed_at is not None and notification.email_attempts == 1

    def test_a_change_that_is_rolled_back_mails_nobody(
        self, user, django_capture_on_commit_callbacks
    ):
        event = free_event()

        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            booking.register_for_event(user=user, event=event)
            raise RuntimeError("refused after the booking")

        assert mail.outbox == [] and not Notification.objects.exists()

    def test_no_mail_for_someone_who_switched_notifications_off(
        self, django_capture_on_commit_callbacks
    ):
        quiet = UserFactory(notifications_enabled=False)

        with django_capture_on_commit_callbacks(execute=True):
            booking.register_for_event(user=quiet, event=free_event())

        assert mail.outbox == []
        notification = Notification.objects.get(user=quiet)  # still in the app
        assert notification.email_status == EmailStatus.NOT_WANTED

    def test_no_mail_for_an_account_without_an_address_or_switched_off(
        self, django_capture_on_commit_callbacks
    ):
        for person in (UserFactory(email=""), UserFactory(is_active=False)):
            with django_capture_on_commit_callbacks(execute=True):
                notify([draft(person)])
        assert mail.outbox == []
        assert set(Notification.objects.values_list("email_status", flat=True)) == {"not_wanted"}

    def test_two_senders_of_the_same_mail_send_it_once(
        self, user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False):
            notify([draft(user)])
        notification = Notification.objects.get()

        sent = [notification_mail.send_emails([notification.pk]) for _ in range(2)]

        assert sent == [1, 0] and len(mail.outbox) == 1

    def test_the_file_backend_writes_where_EMAIL_FILE_PATH_says(
        self, user, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = tmp_path / "mail"

        with django_capture_on_commit_callbacks(execute=True):
            notify([draft(user)])

        [written] = (tmp_path / "mail").iterdir()
        assert "Subject: Hello | EventHub" in written.read_text()


def test_mail_settings_come_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "outbox"),
        "EMAIL_TIMEOUT": "3",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
            "django.setup(); from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH, s.EMAIL_TIMEOUT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(tmp_path / "outbox"),
        "3",
    ]


class TestAMailServerThatIsDown:
    def test_the_request_still_succeeds_and_the_mail_waits_for_a_retry(
        self, user, mail_server_down, django_capture_on_commit_callbacks
    ):
        event = free_event()

        with django_capture_on_commit_callbacks(execute=True):
            response = authenticated_client(user).post(
                "/api/v1/registrations/", {"event": event.pk}, format="json"
            )

        assert response.status_code == 201
        notification = Notification.objects.get(user=user)
        assert notification.email_status == EmailStatus.PENDING
        assert notification.email_attempts == 1
        wait = notification.email_next_attempt_at - timezone.now()
        assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    def test_the_sweep_sends_it_once_the_server_is_back_and_its_time_has_come(
        self, user, mail_server_down, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            notify([draft(user)])
        mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

        assert tasks.retry_emails() == 0  # not due yet
        with time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1)):
            assert tasks.retry_emails() == 1

        assert len(mail.outbox) == 1
        assert Notification.objects.get().email_status == EmailStatus.SENT

    def test_after_the_last_attempt_it_is_failed_with_waits_growing_between(
        self, user, mail_server_down, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            notify([draft(user)])
        waits, now = [], timezone.now()
        for _ in range(mail_server_down.NOTIFICATION_EMAIL_MAX_ATTEMPTS - 1):
            notification = Notification.objects.get()
            waits.append(round((notification.email_next_attempt_at - now).total_seconds() / 60))
            now = notification.email_next_attempt_at + timedelta(seconds=1)
            with time_machine.travel(now):
                tasks.retry_emails()

        assert waits == [1, 4, 16, 64]
        notification = Notification.objects.get()
        assert notification.email_status == EmailStatus.FAILED
        assert notification.email_attempts == 5 and notification.email_next_attempt_at is None
        with time_machine.travel(now + timedelta(days=1)):
            assert notification_mail.due_for_retry() == []

    def test_one_failure_leaves_the_rest_of_the_batch_to_the_sweep_untried(
        self, mail_server_down, django_capture_on_commit_callbacks
    ):
        people = UserFactory.create_batch(3)
        with django_capture_on_commit_callbacks(execute=True):
            notify([draft(person) for person in people])

        attempts = sorted(Notification.objects.values_list("email_attempts", flat=True))
        assert attempts == [0, 0, 1]
        assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}


def test_a_mail_whose_sender_died_is_taken_again_after_its_deadline(
    user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notify([draft(user)])
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(  # claimed, then the worker died
        email_status=EmailStatus.SENDING,
        email_attempts=1,
        email_next_attempt_at=timezone.now() + notification_mail.SENDING_DEADLINE,
    )

    assert tasks.retry_emails() == 0
    with time_machine.travel(timezone.now() + notification_mail.SENDING_DEADLINE):
        assert tasks.retry_emails() == 1
    assert len(mail.outbox) == 1
