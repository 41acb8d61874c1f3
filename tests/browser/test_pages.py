"""What a person meets in a real browser, over the demo data: the front door and every page it
links to, the Swagger UI with its operations, the Browsable API signed in as an attendee and
its filter dialogs, and every list and a change page of each model in the Django admin: no
server error, no JavaScript error, no admin list wider than a 1366-pixel screen.

Every page's screenshot is saved under `screenshots/` (or `SCREENSHOTS_DIR`); `make
screenshots` runs these tests alone and says where they are."""

import pytest
from django.contrib import admin
from django.urls import reverse

from config.urls import api_router
from registrations.models import Registration
from users.demo import DEMO_PASSWORD

# `django_db` has pytest-django make the test database; the demo data is seeded once, by `site`.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.django_db]

FRONT_DOOR_LINKS = {
    "/api/v1/docs/",
    "/api/v1/",
    "/api/v1/schema/",
    "/admin/",
    "/health/",
    "/api-auth/login/?next=/api/v1/",
}
SCHEMA = "/api/v1/schema/"  # YAML: a browser saves it rather than shows it

# How far the page scrolls sideways and where the admin's list table ends, in CSS pixels
# (rounded: a fraction of a pixel is the layout's arithmetic, not a list too wide).
WIDTHS = """() => {
    const table = document.querySelector('#result_list');
    return {
        viewport: window.innerWidth,
        page: document.documentElement.scrollWidth,
        table: table && Math.round(table.getBoundingClientRect().right),
    };
}"""

# The first row's link to its own change page (other links in a row lead to related objects).
FIRST_ROWS_CHANGE_PAGE = """changelist => {
    const links = document.querySelectorAll('#result_list tbody tr:first-child a[href]');
    const own = [...links].find(link => {
        const path = new URL(link.href).pathname;
        return path.startsWith(changelist) && path.endsWith('/change/');
    });
    return own ? own.getAttribute('href') : null;
}"""


def assert_no_problems(visitor):
    assert not visitor.problems, "\n".join(["Problems on the pages:", *visitor.problems])


def test_every_link_of_the_front_door_answers_and_the_docs_show_their_operations(visitor):
    visitor.open("/", screenshot="front-door")
    links = visitor.page.eval_on_selector_all(
        "a[href^='/']", "links => links.map(link => link.getAttribute('href'))"
    )
    assert set(links) >= FRONT_DOOR_LINKS

    for link in dict.fromkeys(links):
        if link == SCHEMA:
            assert visitor.download(link).startswith("openapi: 3")
            continue
        response = visitor.open(link)
        assert response.status < 500, f"{link}: {response.status}"
        if link == "/api/v1/docs/":
            visitor.page.wait_for_selector(".opblock")
            assert visitor.page.locator(".opblock").count() > 50  # every operation
            visitor.screenshot(link)  # again, with the operations
    favicon = visitor.page.request.get(visitor.base_url + "/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"] == "image/x-icon"
    assert_no_problems(visitor)


def test_an_attendee_signs_in_to_the_browsable_api_and_sees_her_registrations(visitor):
    visitor.sign_in("/api-auth/login/?next=/api/v1/registrations/", "alice", DEMO_PASSWORD)

    assert visitor.page.url == visitor.base_url + "/api/v1/registrations/"
    visitor.screenshot("api-v1-registrations-alice")
    shown = visitor.page.inner_text(".response-info")
    titles = set(
        Registration.objects.filter(user__username="alice").values_list("event__title", flat=True)
    )
    assert any(title.startswith("Django Girls Workshop") for title in titles)
    assert [title for title in titles if title not in shown] == []
    assert "alice" in visitor.page.inner_text(".navbar")  # the user menu, with its "Log out"
    assert_no_problems(visitor)


def open_filters(visitor, path: str, who: str) -> str | None:
    """Opens a Browsable API list and its "Filters" dialog; the dialog's text (None when the
    list has no filters)."""
    visitor.page.goto(visitor.base_url + path)
    button = visitor.page.locator("button", has_text="Filters")
    if not button.count():
        visitor.screenshot(path)
        return None
    button.click()
    dialog = visitor.page.locator("#filtersModal")
    dialog.wait_for(state="visible")
    visitor.page.wait_for_function("() => !document.getAnimations().length")  # faded in
    visitor.screenshot(f"{path}-filters-{who}")
    return dialog.inner_text()


