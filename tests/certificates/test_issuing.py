"""Issuing certificates of attendance: to whom (a confirmed place and a check-in at the door),
once, only after the event ended; who may ask for it; the hours, skills and name a certificate
states; its number; the hourly task; the holder's notification and dashboard count."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.models import NUMBER_ALPHABET, Certificate
from certificates.services import issue_certificates
from certificates.tasks import issue_due_certificates
from events.models import EventStatus, Visibility
from notifications.models import Notification, NotificationType
from registrations.models import RegistrationStatus
from registrations.services.checkin import check_in
from tests.conftest import authenticated_client
from tests.factories import (
    AdminFactory,
    CertificateFactory,
    EventFactory,
    OrganizerFactory,
    RegistrationFactory,
    SessionFactory,
    TicketFactory,
    UserFactory,
)
from tests.helpers import assert_error
from users.services import deactivate_account

pytestmark = pytest.mark.django_db

NUMBER = re.compile(
    rf"CERT-[{NUMBER_ALPHABET}]{{4}}-[{NUMBER_ALPHABET}]{{4}}-[{NUMBER_ALPHABET}]{{4}}"
)


def ended_event(ended_ago=timedelta(days=1), hours=3, **fields):
    """A published event of `hours` hours that ended `ended_ago` ago."""
    ends_at = (timezone.now() - ended_ago).replace(microsecond=0)
    return EventFactory(starts_at=ends_at - timedelta(hours=hours), ends_at=ends_at, **fields)


def attendee(event, *, checked_in=True, status=RegistrationStatus.CONFIRMED, **user_fields):
    """Someone holding a place of `status` at the event, with a ticket checked in or not."""
    registration = RegistrationFactory(event=event, status=status, user=UserFactory(**user_fields))
    TicketFactory(registration=registration, checked_in_at=event.starts_at if checked_in else None)
    return registration.user


def issue(event, actor):
    return authenticated_client(actor).post(f"/api/v1/events/{event.pk}/issue_certificates/")


def holders(event) -> list:
    return sorted(Certificate.objects.filter(event=event).values_list("user_id", flat=True))


class TestWhoGetsOne:
    def test_each_checked_in_attendee_with_a_confirmed_place_gets_exactly_one(self):
        event = ended_event()
        alice, bob = attendee(event), attendee(event)
        # bob came with a friend: two tickets of his, both checked in
        TicketFactory(registration=bob.registrations.get(), checked_in_at=event.starts_at)

        response = issue(event, event.organizer)

        assert response.status_code == 200, response.json()
        assert response.json() == {"issued": 2}
        assert holders(event) == sorted([alice.pk, bob.pk])

    def test_a_confirmed_attendee_who_was_not_checked_in_gets_none(self):
        event = ended_event()
        attendee(event, checked_in=False)

        assert issue(event, event.organizer).json() == {"issued": 0}
        assert holders(event) == []

    def test_a_cancelled_registration_with_a_checked_in_ticket_gets_none(self):
        event = ended_event()
        attendee(event, status=RegistrationStatus.CANCELLED)

        assert issue(event, event.organizer).json() == {"issued": 0}
        assert holders(event) == []

    def test_issuing_again_issues_nothing_more(self):
        event = ended_event()
        alice = attendee(event)
        issue(event, event.organizer)

        response = issue(event, event.organizer)

        assert response.json() == {"issued": 0}
        assert holders(event) == [alice.pk]

    def test_the_database_keeps_one_certificate_per_person_and_event(self):
        certificate = CertificateFactory()

        with pytest.raises(IntegrityError), transaction.atomic():
            CertificateFactory(user=certificate.user, event=certificate.event)

    def test_the_service_returns_how_many_it_issued(self):
        event = ended_event()
        attendee(event)
        attendee(event)
        attendee(event, checked_in=False)

        assert issue_certificates(event=event) == 2


class TestWhenItMayBeIssued:
    def test_before_the_event_ended_it_is_a_409_and_issues_nothing(self):
        event = ended_event(ended_ago=-timedelta(hours=1))  # began two hours ago, ends in one
        attendee(event)

        assert_error(issue(event, event.organizer), 409, "invalid_state")
        assert holders(event) == []

    def test_a_cancelled_event_is_a_409_and_issues_nothing(self):
        event = ended_event(status=EventStatus.CANCELLED)
        attendee(event)

        assert_error(issue(event, event.organizer), 409, "invalid_state")
        assert holders(event) == []


class TestWhoMayIssue:
    @pytest.mark.parametrize("manager", ["organizer", "admin"])
    def test_the_events_organizer_and_admins_may(self, manager):
        event = ended_event()
        alice = attendee(event)
        actor = event.organizer if manager == "organizer" else AdminFactory()

        assert issue(event, actor).json() == {"issued": 1}
        assert holders(event) == [alice.pk]

    @pytest.mark.parametrize("role", ["attendee", "another_organizer"])
    def test_someone_who_sees_the_event_without_managing_it_is_refused(self, role):
        event = ended_event()
        alice = attendee(event)
        actor = alice if role == "attendee" else OrganizerFactory()

        assert_error(issue(event, actor), 403, "permission_denied")
        assert holders(event) == []

    @pytest.mark.parametrize(
        "hidden",
        [{"status": EventStatus.DRAFT}, {"visibility": Visibility.PRIVATE}],
        ids=["draft", "private"],
    )
    @pytest.mark.parametrize("role", ["attendee", "another_organizer"])
    def test_an_event_one_cannot_see_is_not_found(self, hidden, role):
        event = ended_event(**hidden)
        actor = UserFactory() if role == "attendee" else OrganizerFactory()

        assert_error(issue(event, actor), 404, "not_found")

    def test_anonymous_callers_must_sign_in(self, api_client):
        event = ended_event()
        attendee(event)

        response = api_client.post(f"/api/v1/events/{event.pk}/issue_certificates/")

        assert_error(response, 401, "not_authenticated")
        assert holders(event) == []


def certificate_of(user, event) -> Certificate:
    issue_certificates(event=event)
    return Certificate.objects.get(user=user, event=event)


def course(session_minutes=(90, 90), hours=4):
    """An ended event of `hours` hours with sessions of these lengths, one after another."""
    event = ended_event(hours=hours)
    starts_at, sessions = event.starts_at, []
    for minutes in session_minutes:
        ends_at = starts_at + timedelta(minutes=minutes)
        sessions.append(SessionFactory(event=event, starts_at=starts_at, ends_at=ends_at))
        starts_at = ends_at
    return event, sessions


def checked_in_to(event, sessions):
    """Someone with a confirmed place admitted at the door of each of `sessions`, as the
    organizer's check-in does it (which completes their progress in each)."""
    person = attendee(event, checked_in=False)
    code = person.registrations.get().tickets.get().code
    for session in sessions:
        check_in(code=code, actor=event.organizer, session=session)
    return person


