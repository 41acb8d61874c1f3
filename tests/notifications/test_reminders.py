"""The reminder before an event: once, within EVENT_REMINDER_HOURS of its start, to each person
holding a confirmed place, however often or concurrently the task runs."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from events.models import EventStatus
from notifications import tasks
from notifications.models import Notification
from notifications.services.inbox import notify
from notifications.services.reminders import reminder_for
from tests.factories import EventFactory, RegistrationFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = EventFactory(title="Django Day", location="Hall B", timezone="Europe/Paris")
    TicketTypeFactory(event=event, price=Decimal("0.00"))
    return event


def hours_before(event, hours):
    return time_machine.travel(event.starts_at - timedelta(hours=hours))


def run_reminders(capture) -> int:
    with capture(execute=True):
        return tasks.send_event_reminders()


class TestWhoIsReminded:
    def test_a_confirmed_attendee_is_reminded_within_the_last_day(
        self, event, django_capture_on_commit_callbacks
    ):
        registration = RegistrationFactory(event=event, quantity=2)

        with hours_before(event, 23):
            assert run_reminders(django_capture_on_commit_callbacks) == 1

        reminder = Notification.objects.get()
        assert (reminder.user, reminder.type, reminder.event) == (
            registration.user,
            "event_reminder",
            event,
        )
        assert reminder.title == "Starting soon: Django Day"
        assert reminder.message.startswith("Django Day starts in about 23 hours")
        assert "(Europe/Paris), at Hall B. Your 2 tickets" in reminder.message
        assert reminder.data == {"registration": registration.pk}
        assert [message.to for message in mail.outbox] == [[registration.user.email]]

    def test_nobody_is_reminded_earlier_than_a_day_before(
        self, event, django_capture_on_commit_callbacks
    ):
        RegistrationFactory(event=event)
        with hours_before(event, 25):
            assert run_reminders(django_capture_on_commit_callbacks) == 0
        assert not Notification.objects.exists()

    @pytest.mark.parametrize("status", ["pending", "cancelled", "expired", "rejected"])
    def test_only_confirmed_places_are_reminded(
        self, event, status, django_capture_on_commit_callbacks
    ):
        RegistrationFactory(event=event, status=status)
        with hours_before(event, 2):
            assert run_reminders(django_capture_on_commit_callbacks) == 0

    def test_a_cancelled_event_or_one_that_started_reminds_nobody(
        self, event, django_capture_on_commit_callbacks
    ):
        started = EventFactory(starts_at=event.starts_at - timedelta(hours=1))
        RegistrationFactory(event=started)
        cancelled = EventFactory(starts_at=event.starts_at, status=EventStatus.CANCELLED)
        RegistrationFactory(event=cancelled)

        with hours_before(event, 0.5):
            assert run_reminders(django_capture_on_commit_callbacks) == 0

    def test_the_window_follows_EVENT_REMINDER_HOURS(
        self, event, settings, django_capture_on_commit_callbacks
    ):
        settings.EVENT_REMINDER_HOURS = 48
        RegistrationFactory(event=event)
        with hours_before(event, 47):
            assert run_reminders(django_capture_on_commit_callbacks) == 1


class TestOnce:
    def test_two_runs_remind_once_and_mail_once(self, event, django_capture_on_commit_callbacks):
        RegistrationFactory.create_batch(3, event=event)

        with hours_before(event, 20):
            first = run_reminders(django_capture_on_commit_callbacks)
        with hours_before(event, 19):
            second = run_reminders(django_capture_on_commit_callbacks)

        assert (first, second) == (3, 0)
        assert Notification.objects.count() == 3 and len(mail.outbox) == 3

    def test_runs_that_overlap_still_remind_once(self, event, django_capture_on_commit_callbacks):
        """Two runs that both read "not reminded yet" before either wrote: the second's
        notifications are the same keys, ignored; their e-mails are claimed once."""
        registration = RegistrationFactory(event=event)
        now = event.starts_at - timedelta(hours=20)

        with hours_before(event, 20), django_capture_on_commit_callbacks(execute=True):
            for _ in range(2):
                notify([reminder_for(registration, now)])

        assert Notification.objects.count() == 1 and len(mail.outbox) == 1

    def test_cancelling_and_booking_again_is_not_reminded_twice(
        self, event, django_capture_on_commit_callbacks
    ):
        first = RegistrationFactory(event=event)
        with hours_before(event, 20):
            run_reminders(django_capture_on_commit_callbacks)
        first.status = "cancelled"
        first.save()
        RegistrationFactory(event=event, user=first.user)

        with hours_before(event, 10):
            assert run_reminders(django_capture_on_commit_callbacks) == 0


def test_the_task_is_on_the_beat_schedule(settings):
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert schedule["notifications.tasks.send_event_reminders"] <= 300
    assert schedule["notifications.tasks.retry_emails"] <= 60
    assert schedule["notifications.tasks.retry_deliveries"] <= 60