def test_every_filter_of_the_browsable_api_has_a_name(visitor):
    """django-filter labels a filter it cannot name "[invalid name]". The events' dialog as
    anyone sees it, then every list of the API root's as an admin."""
    unnamed = []

    def look_for_unnamed_filters(path, who):
        dialog = open_filters(visitor, path, who)
        lines = [line for line in (dialog or "").splitlines() if "[invalid name]" in line]
        if lines:
            unnamed.append(f"{path} ({who}): {lines}")
        return dialog

    dialog = look_for_unnamed_filters("/api/v1/events/", "anonymous")
    assert dialog is not None and "Category" in dialog

    visitor.sign_in("/api-auth/login/?next=/api/v1/", "admin", DEMO_PASSWORD)
    for prefix in dict.fromkeys(prefix for prefix, _, _ in api_router.registry):
        look_for_unnamed_filters(f"/api/v1/{prefix}/", "admin")
    assert not unnamed, "\n".join(["Filters named [invalid name]:", *unnamed])
    assert_no_problems(visitor)


@pytest.fixture(scope="module")
def a_row_in_every_admin_list(browser, site, django_db_blocker):
    """The demo leaves a few admin lists empty (no group, no failed admin login, no revoked
    token, no webhook delivery or gateway webhook yet): a row in each, so that their pages are
    measured and their change pages opened too. Written before the test's transaction, so the
    server sees them on PostgreSQL as well; and after the browser has started (`browser`),
    in the order the whole module has: when this test ran alone, they were written before
    Playwright started, and on SQLite the server's sign-in then found the in-memory database
    "locked" (a 500)."""
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth.models import Group
    from rest_framework_simplejwt.tokens import RefreshToken

    from notifications.models import DeliveryStatus, Webhook, WebhookDelivery
    from payments.models import Payment, WebhookEvent
    from users.models import User

    failed_login = {
        "username": "mallory",
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/150.0 Safari/537.36",
        "http_accept": "text/html,application/xhtml+xml",
        "path_info": "/admin/login/",
    }
    with django_db_blocker.unblock():
        Group.objects.get_or_create(name="Door staff")
        AccessAttempt.objects.create(
            **failed_login,
            get_data="next=/admin/",
            post_data="username=mallory",
            failures_since_start=1,
        )
        AccessFailureLog.objects.create(**failed_login)
        RefreshToken.for_user(User.objects.get(username="alice")).blacklist()
        WebhookDelivery.objects.create(
            webhook=Webhook.objects.first(),
            type="registration.confirmed",
            key="registration.confirmed:1",
            payload={"type": "registration.confirmed", "data": {"registration": 1}},
            status=DeliveryStatus.SUCCEEDED,
            attempts=1,
            response_status=200,
            response_excerpt='{"received": true}',
            duration_ms=84,
        )
        payment = Payment.objects.first()
        WebhookEvent.objects.create(
            provider=payment.provider,
            event_id="evt_3PdemoBrowserTest",
            event_type="payment_intent.succeeded",
            payload={"id": "evt_3PdemoBrowserTest", "type": "payment_intent.succeeded"},
            payment=payment,
            outcome="already applied",
        )


def admin_models():
    return sorted(
        admin.site._registry, key=lambda model: (model._meta.app_label, model._meta.model_name)
    )


def test_every_admin_list_and_change_page_opens_without_errors_and_fits_1366_pixels(
    a_row_in_every_admin_list, visitor
):
    """Every registered model's list, and the change page of its first row when it has one.
    Every page is opened before the test fails, and the failure lists them all."""
    visitor.sign_in("/admin/login/?next=/admin/", "admin", DEMO_PASSWORD)
    visitor.screenshot("admin-index")
    failures = []

    for model in admin_models():
        name = f"admin-{model._meta.app_label}-{model._meta.model_name}"
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = visitor.open(changelist, screenshot=f"{name}-list", full_page=True)
        if response.status >= 500:
            continue  # in the problems already
        widths = visitor.page.evaluate(WIDTHS)
        if widths["page"] > widths["viewport"] or (widths["table"] or 0) > widths["viewport"]:
            failures.append(
                f"{changelist}: wider than the {widths['viewport']} px window"
                f" (the page scrolls to {widths['page']} px, the list ends at {widths['table']} px)"
            )
        change = visitor.page.evaluate(FIRST_ROWS_CHANGE_PAGE, changelist)
        if change:
            visitor.open(change, screenshot=f"{name}-change")

    found = visitor.problems + failures
    assert not found, "\n".join(["Admin pages with problems:", *found])