class TestHoursCompleted:
    def test_an_event_without_sessions_counts_its_whole_duration(self):
        event = ended_event(hours=3)

        assert certificate_of(attendee(event), event).hours_completed == Decimal("3.00")

    def test_the_sessions_completed_are_summed(self):
        event, sessions = course(session_minutes=(90, 90), hours=4)

        person = checked_in_to(event, sessions)

        assert certificate_of(person, event).hours_completed == Decimal("3.00")

    def test_sessions_at_the_same_time_count_once(self):
        event = ended_event(hours=4)
        parallel = [
            SessionFactory(
                event=event, starts_at=event.starts_at, ends_at=event.starts_at + timedelta(hours=2)
            )
            for _ in range(2)
        ]
        overlapping = SessionFactory(
            event=event,
            starts_at=event.starts_at + timedelta(hours=1),
            ends_at=event.starts_at + timedelta(hours=3),
        )

        person = checked_in_to(event, [*parallel, overlapping])

        assert certificate_of(person, event).hours_completed == Decimal("3.00")

    def test_only_the_sessions_completed_count(self):
        event, sessions = course(session_minutes=(90, 90), hours=4)

        person = checked_in_to(event, sessions[:1])

        assert certificate_of(person, event).hours_completed == Decimal("1.50")

    def test_with_sessions_but_none_completed_the_events_duration_counts(self):
        event, _ = course(session_minutes=(90, 90), hours=4)

        assert certificate_of(attendee(event), event).hours_completed == Decimal("4.00")

    def test_sessions_completed_at_another_event_do_not_count(self):
        event, _ = course(session_minutes=(90, 90), hours=4)
        person = attendee(event)
        other, other_sessions = course(session_minutes=(60,))
        ticket = TicketFactory(registration=RegistrationFactory(event=other, user=person))
        check_in(code=ticket.code, actor=other.organizer, session=other_sessions[0])

        assert certificate_of(person, event).hours_completed == Decimal("4.00")

    def test_a_course_longer_than_ten_thousand_hours_is_certified_with_its_hours(self):
        event = ended_event(hours=24 * 500)
        person = attendee(event)

        assert certificate_of(person, event).hours_completed == Decimal("12000.00")


