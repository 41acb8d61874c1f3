"""The Django admin screens of registrations, tickets, the waitlist and progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Registration, SessionAttendance, SessionProgress
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    TicketFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.helpers import admin_filter_link, assert_admin_lists
from users.models import ActivityLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/registrations/registration/?q=alice&status__exact=confirmed",
        "/admin/registrations/ticket/?q={code}",
        "/admin/registrations/waitlistentry/?status__exact=waiting",
        "/admin/registrations/sessionprogress/?status__exact=completed",
        "/admin/registrations/sessionattendance/",
    ],
)
def test_changelists_search_and_filter(admin_site, url):
    ticket = TicketFactory(registration__user__username="alice")
    WaitlistEntryFactory()
    response = admin_site.get(url.format(code=ticket.code))
    assert response.status_code == 200
    if "{code}" in url:
        assert ticket.attendee_name.encode() in response.content


def test_a_registration_page_shows_its_tickets_read_only(admin_site):
    ticket = TicketFactory()
    page = admin_site.get(f"/admin/registrations/registration/{ticket.registration_id}/change/")
    assert page.status_code == 200
    assert ticket.code.encode() in page.content
    assert admin_site.get("/admin/registrations/registration/add/").status_code == 403


def test_registrations_cannot_be_deleted_from_the_admin(admin_site):
    registration = RegistrationFactory()
    response = admin_site.get(f"/admin/registrations/registration/{registration.pk}/delete/")
    assert response.status_code == 403


def test_waitlist_entries_and_progress_cannot_be_deleted_from_the_admin(admin_site):
    """Leaving the queue goes through `leave/` (a held offer moves on); progress is its
    owner's record. Neither may vanish from the admin, one by one or in bulk."""
    entry = WaitlistEntryFactory()
    progress = SessionProgress.objects.create(user=UserFactory(), session=SessionFactory())
    for url, obj in (
        ("/admin/registrations/waitlistentry/", entry),
        ("/admin/registrations/sessionprogress/", progress),
    ):
        assert admin_site.get(f"{url}{obj.pk}/delete/").status_code == 403
        admin_site.post(url, {"action": "delete_selected", "_selected_action": [obj.pk]})
        assert type(obj).objects.filter(pk=obj.pk).exists()


REGISTRATIONS = "/admin/registrations/registration/"
TICKETS = "/admin/registrations/ticket/"
WAITLIST = "/admin/registrations/waitlistentry/"
PROGRESS = "/admin/registrations/sessionprogress/"
ATTENDANCE = "/admin/registrations/sessionattendance/"


def zed(**overrides):
    """A person and an event with nothing in common with the search term "quokka"."""
    return UserFactory(username="zed", email="zed@example.com", **overrides)


def bob():
    return UserFactory(username="bob", email="bob@example.com")


def assert_filter_narrows(admin_site, url, title, choice, match, other):
    page = admin_site.get(url)
    assert_admin_lists(page, shown=[match, other])
    filtered = admin_site.get(url + admin_filter_link(page, title, choice))
    assert_admin_lists(filtered, shown=[match], hidden=[other])


class TestRegistrationChangelist:
    @pytest.mark.parametrize("field", ["username", "email", "event title", "id"])
    def test_each_search_field_finds_its_registration(self, admin_site, field):
        user = {
            "username": lambda: UserFactory(username="quokka"),
            "email": lambda: UserFactory(username="zed", email="quokka@wonder.example"),
        }.get(field, zed)()
        title = "Quokka Summit" if field == "event title" else "Zeta Fair"
        match = RegistrationFactory(user=user, event__title=title)
        other = RegistrationFactory(user=bob(), event__title="Acme Fair")
        query = str(match.pk) if field == "id" else "quokka"

        page = admin_site.get(REGISTRATIONS, {"q": query})

        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_the_id_search_is_exact(self, admin_site):
        match = RegistrationFactory(id=7007, user=zed(), event__title="Fair")
        longer = RegistrationFactory(id=70070, user=bob(), event__title="Fair")
        page = admin_site.get(REGISTRATIONS, {"q": "7007"})
        assert_admin_lists(page, shown=[match], hidden=[longer])

    def test_filter_by_status(self, admin_site):
        cancelled = RegistrationFactory(status="cancelled")
        confirmed = RegistrationFactory(status="confirmed")
        assert_filter_narrows(
            admin_site, REGISTRATIONS, "status", "Cancelled", cancelled, confirmed
        )

    def test_filter_by_currency(self, admin_site):
        euros = RegistrationFactory(event__currency="EUR")
        dollars = RegistrationFactory(event__currency="USD")
        assert euros.currency == "EUR" and dollars.currency == "USD"
        assert_filter_narrows(admin_site, REGISTRATIONS, "currency", "EUR", euros, dollars)

    def test_filter_by_date(self, admin_site):
        recent = RegistrationFactory()
        old = RegistrationFactory()
        Registration.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=60)
        )
        assert_filter_narrows(admin_site, REGISTRATIONS, "created at", "Past 7 days", recent, old)


