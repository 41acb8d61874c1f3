"""What a person meets first: the front door at `/`, the Browsable API they can sign in to (a
session for that renderer only), and the docs' schema built once per process."""

import io
import re

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD as PASSWORD
from tests.factories import RegistrationFactory, UserFactory
from tests.helpers import assert_error
from tests.registrations.test_booking import free_event

pytestmark = pytest.mark.django_db

HTML = "text/html,application/xhtml+xml"


class TestFrontDoor:
    def test_it_links_the_docs_the_browsable_api_the_admin_and_the_health_check(self, client):
        page = client.get("/")
        assert page.status_code == 200
        assert page["Content-Type"].startswith("text/html")
        links = set(re.findall(r'href="([^"]+)"', page.content.decode()))
        assert {"/api/v1/docs/", "/api/v1/", "/api/v1/schema/", "/admin/", "/health/"} <= links
        assert "/api-auth/login/?next=/api/v1/" in links
        for link in links:
            assert client.get(link, follow=True).status_code == 200, link

    def test_in_development_it_lists_the_demo_accounts_that_exist(self, client, settings):
        from users.demo import DEMO_PASSWORD

        settings.DEBUG = True
        UserFactory(username="alice")
        UserFactory(username="organizer", role="organizer")
        html = client.get("/").content.decode()
        assert "<code>alice</code>" in html and "<code>organizer</code>" in html
        assert "<code>bob</code>" not in html  # not seeded here
        assert DEMO_PASSWORD in html
        assert html.index("<code>organizer</code>") < html.index("<code>alice</code>")

    def test_in_production_it_shows_no_accounts_and_no_password(self, client, settings):
        from users.demo import DEMO_PASSWORD

        settings.DEBUG = False
        UserFactory(username="alice")
        html = client.get("/").content.decode()
        assert "alice" not in html and DEMO_PASSWORD not in html
        assert "/api/v1/docs/" in html

    def test_a_client_that_prefers_json_gets_the_links_as_json(self, client):
        body = client.get("/", HTTP_ACCEPT="application/json").json()
        assert body["name"] == "EventHub API"
        assert (body["docs"], body["api_root"], body["health"]) == (
            "/api/v1/docs/",
            "/api/v1/",
            "/health/",
        )

    def test_it_only_answers_reads(self, client):
        assert client.post("/").status_code == 405
        assert client.head("/").status_code == 200

    def test_the_site_has_an_icon(self, client):
        from PIL import Image

        icon = client.get("/favicon.ico")
        assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
        assert Image.open(io.BytesIO(icon.content)).format == "ICO"
        assert client.post("/favicon.ico").status_code == 405

    def test_the_admins_view_site_link_leads_to_it(self, admin_site):
        html = admin_site.get("/admin/").content.decode()
        assert 'href="/"' in html


def sign_in(client, user, password=PASSWORD):
    """Signs in through the Browsable API's login page, as a person would (CSRF token and
    all)."""
    page = client.get("/api-auth/login/?next=/api/v1/registrations/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(
        "/api-auth/login/?next=/api/v1/registrations/",
        {
            "username": user.username,
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/api/v1/registrations/",
        },
    )


@pytest.fixture
def browser():
    from django.test import Client

    return Client(enforce_csrf_checks=True)


@pytest.fixture
def attendee():
    return UserFactory()


