"""The Django admin screens and the demo data command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import ActivityLogFactory, CategoryFactory, RegistrationFactory, UserFactory
from tests.helpers import admin_filter_link, assert_admin_lists
from users.models import ActivityLog, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/user/?q=alice&role__exact=organizer&is_active__exact=1",
        "/admin/users/activitylog/?q=127.0.0.1&action__exact=login",
        "/admin/events/category/?q=work",
    ],
)
def test_changelists_search_and_filter(admin_site, url):
    UserFactory(username="alice")
    ActivityLogFactory()
    CategoryFactory(name="Workshop", slug="workshop")
    assert admin_site.get(url).status_code == 200


USER_ADMIN = "/admin/users/user/"
LOG_ADMIN = "/admin/users/activitylog/"

# Two accounts with nothing in common with the search term "quokka".
ZED = {
    "username": "zed",
    "email": "zed@example.com",
    "first_name": "Zed",
    "last_name": "Zulu",
    "organization": "Zeta Labs",
}
BOB = {
    "username": "bob",
    "email": "bob@example.com",
    "first_name": "Bob",
    "last_name": "Brown",
    "organization": "Acme",
}


@pytest.mark.parametrize(
    "field, value",
    [
        ("username", "quokka"),
        ("email", "quokka@wonder.example"),
        ("first_name", "Quokka"),
        ("last_name", "Quokkason"),
        ("organization", "Quokka Research"),
    ],
)
def test_the_user_changelist_searches_each_search_field(admin_site, field, value):
    match = UserFactory(**{**ZED, field: value})
    other = UserFactory(**BOB)
    page = admin_site.get(USER_ADMIN, {"q": "quokka"})
    assert_admin_lists(page, shown=[match], hidden=[other])


@pytest.mark.parametrize(
    "title, choice, matching, other",
    [
        ("role", "Organizer", {"role": "organizer"}, {"role": "attendee"}),
        ("active", "No", {"is_active": False}, {"is_active": True}),
        ("email verified", "Yes", {"email_verified": True}, {"email_verified": False}),
        (
            "newsletter subscribed",
            "Yes",
            {"newsletter_subscribed": True},
            {"newsletter_subscribed": False},
        ),
        (
            "date joined",
            "Past 7 days",
            {"date_joined": timezone.now() - timedelta(days=1)},
            {"date_joined": timezone.now() - timedelta(days=60)},
        ),
    ],
)
def test_each_user_filter_narrows_the_list(admin_site, title, choice, matching, other):
    match = UserFactory(**{**ZED, **matching})
    unmatched = UserFactory(**{**BOB, **other})
    page = admin_site.get(USER_ADMIN)
    assert_admin_lists(page, shown=[match, unmatched])

    filtered = admin_site.get(USER_ADMIN + admin_filter_link(page, title, choice))

    assert_admin_lists(filtered, shown=[match], hidden=[unmatched])


@pytest.mark.parametrize(
    "field, value, query",
    [
        ("username", "quokka", "quokka"),
        ("ip_address", "10.9.8.7", "10.9.8.7"),
        ("target_id", "4242", "4242"),
        ("user_agent", "QuokkaBrowser/1.0", "quokkabrowser"),
    ],
)
def test_the_activity_log_changelist_searches_each_search_field(admin_site, field, value, query):
    base = {"user": None, "username": "zed", "ip_address": "192.168.0.1", "target_id": "77"}
    match = ActivityLogFactory(**{**base, "user_agent": "curl/8", field: value})
    other = ActivityLogFactory(
        user=None, username="bob", ip_address="127.0.0.1", target_id="1", user_agent="Mozilla"
    )
    page = admin_site.get(LOG_ADMIN, {"q": query})
    assert_admin_lists(page, shown=[match], hidden=[other])


def test_the_activity_log_filters_by_action(admin_site):
    logout = ActivityLogFactory(action="logout")
    login = ActivityLogFactory(action="login")
    page = admin_site.get(LOG_ADMIN)
    assert_admin_lists(page, shown=[logout, login])

    filtered = admin_site.get(LOG_ADMIN + admin_filter_link(page, "action", "logout"))

    assert_admin_lists(filtered, shown=[logout], hidden=[login])


def test_the_activity_log_filters_by_date(admin_site):
    recent = ActivityLogFactory()
    old = ActivityLogFactory()
    ActivityLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    page = admin_site.get(LOG_ADMIN)
    assert_admin_lists(page, shown=[recent, old])

    filtered = admin_site.get(LOG_ADMIN + admin_filter_link(page, "created at", "Past 7 days"))

    assert_admin_lists(filtered, shown=[recent], hidden=[old])


def test_user_change_page_renders(admin_site):
    other = UserFactory()
    assert admin_site.get(f"/admin/users/user/{other.pk}/change/").status_code == 200


def test_changing_role_in_the_admin_moves_staff_access_and_is_logged(admin_site, admin_user):
    other = UserFactory()
    page = admin_site.get(f"/admin/users/user/{other.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(role="admin", date_joined_0="2026-01-01", date_joined_1="10:00:00")
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("avatar", None)

    response = admin_site.post(f"/admin/users/user/{other.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    other.refresh_from_db()
    assert other.role == "admin" and other.is_staff
    assert ActivityLog.objects.filter(action="role_changed", user=admin_user).exists()


def test_activity_log_admin_is_read_only(admin_site):
    entry = ActivityLogFactory()
    assert admin_site.get("/admin/users/activitylog/add/").status_code == 403
    assert admin_site.get(f"/admin/users/activitylog/{entry.pk}/delete/").status_code == 403


def test_non_staff_cannot_open_the_admin(client, user):
    client.force_login(user)
    assert client.get("/admin/").status_code == 302


def test_seed_demo_is_idempotent_and_prints_passwords_once(
    capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # refunds go after their commit
        call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    assert "EventHub-demo-2026" in first
    assert "EventHub-demo-2026" not in second
    assert User.objects.count() == 8
    assert User.objects.get(username="admin").is_staff
    assert User.objects.filter(role="organizer").count() == 2
    from events.models import Category

    assert set(Category.objects.values_list("slug", flat=True)) == {
        "workshop",
        "webinar",
        "conference",
        "masterclass",
        "meetup",
        "training",
    }
    from events.models import Event
    from registrations.models import Registration, Ticket, WaitlistEntry

    sold_out = Event.objects.get(slug="django-girls-workshop")
    assert sold_out.registrations.filter(status="confirmed").count() == sold_out.capacity
    assert WaitlistEntry.objects.filter(event=sold_out, status="waiting").count() == 2
    assert Event.objects.filter(status="published").count() == 10
    # 11 booked free or written as last month's, 3 paid through the mock gateway, and bob's
    # speaker seat with the free SPEAKER-COMP code.
    assert Registration.objects.filter(status="confirmed").count() == 15
    from registrations.models import PromoCode

    assert set(PromoCode.objects.values_list("code", flat=True)) == {
        "EARLYBIRD",
        "SPEAKER-COMP",
        "SPONSOR-2027",
    }
    sponsor = PromoCode.objects.get(code="SPONSOR-2027")
    assert sponsor.unlocks_hidden
    assert [t.name for t in sponsor.ticket_types.all()] == ["Sponsor"]
    assert sponsor.ticket_types.get().is_hidden
    comp = Registration.objects.get(promo_code__code="SPEAKER-COMP")
    assert (comp.user.username, comp.status, comp.total_price) == ("bob", "confirmed", 0)
    assert Ticket.objects.filter(checked_in_at__isnull=False).count() == 2
    from payments.models import Invoice, Payment

    assert sorted(Payment.objects.values_list("status", flat=True)) == [
        "partially_refunded",
        "pending",
        "refunded",
        "succeeded",
        "succeeded",
    ]
    assert Invoice.objects.count() == 4


def change_form_data(admin_site, other, **changes) -> dict:
    page = admin_site.get(f"/admin/users/user/{other.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    for name in ("last_login", "date_joined", "avatar"):
        data.pop(name, None)
    return {**data, **changes}


class TestTheUserAdminGoesThroughTheServices:
    """What the admin changes on an account is what the API would have done: logged, names
    refreshed, sessions ended, deletion scrubbing rather than removing."""

    def test_a_profile_edit_is_logged_with_the_admin_as_its_author(self, admin_site, admin_user):
        other = UserFactory(first_name="Ann")
        data = change_form_data(admin_site, other, first_name="Anna", bio="Speaker.")

        response = admin_site.post(f"/admin/users/user/{other.pk}/change/", data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        entry = ActivityLog.objects.get(action="profile_updated", target_id=str(other.pk))
        assert entry.user == admin_user
        assert entry.metadata["changed"] == ["bio", "first_name"]

    def test_saving_without_changes_logs_no_profile_edit(self, admin_site):
        other = UserFactory()
        response = admin_site.post(
            f"/admin/users/user/{other.pk}/change/", change_form_data(admin_site, other)
        )
        assert response.status_code == 302
        assert not ActivityLog.objects.filter(action="profile_updated").exists()

    def test_setting_a_password_ends_every_session_of_the_account(self, admin_site, api_client):
        other = UserFactory(password="Old-Passphrase-71")
        signed_in = api_client.post(
            "/api/v1/auth/jwt/create/",
            {"username": other.username, "password": "Old-Passphrase-71"},
            format="json",
        ).json()

        response = admin_site.post(
            f"/admin/users/user/{other.pk}/password/",
            {
                "password1": "New-Passphrase-82",
                "password2": "New-Passphrase-82",
                "usable_password": "true",
            },
        )

        assert response.status_code == 302
        other.refresh_from_db()
        assert other.check_password("New-Passphrase-82")
        refreshed = api_client.post(
            "/api/v1/auth/jwt/refresh/", {"refresh": signed_in["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401
        assert ActivityLog.objects.filter(
            action="password_changed", target_id=str(other.pk)
        ).exists()

    def test_switching_password_sign_in_off_ends_sessions_too(self, admin_site):
        other = UserFactory()
        response = admin_site.post(
            f"/admin/users/user/{other.pk}/password/",
            {"usable_password": "false", "unset-password": "Disable password-based authentication"},
        )
        assert response.status_code == 302
        other.refresh_from_db()
        assert not other.has_usable_password()
        assert ActivityLog.objects.filter(action="password_changed").exists()

    def test_accounts_are_deleted_by_scrubbing_never_removed(self, admin_site, admin_user):
        attendee = RegistrationFactory().user
        loner = UserFactory()

        assert admin_site.get(f"/admin/users/user/{loner.pk}/delete/").status_code == 403
        response = admin_site.post(
            USER_ADMIN,
            {
                "action": "delete_accounts",
                "_selected_action": [attendee.pk, loner.pk, admin_user.pk],
            },
        )

        assert response.status_code == 302
        for account in (attendee, loner):
            account.refresh_from_db()
            assert account.username == f"deleted@{account.pk}"
            assert not account.is_active and account.email == ""
        admin_user.refresh_from_db()
        assert admin_user.is_active
        assert ActivityLog.objects.filter(action="account_deleted").count() == 2
