"""`certificates/`: who sees which (the holder, the event's organizer, admins), filters,
search and the list's query count, the fields; `mark_as_downloaded/`, the holder's alone; and
`certificates/verify/{number}/`, open to anyone and telling only that a certificate is real."""

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import authenticated_client
from tests.factories import AdminFactory, CertificateFactory, EventFactory, UserFactory
from tests.helpers import assert_error, iso
from users.services import deactivate_account

pytestmark = pytest.mark.django_db

CERTIFICATES = "/api/v1/certificates/"
VERIFY = "/api/v1/certificates/verify/"


def listed(user, query="") -> list[int]:
    response = authenticated_client(user).get(f"{CERTIFICATES}{query}")
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


def ids(*certificates) -> list[int]:
    return sorted(certificate.pk for certificate in certificates)


class TestWhoSeesWhich:
    def test_an_attendee_lists_only_their_own(self):
        mine = CertificateFactory()
        CertificateFactory()

        assert listed(mine.user) == ids(mine)

    def test_an_organizer_also_sees_the_certificates_of_their_events(self):
        event = EventFactory()
        own = CertificateFactory(user=event.organizer)
        at_their_event = CertificateFactory(event=event)
        CertificateFactory()

        assert listed(event.organizer) == ids(own, at_their_event)

    def test_the_event_filter_narrows_an_organizers_list_to_one_event(self):
        event = EventFactory()
        other_event = EventFactory(organizer=event.organizer)
        wanted = CertificateFactory(event=event)
        CertificateFactory(event=other_event)

        assert listed(event.organizer, f"?event={event.pk}") == ids(wanted)

    def test_an_admin_sees_them_all(self):
        certificates = CertificateFactory.create_batch(3)

        assert listed(AdminFactory()) == ids(*certificates)

    @pytest.mark.parametrize(
        ("method", "action"),
        [("get", ""), ("get", "pdf/"), ("post", "mark_as_downloaded/")],
        ids=["detail", "pdf", "mark_as_downloaded"],
    )
    def test_another_attendees_certificate_is_not_found(self, method, action):
        certificate = CertificateFactory()
        client = authenticated_client(UserFactory())

        response = getattr(client, method)(f"{CERTIFICATES}{certificate.pk}/{action}")

        assert_error(response, 404, "not_found")


class TestFiltersAndSearch:
    @pytest.mark.parametrize(("value", "expected"), [("true", "downloaded"), ("false", "new")])
    def test_is_downloaded_filters_by_whether_the_holder_has_it(self, value, expected):
        holder = UserFactory()
        certificates = {
            "downloaded": CertificateFactory(user=holder, downloaded_at=timezone.now()),
            "new": CertificateFactory(user=holder),
        }

        assert listed(holder, f"?is_downloaded={value}") == ids(certificates[expected])

    @pytest.mark.parametrize(
        "query",
        ["is_downloaded=maybe", "event=abc", "event=0", "event=99999999999999999999"],
        ids=["is_downloaded-maybe", "event-not-a-number", "event-zero", "event-too-large"],
    )
    def test_an_invalid_filter_value_is_a_400(self, query):
        certificate = CertificateFactory()

        response = authenticated_client(certificate.user).get(f"{CERTIFICATES}?{query}")

        assert_error(response, 400, "validation_error")

    def test_search_finds_a_certificate_by_its_number(self):
        holder = UserFactory()
        wanted = CertificateFactory(user=holder)
        CertificateFactory(user=holder)

        assert listed(holder, f"?search={wanted.number}") == ids(wanted)

    def test_search_finds_a_certificate_by_its_events_title(self):
        holder = UserFactory()
        wanted = CertificateFactory(user=holder, event__title="Scaling PostgreSQL")
        CertificateFactory(user=holder, event__title="Intro to Django")

        assert listed(holder, "?search=postgres") == ids(wanted)

    def test_the_newest_come_first(self):
        holder = UserFactory()
        now = timezone.now()
        older = CertificateFactory(user=holder, issued_at=now - timedelta(days=2))
        newer = CertificateFactory(user=holder, issued_at=now - timedelta(days=1))

        results = authenticated_client(holder).get(CERTIFICATES).json()["results"]

        assert [row["id"] for row in results] == [newer.pk, older.pk]


def listing_queries(user) -> tuple[int, int]:
    """How many certificates `user`'s list shows, and how many queries it took."""
    client = authenticated_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CERTIFICATES)
    assert response.status_code == 200
    return response.json()["count"], len(queries)


