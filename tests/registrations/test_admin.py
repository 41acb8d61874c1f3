"""The Django admin screens of registrations, tickets, the waitlist and progress."""

import pytest

from tests.factories import RegistrationFactory, TicketFactory, WaitlistEntryFactory

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