class TestWhatItStates:
    def test_the_skills_are_the_events_tags_sorted(self):
        event = ended_event(tags=["Python", "Django", "APIs"])

        certificate = certificate_of(attendee(event), event)

        assert certificate.skill_tags == ["APIs", "Django", "Python"]

    def test_the_holders_name_is_their_full_name_as_it_was_at_issue(self):
        event = ended_event()
        person = attendee(event, first_name="Ada", last_name="Lovelace")
        certificate = certificate_of(person, event)

        person.first_name, person.last_name = "Augusta", "King"
        person.save()

        certificate.refresh_from_db()
        assert certificate.holder_name == "Ada Lovelace"

    def test_someone_whose_account_was_deleted_before_the_issue_is_not_named(
        self, django_capture_on_commit_callbacks
    ):
        event = ended_event()
        person = attendee(event, first_name="Ada", last_name="Lovelace")
        with django_capture_on_commit_callbacks(execute=True):
            deactivate_account(user=person)

        certificate = certificate_of(person, event)

        assert certificate.holder_name == ""

    def test_the_numbers_are_well_formed_and_distinct(self):
        event = ended_event()
        for _ in range(30):
            attendee(event)

        issue_certificates(event=event)

        numbers = list(Certificate.objects.filter(event=event).values_list("number", flat=True))
        assert len(numbers) == len(set(numbers)) == 30
        assert all(NUMBER.fullmatch(number) for number in numbers), numbers

    def test_many_new_certificates_draw_distinct_numbers(self):
        numbers = [Certificate().number for _ in range(200)]

        assert len(set(numbers)) == 200
        assert all(NUMBER.fullmatch(number) for number in numbers)


class TestTheHourlyTask:
    def test_it_issues_for_an_event_that_ended_within_the_window(self):
        event = ended_event(ended_ago=timedelta(days=6, hours=23))
        alice = attendee(event)

        assert issue_due_certificates() == 1
        assert holders(event) == [alice.pk]

    def test_it_leaves_an_event_that_ended_longer_ago_to_the_endpoint(self):
        event = ended_event(ended_ago=timedelta(days=7, hours=1))
        attendee(event)

        assert issue_due_certificates() == 0
        assert holders(event) == []

    def test_it_leaves_an_event_that_has_not_ended(self):
        event = ended_event(ended_ago=-timedelta(hours=1))
        attendee(event)

        assert issue_due_certificates() == 0
        assert holders(event) == []

    def test_the_window_is_the_setting(self, settings):
        settings.CERTIFICATES_ISSUE_WITHIN_DAYS = 30
        event = ended_event(ended_ago=timedelta(days=20))
        alice = attendee(event)

        assert issue_due_certificates() == 1
        assert holders(event) == [alice.pk]

    def test_an_event_is_issued_once_as_the_task_runs_every_hour(self):
        event = ended_event(ended_ago=timedelta(hours=1))
        attendee(event)
        issue_due_certificates()

        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
            assert issue_due_certificates() == 0
        assert Certificate.objects.filter(event=event).count() == 1

    def test_it_is_on_the_beat_schedule(self, settings):
        tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

        assert issue_due_certificates.name in tasks


class TestTheHolderIsTold:
    def test_the_holder_and_nobody_else_gets_a_certificate_issued_notification(
        self, django_capture_on_commit_callbacks
    ):
        event = ended_event()
        holder = attendee(event)
        attendee(event, checked_in=False)

        with django_capture_on_commit_callbacks(execute=True):
            issue_certificates(event=event, actor=event.organizer)

        certificate = Certificate.objects.get()
        (notification,) = Notification.objects.filter(type=NotificationType.CERTIFICATE_ISSUED)
        assert notification.user == holder
        assert notification.data == {"certificate": certificate.pk, "number": certificate.number}


def test_the_holders_dashboard_counts_their_certificates():
    holder = UserFactory()
    CertificateFactory.create_batch(2, user=holder)
    CertificateFactory()

    response = authenticated_client(holder).get("/api/v1/dashboard/")

    assert response.json()["counts"]["certificates"] == 2
