"""What `seed_demo` gives a first look: events at the hours events start, whatever the hour it
was seeded; registrations never confirmed before they were made; and something in every
admin list a person opens (sessions, progress, attendance)."""

import io
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from events.demo import EVENTS, PAST_SESSIONS
from events.models import Event
from registrations.models import Registration, SessionAttendance, SessionProgress

pytestmark = pytest.mark.django_db

LATE_EVENING_UTC = datetime(2026, 3, 27, 23, 40, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def seeded(django_capture_on_commit_callbacks):
    with (
        time_machine.travel(LATE_EVENING_UTC, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("seed_demo", stdout=io.StringIO())


def local(event: Event) -> datetime:
    return event.starts_at.astimezone(ZoneInfo(event.timezone))


def test_seeded_late_at_night_the_events_start_at_their_local_hours(seeded):
    today_there = {
        event.slug: LATE_EVENING_UTC.astimezone(ZoneInfo(event.timezone)).date()
        for event in Event.objects.all()
    }
    for slug, _, _, _, (days, at), *_ in EVENTS:
        event = Event.objects.get(slug=slug)
        assert local(event).time() == time.fromisoformat(at), slug
        assert (local(event).date() - today_there[slug]).days == days, slug
        assert 7 <= local(event).hour <= 19, slug
    past = Event.objects.get(slug="intro-to-django-past")
    assert local(past).time() == time(10, 0)


def test_a_berlin_event_seeded_after_midnight_there_counts_days_from_that_date(seeded):
    """23:40 UTC on 27 March is 00:40 on the 28th in Berlin: ten days from there."""
    meetup = Event.objects.get(slug="berlin-python-meetup")
    assert local(meetup).date().isoformat() == "2026-04-07"
    assert local(meetup).time() == time(19, 0)


def test_no_registration_is_confirmed_before_it_was_made(seeded):
    confirmed = Registration.objects.exclude(confirmed_at=None)
    assert confirmed.count() >= 10
    for registration in confirmed:
        assert registration.created_at <= registration.confirmed_at, registration
    past = Registration.objects.filter(event__slug="intro-to-django-past")
    assert all(r.created_at < r.event.starts_at for r in past)


def test_the_admin_lists_of_sessions_progress_and_attendance_have_rows(seeded):
    with_sessions = Event.objects.filter(sessions__isnull=False).distinct().count()
    assert with_sessions >= 9
    past = Event.objects.get(slug="intro-to-django-past")
    assert past.sessions.count() == len(PAST_SESSIONS)
    attended = SessionAttendance.objects.filter(session__event=past)
    assert sorted(attended.values_list("ticket__registration__user__username", flat=True)) == [
        "alice",
        "alice",
        "alice",
        "bob",
        "bob",
    ]
    assert SessionProgress.objects.filter(status="completed").count() == 5
    noted = SessionProgress.objects.get(status="in_progress")
    assert (noted.user.username, noted.session.title) == ("alice", "Lightning talks")
    assert noted.notes


def test_the_past_workshops_certificates_count_the_sessions_attended(seeded):
    hours = {
        certificate.user.username: certificate.hours_completed
        for certificate in Event.objects.get(slug="intro-to-django-past").certificates.all()
    }
    assert hours == {"alice": 4.5, "bob": 3}


def test_seeding_again_adds_no_progress_or_attendance(seeded, django_capture_on_commit_callbacks):
    counts = SessionProgress.objects.count(), SessionAttendance.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert (SessionProgress.objects.count(), SessionAttendance.objects.count()) == counts