class TestTicketChangelist:
    @pytest.mark.parametrize("field", ["code", "attendee name", "event title"])
    def test_each_search_field_finds_its_ticket(self, admin_site, field):
        match = TicketFactory(
            registration__event__title="Quokka Summit" if field == "event title" else "Zeta Fair",
            attendee_name="Quokka Fan" if field == "attendee name" else "Zed Zulu",
        )
        other = TicketFactory(registration__event__title="Acme Fair", attendee_name="Bob Brown")
        query = match.code if field == "code" else "quokka"

        page = admin_site.get(TICKETS, {"q": query})

        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_the_code_search_is_exact(self, admin_site):
        match = TicketFactory()
        page = admin_site.get(TICKETS, {"q": match.code[:10]})
        assert_admin_lists(page, hidden=[match])

    def test_filter_by_check_in(self, admin_site):
        admitted = TicketFactory(checked_in_at=timezone.now())
        waiting = TicketFactory()
        assert_filter_narrows(admin_site, TICKETS, "checked in at", "Has date", admitted, waiting)


class TestWaitlistChangelist:
    @pytest.mark.parametrize("field", ["username", "event title"])
    def test_each_search_field_finds_its_entry(self, admin_site, field):
        match = WaitlistEntryFactory(
            user=UserFactory(username="quokka") if field == "username" else zed(),
            event__title="Quokka Summit" if field == "event title" else "Zeta Fair",
        )
        other = WaitlistEntryFactory(user=bob(), event__title="Acme Fair")

        page = admin_site.get(WAITLIST, {"q": "quokka"})

        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_filter_by_status(self, admin_site):
        left = WaitlistEntryFactory(status="left")
        waiting = WaitlistEntryFactory(status="waiting")
        assert_filter_narrows(admin_site, WAITLIST, "status", "Left", left, waiting)


class TestProgressChangelist:
    @pytest.mark.parametrize("field", ["username", "session title"])
    def test_each_search_field_finds_its_row(self, admin_site, field):
        match = SessionProgress.objects.create(
            user=UserFactory(username="quokka") if field == "username" else zed(),
            session=SessionFactory(title="Quokka care" if field == "session title" else "Intro"),
        )
        other = SessionProgress.objects.create(user=bob(), session=SessionFactory(title="Outro"))

        page = admin_site.get(PROGRESS, {"q": "quokka"})

        assert_admin_lists(page, shown=[match], hidden=[other])

    def test_filter_by_status(self, admin_site):
        done = SessionProgress.objects.create(
            user=UserFactory(), session=SessionFactory(), status="completed"
        )
        started = SessionProgress.objects.create(
            user=UserFactory(), session=SessionFactory(), status="in_progress"
        )
        assert_filter_narrows(admin_site, PROGRESS, "status", "Completed", done, started)


class TestAttendanceChangelist:
    @pytest.mark.parametrize("field", ["ticket code", "session title"])
    def test_each_search_field_finds_its_row(self, admin_site, field):
        event = EventFactory()
        match = SessionAttendance.objects.create(
            ticket=TicketFactory(registration__event=event),
            session=SessionFactory(
                event=event, title="Quokka care" if field == "session title" else "Intro"
            ),
        )
        other = SessionAttendance.objects.create(
            ticket=TicketFactory(registration__event=event),
            session=SessionFactory(event=event, title="Outro"),
        )
        query = match.ticket.code if field == "ticket code" else "quokka"

        page = admin_site.get(ATTENDANCE, {"q": query})

        assert_admin_lists(page, shown=[match], hidden=[other])


class TestChangesGoThroughTheServices:
    def test_an_admin_completing_a_progress_row_sets_its_time_and_logs_it(
        self, admin_site, admin_user
    ):
        row = SessionProgress.objects.create(user=UserFactory(), session=SessionFactory())
        url = f"/admin/registrations/sessionprogress/{row.pk}/change/"
        response = admin_site.post(url, {"status": "completed", "notes": "Attended in person."})
        assert response.status_code == 302
        row.refresh_from_db()
        assert (row.status, row.notes) == ("completed", "Attended in person.")
        assert row.completed_at is not None
        entry = ActivityLog.objects.get(action="progress_updated")
        assert entry.target_id == str(row.pk) and entry.ip_address == "127.0.0.1"

    def test_progress_rows_and_session_check_ins_are_not_made_in_the_admin(self, admin_site):
        assert admin_site.get("/admin/registrations/sessionprogress/add/").status_code == 403
        assert admin_site.get("/admin/registrations/sessionattendance/add/").status_code == 403

    def test_a_session_check_in_cannot_be_edited_or_deleted(self, admin_site):
        attendance = SessionAttendance.objects.create(
            ticket=TicketFactory(), session=SessionFactory()
        )
        url = f"/admin/registrations/sessionattendance/{attendance.pk}/"
        page = admin_site.get(f"{url}change/")
        assert "session" not in page.context["adminform"].form.fields
        assert admin_site.post(f"{url}delete/", {"post": "yes"}).status_code == 403
        assert SessionAttendance.objects.filter(pk=attendance.pk).exists()