@pytest.mark.parametrize("viewer", ["holder", "organizer"])
def test_the_lists_query_count_is_the_same_for_2_and_20_certificates(viewer):
    holder, event = UserFactory(), EventFactory()
    user, add_one = {
        "holder": (holder, lambda: CertificateFactory(user=holder)),
        "organizer": (event.organizer, lambda: CertificateFactory(event=event)),
    }[viewer]
    for _ in range(2):
        add_one()
    few, few_queries = listing_queries(user)

    for _ in range(18):
        add_one()
    many, many_queries = listing_queries(user)

    assert (few, many) == (2, 20)
    assert many_queries == few_queries


def test_a_certificate_shows_its_fields(settings):
    settings.FRONTEND_URL = "https://eventhub.example"
    issued_at = timezone.now().replace(microsecond=0) - timedelta(days=1)
    certificate = CertificateFactory(
        holder_name="Ada Lovelace",
        event__title="Analytical Engines",
        skill_tags=["Engines", "Maths"],
        issued_at=issued_at,
    )

    response = authenticated_client(certificate.user).get(f"{CERTIFICATES}{certificate.pk}/")

    assert response.json() == {
        "id": certificate.pk,
        "number": certificate.number,
        "event": certificate.event_id,
        "event_title": "Analytical Engines",
        "user": certificate.user_id,
        "user_name": "Ada Lovelace",
        "hours_completed": "3.00",
        "skill_tags": ["Engines", "Maths"],
        "issued_at": iso(issued_at),
        "downloaded_at": None,
        "is_downloaded": False,
        "verification_url": f"https://eventhub.example/certificates/verify/{certificate.number}",
    }


class TestMarkAsDownloaded:
    def test_the_holder_marks_it_downloaded(self):
        certificate = CertificateFactory()
        moment = timezone.now().replace(microsecond=0)

        with time_machine.travel(moment, tick=False):
            response = authenticated_client(certificate.user).post(
                f"{CERTIFICATES}{certificate.pk}/mark_as_downloaded/"
            )

        assert response.status_code == 200, response.json()
        assert (response.json()["is_downloaded"], response.json()["downloaded_at"]) == (
            True,
            iso(moment),
        )

    @pytest.mark.parametrize("viewer", ["organizer", "admin"])
    def test_the_organizer_or_an_admin_who_sees_it_may_not(self, viewer):
        certificate = CertificateFactory()
        actor = certificate.event.organizer if viewer == "organizer" else AdminFactory()

        response = authenticated_client(actor).post(
            f"{CERTIFICATES}{certificate.pk}/mark_as_downloaded/"
        )

        assert_error(response, 403, "permission_denied")
        certificate.refresh_from_db()
        assert certificate.downloaded_at is None


class TestVerify:
    def test_anyone_learns_that_it_is_valid_and_whose_and_nothing_more(self, api_client):
        certificate = CertificateFactory(holder_name="Ada Lovelace", event__title="Engines")

        response = api_client.get(f"{VERIFY}{certificate.number}/")

        assert response.status_code == 200
        assert response.json() == {
            "valid": True,
            "number": certificate.number,
            "holder_name": "Ada Lovelace",
            "event_title": "Engines",
            "issued_at": iso(certificate.issued_at),
        }

    @pytest.mark.parametrize(
        "typed", [str.lower, lambda number: f"  {number} "], ids=["lower-case", "space-padded"]
    )
    def test_a_number_typed_loosely_still_verifies(self, api_client, typed):
        certificate = CertificateFactory()

        response = api_client.get(f"{VERIFY}{quote(typed(certificate.number))}/")

        assert response.status_code == 200
        assert response.json()["number"] == certificate.number

    def test_an_unknown_number_is_not_found(self, api_client):
        CertificateFactory()

        assert_error(api_client.get(f"{VERIFY}CERT-2345-6789-ABCD/"), 404, "not_found")

    def test_a_deleted_accounts_certificate_verifies_without_a_name(
        self, api_client, django_capture_on_commit_callbacks
    ):
        certificate = CertificateFactory(holder_name="Ada Lovelace")

        with django_capture_on_commit_callbacks(execute=True):
            deactivate_account(user=certificate.user)

        response = api_client.get(f"{VERIFY}{certificate.number}/")
        assert response.status_code == 200
        assert (response.json()["valid"], response.json()["holder_name"]) == (True, "")