class TestBrowsableAPISignIn:
    def test_the_api_root_has_a_title_a_login_link_and_markdown(self, browser):
        html = browser.get("/api/v1/", HTTP_ACCEPT=HTML).content.decode()
        assert "<title>EventHub API</title>" in html
        assert "<h1>EventHub API</h1>" in html
        assert "href='/api-auth/login/?next=/api/v1/'>Log in</a>" in html
        assert "<code>auth/jwt/create/</code>" in html  # the description is Markdown
        assert "Django REST framework" not in html

    def test_an_attendee_signs_in_and_sees_their_registrations(self, browser, attendee):
        own = RegistrationFactory(user=attendee)
        other = RegistrationFactory()
        answer = sign_in(browser, attendee)
        assert answer.status_code == 302 and answer["Location"] == "/api/v1/registrations/"
        page = browser.get("/api/v1/registrations/", HTTP_ACCEPT=HTML)
        assert page.status_code == 200
        html = page.content.decode()
        shown = html[
            html.index('class="response-info"') : html.index(
                "</pre>", html.index('class="response-info"')
            )
        ]
        assert f"&quot;event_title&quot;: &quot;{own.event.title}&quot;" in shown
        assert other.event.title not in html  # neither listed nor offered in the form
        assert attendee.username in html  # the user menu, with its "Log out"
        assert reverse("rest_framework:logout") in html

    def test_wrong_credentials_stay_on_the_page(self, browser, attendee):
        answer = sign_in(browser, attendee, password="wrong")
        assert answer.status_code == 200
        assert "Please enter a correct" in answer.content.decode()

    def test_the_session_never_authenticates_a_json_request(self, browser, attendee):
        """A page elsewhere that makes the browser send the cookie gets nothing as anyone."""
        RegistrationFactory(user=attendee)
        sign_in(browser, attendee)
        assert_error(browser.get("/api/v1/registrations/"), 401, "not_authenticated")
        assert_error(browser.get("/api/v1/registrations/?format=json"), 401, "not_authenticated")

    def test_a_form_post_needs_the_csrf_token(self, browser, attendee):
        event = free_event()
        sign_in(browser, attendee)
        answer = browser.post("/api/v1/registrations/", {"event": event.pk}, HTTP_ACCEPT=HTML)
        assert answer.status_code == 403
        assert "CSRF" in answer.content.decode()
        assert not attendee.registrations.exists()

    def test_with_the_token_the_browsable_form_books(self, browser, attendee):
        event = free_event()
        sign_in(browser, attendee)
        answer = browser.post(
            "/api/v1/registrations/",
            {"event": event.pk},
            HTTP_ACCEPT=HTML,
            HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
        )
        assert answer.status_code == 201, answer.content[:300]
        assert attendee.registrations.get().event == event

    def test_log_out_ends_the_session(self, browser, attendee):
        sign_in(browser, attendee)
        token = browser.cookies["csrftoken"].value
        answer = browser.post("/api-auth/logout/", HTTP_X_CSRFTOKEN=token)
        assert answer.status_code == 302 and answer["Location"] == "/api/v1/"
        page = browser.get("/api/v1/registrations/", HTTP_ACCEPT=HTML)
        assert page.status_code == 401

    def test_guessing_passwords_there_is_locked_out_like_the_admin(self, browser, settings):
        target = UserFactory()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(browser, target, password="guess")
        answer = sign_in(browser, target)  # the right password, too late
        assert answer.status_code == 429
        assert "_auth_user_id" not in browser.session


class TestSchemaIsBuiltOnce:
    def test_each_format_is_built_once_and_then_served_as_built(self, client):
        from config.views import SchemaView

        SchemaView._built.clear()
        first = client.get("/api/v1/schema/")
        assert first.status_code == 200 and len(SchemaView._built) == 1
        again = client.get("/api/v1/schema/")
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
        assert "Accept" in again["Vary"]
        as_json = client.get("/api/v1/schema/?format=json")
        assert as_json.json()["info"]["title"] == "EventHub API"
        assert len(SchemaView._built) == 2

    def test_a_client_that_takes_gzip_gets_it_compressed(self, client):
        import gzip

        plain = client.get("/api/v1/schema/?format=json")
        compressed = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_ENCODING="gzip, br")
        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        assert gzip.decompress(compressed.content) == plain.content
        assert len(compressed.content) * 5 < len(plain.content)
        again = client.get("/api/v1/schema/?format=json")
        assert not again.has_header("Content-Encoding") and again.content == plain.content

    def test_odd_query_strings_are_answered_but_not_kept(self, client):
        from config.views import SchemaView

        SchemaView._built.clear()
        for n in range(5):
            assert client.get(f"/api/v1/schema/?version=v{n}").status_code == 200
            client.get(f"/api/v1/schema/?lang=xx{n}")
        assert SchemaView._built == {}
