"""The certificate as a PDF (one landscape page naming the holder, the event, the number and
where to verify it; fetched by the holder, it counts as downloaded), certificates in the Django
admin (records: found, filtered, never written there), and what `seed_demo` issues."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from certificates.models import Certificate
from tests.conftest import authenticated_client
from tests.factories import AdminFactory, CertificateFactory
from tests.helpers import admin_change_url, admin_filter_link, assert_admin_lists

pytestmark = pytest.mark.django_db

CERTIFICATES = "/api/v1/certificates/"
CHANGELIST = "/admin/certificates/certificate/"


def fetch_pdf(certificate, user):
    response = authenticated_client(user).get(f"{CERTIFICATES}{certificate.pk}/pdf/")
    assert response.status_code == 200, response.content[:500]
    return response


def downloaded_at(certificate):
    certificate.refresh_from_db()
    return certificate.downloaded_at


class TestThePdf:
    def test_it_is_one_landscape_page_naming_the_holder_event_number_and_link(self):
        certificate = CertificateFactory(
            holder_name="Ada Lovelace", event__title="Analytical Engines"
        )

        response = fetch_pdf(certificate, certificate.user)

        assert response["Content-Type"] == "application/pdf"
        (page,) = PdfReader(io.BytesIO(response.content)).pages
        assert page.mediabox.width > page.mediabox.height
        text = page.extract_text()
        for expected in (
            "Ada Lovelace",
            "Analytical Engines",
            certificate.number,
            certificate.verification_url,
        ):
            assert expected in text, expected

    def test_fetched_by_the_holder_it_counts_as_downloaded(self):
        certificate = CertificateFactory()

        fetch_pdf(certificate, certificate.user)

        detail = authenticated_client(certificate.user).get(f"{CERTIFICATES}{certificate.pk}/")
        assert detail.json()["is_downloaded"] is True

    def test_a_second_fetch_keeps_the_first_download_time(self):
        certificate = CertificateFactory()
        first = timezone.now().replace(microsecond=0)
        with time_machine.travel(first, tick=False):
            fetch_pdf(certificate, certificate.user)

        with time_machine.travel(first + timedelta(minutes=5), tick=False):
            fetch_pdf(certificate, certificate.user)

        assert downloaded_at(certificate) == first

    @pytest.mark.parametrize("viewer", ["organizer", "admin"])
    def test_fetched_by_the_organizer_or_an_admin_it_is_not_marked(self, viewer):
        certificate = CertificateFactory()
        actor = certificate.event.organizer if viewer == "organizer" else AdminFactory()

        fetch_pdf(certificate, actor)

        assert downloaded_at(certificate) is None


class TestTheAdmin:
    def test_the_changelist_finds_a_certificate_by_its_number(self, admin_site):
        wanted, other = CertificateFactory(), CertificateFactory()

        page = admin_site.get(f"{CHANGELIST}?q={wanted.number}")

        assert_admin_lists(page, shown=[wanted], hidden=[other])

    @pytest.mark.parametrize(
        ("choice", "shown"),
        [("Not empty", "downloaded"), ("Empty", "new")],
        ids=["downloaded", "not-downloaded"],
    )
    def test_the_downloaded_filter_separates_those_the_holders_have(
        self, admin_site, choice, shown
    ):
        certificates = {
            "downloaded": CertificateFactory(downloaded_at=timezone.now()),
            "new": CertificateFactory(),
        }
        hidden = "new" if shown == "downloaded" else "downloaded"

        link = admin_filter_link(admin_site.get(CHANGELIST), "downloaded at", choice)

        assert_admin_lists(
            admin_site.get(f"{CHANGELIST}{link}"),
            shown=[certificates[shown]],
            hidden=[certificates[hidden]],
        )

    def test_certificates_cannot_be_added_there(self, admin_site):
        certificate = CertificateFactory()
        form = {"user": certificate.user_id, "event": certificate.event_id}

        assert admin_site.get(f"{CHANGELIST}add/").status_code == 403
        assert admin_site.post(f"{CHANGELIST}add/", form).status_code == 403
        assert Certificate.objects.count() == 1

    def test_a_certificate_is_shown_but_not_changed_there(self, admin_site):
        certificate = CertificateFactory(holder_name="Ada Lovelace")

        assert admin_site.get(admin_change_url(certificate)).status_code == 200
        response = admin_site.post(admin_change_url(certificate), {"holder_name": "Someone"})

        assert response.status_code == 403
        certificate.refresh_from_db()
        assert certificate.holder_name == "Ada Lovelace"

    def test_certificates_cannot_be_deleted_there(self, admin_site):
        certificate = CertificateFactory()
        delete = f"{CHANGELIST}{certificate.pk}/delete/"

        assert admin_site.get(delete).status_code == 403
        assert admin_site.post(delete, {"post": "yes"}).status_code == 403
        admin_site.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [certificate.pk]}
        )
        assert Certificate.objects.filter(pk=certificate.pk).exists()


def seed_demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")


def past_workshop_holders() -> list[str]:
    return sorted(
        Certificate.objects.filter(event__slug="intro-to-django-past").values_list(
            "user__username", flat=True
        )
    )


def test_seed_demo_certifies_the_two_checked_in_at_the_past_workshop_and_not_carol(
    django_capture_on_commit_callbacks,
):
    seed_demo(django_capture_on_commit_callbacks)

    assert past_workshop_holders() == ["alice", "bob"]


def test_seeding_again_issues_no_more_certificates(django_capture_on_commit_callbacks):
    seed_demo(django_capture_on_commit_callbacks)
    numbers = set(Certificate.objects.values_list("number", flat=True))

    seed_demo(django_capture_on_commit_callbacks)

    assert set(Certificate.objects.values_list("number", flat=True)) == numbers
    assert past_workshop_holders() == ["alice", "bob"]
