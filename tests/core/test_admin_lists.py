"""Every list of the Django admin: it answers with rows, in a number of queries that does not
grow with them; lists are filtered by event (and person) through an autocomplete that renders
no link per object; the site is EventHub's. Each app's own admin tests cover its searches,
filters and changes."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from config.admin import AutocompleteFilter
from events.models import Tag
from notifications.models import WebhookDelivery
from payments.models import Invoice, Refund, WebhookEvent
from registrations.models import PromoCode, SessionAttendance, SessionProgress
from reviews.models import ReviewVote
from tests.factories import (
    ActivityLogFactory,
    CertificateFactory,
    EventFactory,
    NotificationFactory,
    PaymentFactory,
    RegistrationFactory,
    ReviewFactory,
    SessionFactory,
    TicketFactory,
    TicketTypeFactory,
    UserFactory,
    WaitlistEntryFactory,
    WebhookFactory,
)
from tests.helpers import admin_change_url

pytestmark = pytest.mark.django_db

numbers = itertools.count(1)


def changelist(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def an_event_with_people():
    event = EventFactory()
    RegistrationFactory(event=event)
    WaitlistEntryFactory(event=event)
    SessionFactory(event=event, speaker=UserFactory())
    return event


def a_tagged_event():
    tag = Tag.objects.create(name=f"tag {next(numbers)}")
    EventFactory().tags.add(tag)
    return tag


def a_session_attendance():
    ticket = TicketFactory()
    return SessionAttendance.objects.create(
        ticket=ticket, session=SessionFactory(event=ticket.event)
    )


def a_promo_code_in_use():
    registration = RegistrationFactory()
    code = PromoCode.objects.create(
        event=registration.event,
        code=f"EARLY{next(numbers)}",
        discount_type="percent",
        discount_value=Decimal("10.00"),
        max_uses=50,
    )
    code.ticket_types.add(registration.ticket_type)
    registration.promo_code = code
    registration.save(update_fields=["promo_code"])
    return code


def a_refund():
    return Refund.objects.create(
        payment=PaymentFactory(), amount=Decimal("5.00"), requested_by=UserFactory()
    )


def an_invoice():
    payment = PaymentFactory()
    return Invoice.objects.create(
        number=f"INV-2026-{next(numbers):05}",
        payment=payment,
        billed_to={"name": payment.user.full_name, "email": payment.user.email},
        lines=[],
        subtotal=payment.amount,
        tax=Decimal("0.00"),
        total=payment.amount,
        currency=payment.currency,
        issued_at=timezone.now(),
    )


def a_gateway_webhook():
    return WebhookEvent.objects.create(
        provider="stripe",
        event_id=f"evt_{next(numbers)}",
        event_type="payment_intent.succeeded",
        payload={},
        payment=PaymentFactory(),
    )


def a_review_with_a_vote():
    review = ReviewFactory()
    ReviewVote.objects.create(review=review, user=UserFactory(), helpful=True)
    return review


def a_sign_in_token():
    return RefreshToken.for_user(UserFactory())


def a_revoked_token():
    RefreshToken.for_user(UserFactory()).blacklist()


def an_admin_login_attempt(model):
    def make():
        fields = {
            "user_agent": "curl/8",
            "ip_address": "203.0.113.9",
            "username": f"guess{next(numbers)}",
        }
        if model is AccessAttempt:
            fields.update(get_data="", post_data="", failures_since_start=3)
        return model.objects.create(path_info="/admin/login/", http_accept="*/*", **fields)

    return make


# One row of each list, with what its columns show (events, people, payments...). A model
# registered in the admin without a row here fails `test_every_list_has_a_row_here`.
ROWS = {
    "users.user": UserFactory,
    "users.activitylog": ActivityLogFactory,
    "auth.group": lambda: Group.objects.create(name=f"group {next(numbers)}"),
    "token_blacklist.outstandingtoken": a_sign_in_token,
    "token_blacklist.blacklistedtoken": a_revoked_token,
    "axes.accessattempt": an_admin_login_attempt(AccessAttempt),
    "axes.accesslog": an_admin_login_attempt(AccessLog),
    "axes.accessfailurelog": an_admin_login_attempt(AccessFailureLog),
    "events.category": lambda: EventFactory().category,
    "events.tag": a_tagged_event,
    "events.event": an_event_with_people,
    "events.session": lambda: SessionFactory(speaker=UserFactory()),
    "events.tickettype": lambda: RegistrationFactory().ticket_type,
    "registrations.registration": RegistrationFactory,
    "registrations.ticket": TicketFactory,
    "registrations.waitlistentry": lambda: WaitlistEntryFactory(ticket_type=TicketTypeFactory()),
    "registrations.sessionprogress": lambda: SessionProgress.objects.create(
        user=UserFactory(), session=SessionFactory(), status="completed"
    ),
    "registrations.sessionattendance": a_session_attendance,
    "registrations.promocode": a_promo_code_in_use,
    "payments.payment": PaymentFactory,
    "payments.refund": a_refund,
    "payments.invoice": an_invoice,
    "payments.webhookevent": a_gateway_webhook,
    "notifications.notification": lambda: NotificationFactory(event=EventFactory()),
    "notifications.webhook": WebhookFactory,
    "notifications.webhookdelivery": lambda: WebhookDelivery.objects.create(
        webhook=WebhookFactory(), type="ping", payload={}, response_status=200, duration_ms=80
    ),
    "reviews.review": a_review_with_a_vote,
    "certificates.certificate": CertificateFactory,
}
MODELS = {model._meta.label_lower: model for model in admin.site._registry}


def test_every_list_has_a_row_here():
    assert set(ROWS) == set(MODELS)


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.mark.parametrize("label", sorted(ROWS))
class TestEveryList:
    def test_it_lists_its_rows_and_opens_their_pages(self, admin_site, label):
        model = MODELS[label]
        for _ in range(2):
            ROWS[label]()

        page = admin_site.get(changelist(model))

        assert page.status_code == 200, page.content[:500]
        rows = page.context["cl"].result_list
        assert len(rows) >= 2
        assert admin_site.get(admin_change_url(rows[0])).status_code == 200

    def test_its_queries_do_not_grow_with_its_rows(self, admin_site, label):
        url = changelist(MODELS[label])
        ROWS[label]()
        admin_site.get(url)  # the session and the content types are cached from here on
        with_one = queries_of(admin_site, url)
        for _ in range(4):
            ROWS[label]()

        assert queries_of(admin_site, url) == with_one
        assert with_one <= 10


def autocomplete_filters():
    """Each list filter picked by autocomplete: (the list's model, the filter's field path)."""
    return [
        (label, spec[0])
        for label, model in sorted(MODELS.items())
        for spec in admin.site._registry[model].list_filter
        if isinstance(spec, tuple) and issubclass(spec[1], AutocompleteFilter)
    ]


def field_at(model, path: str):
    for name in path.split("__")[:-1]:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(path.split("__")[-1])


class TestFilteringByEventAndPerson:
    @pytest.mark.parametrize(("label", "path"), autocomplete_filters())
    def test_each_box_offers_what_it_filters_by(self, admin_site, label, path):
        """The box asks the admin's own autocomplete, which answers only when the related
        admin can search: a list filter whose box could never offer anything fails here."""
        field = field_at(MODELS[label], path)
        found = (
            field.related_model._default_manager.first()
            or ROWS[field.related_model._meta.label_lower]()
        )
        response = admin_site.get(
            "/admin/autocomplete/",
            {
                "app_label": field.model._meta.app_label,
                "model_name": field.model._meta.model_name,
                "field_name": field.name,
                "term": "",
            },
        )
        assert response.status_code == 200
        assert str(found.pk) in {result["id"] for result in response.json()["results"]}
        page = admin_site.get(changelist(MODELS[label]))
        assert "admin/js/autocomplete.js" in page.content.decode()

    @pytest.mark.parametrize(
        ("label", "path", "row_of"),
        [
            ("registrations.registration", "event", lambda event: RegistrationFactory(event=event)),
            (
                "registrations.ticket",
                "event",
                lambda event: TicketFactory(registration__event=event),
            ),
            ("registrations.waitlistentry", "event", lambda e: WaitlistEntryFactory(event=e)),
            (
                "registrations.sessionprogress",
                "session__event",
                lambda event: SessionProgress.objects.create(
                    user=UserFactory(), session=SessionFactory(event=event)
                ),
            ),
            (
                "payments.payment",
                "registration__event",
                lambda event: PaymentFactory(registration__event=event),
            ),
            ("events.tickettype", "event", lambda event: TicketTypeFactory(event=event)),
            ("events.session", "event", lambda event: SessionFactory(event=event)),
            ("reviews.review", "event", lambda event: ReviewFactory(event=event)),
            ("certificates.certificate", "event", lambda e: CertificateFactory(event=e)),
        ],
    )
    def test_a_list_filtered_by_an_event_shows_only_its_rows(self, admin_site, label, path, row_of):
        wanted, other = EventFactory(title="Quokka Summit"), EventFactory(title="Acme Fair")
        mine, theirs = row_of(wanted), row_of(other)

        page = admin_site.get(changelist(MODELS[label]), {f"{path}__id__exact": wanted.pk})

        listed = list(page.context["cl"].result_list)
        assert mine in listed and theirs not in listed
        html = page.content.decode()
        assert f'<option value="{wanted.pk}" selected>Quokka Summit</option>' in html

    def test_a_list_filtered_by_a_person_shows_only_theirs(self, admin_site):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        hers, his = RegistrationFactory(user=alice), RegistrationFactory(user=bob)

        page = admin_site.get(
            changelist(MODELS["registrations.registration"]), {"user__id__exact": alice.pk}
        )

        assert list(page.context["cl"].result_list) == [hers]
        assert his not in page.context["cl"].result_list

    def test_the_filter_renders_no_link_per_event(self, admin_site):
        for _ in range(30):
            RegistrationFactory()

        page = admin_site.get(changelist(MODELS["registrations.registration"]))

        html = page.content.decode()
        assert html.count("event__id__exact=") == 0
        assert 'id="filter-event__id__exact"' in html

    def test_an_id_that_is_no_number_is_refused_not_a_server_error(self, admin_site):
        url = changelist(MODELS["registrations.registration"])
        response = admin_site.get(url, {"event__id__exact": "quokka"})
        assert response.status_code == 302
        assert response["Location"].endswith("?e=1")


class TestTheEventsList:
    URL = "/admin/events/event/"

    def row(self, page, event) -> str:
        html = page.content.decode()
        start = html.index(admin_change_url(event))
        return html[start : html.index("</tr>", start)]

    def test_it_shows_seats_registrations_and_the_waitlist_of_each_event(self, admin_site):
        event = EventFactory(capacity=40)
        ticket_type = TicketTypeFactory(event=event)
        RegistrationFactory(event=event, ticket_type=ticket_type, quantity=3)
        RegistrationFactory(event=event, ticket_type=ticket_type, quantity=2)
        RegistrationFactory(event=event, ticket_type=ticket_type, status="cancelled")
        WaitlistEntryFactory(event=event)

        row = self.row(admin_site.get(self.URL), event)

        assert '<td class="field-seats">' in row and "5 / 40" in row
        registrations = f"/admin/registrations/registration/?event__id__exact={event.pk}"
        assert f'<a href="{registrations}">2</a>' in row
        waiting = f"/admin/registrations/waitlistentry/?event__id__exact={event.pk}"
        assert f'<a href="{waiting}&amp;status__exact=waiting">1</a>' in row

    def test_it_orders_by_the_seats_taken(self, admin_site):
        full, empty = EventFactory(capacity=1), EventFactory(capacity=1)
        RegistrationFactory(event=full)
        cl = admin_site.get(self.URL).context["cl"]
        order = [getattr(column, "__name__", column) for column in cl.list_display].index("seats")
        page = admin_site.get(self.URL, {"o": f"-{order}"})
        assert list(page.context["cl"].result_list)[:2] == [full, empty]

    def test_it_shows_the_status_by_its_label_completed_once_ended(self, admin_site):
        past = EventFactory(starts_at=timezone.now() - timedelta(days=3))
        draft = EventFactory(status="draft")
        page = admin_site.get(self.URL)
        assert ">Completed</span>" in self.row(page, past)
        assert ">Draft</span>" in self.row(page, draft)

    def test_its_level_filter_has_one_all(self, admin_site):
        EventFactory()
        page = admin_site.get(self.URL)
        level = next(s for s in page.context["cl"].filter_specs if s.title == "level")
        displays = [str(c["display"]) for c in level.choices(page.context["cl"])]
        assert displays == ["All", "Beginner", "Intermediate", "Advanced", "All levels"]
        beginners = EventFactory(level="beginner")
        filtered = admin_site.get(self.URL, {"level": "beginner"})
        assert list(filtered.context["cl"].result_list) == [beginners]

    def test_its_change_page_stacks_ticket_types_and_sessions(self, admin_site):
        event = an_event_with_people()
        page = admin_site.get(admin_change_url(event))
        assert page.status_code == 200
        templates = [inline.opts.template for inline in page.context["inline_admin_formsets"]]
        assert templates == ["admin/edit_inline/stacked.html"] * 2


class TestColumns:
    def headers(self, page) -> list[str]:
        headers = (str(header["text"]) for header in result_headers(page.context["cl"]))
        return [text for text in headers if "action-toggle" not in text]

    def test_the_registrations_list_names_the_ticket_without_the_event(self, admin_site):
        registration = RegistrationFactory(
            event__title="Quokka Summit", ticket_type__name="Early bird", total_price="49.00"
        )
        page = admin_site.get("/admin/registrations/registration/")

        assert self.headers(page) == [
            "ID",
            "event",
            "user",
            "ticket",
            "quantity",
            "status",
            "total",
            "created at",
        ]
        html = page.content.decode()
        assert '<td class="field-ticket">Early bird</td>' in html
        assert html.count("Quokka Summit") == 1
        assert f"49.00 {registration.currency}" in html
        assert ">Confirmed</span>" in html

    @pytest.mark.parametrize(
        ("label", "headers"),
        [
            (
                "events.event",
                [
                    "title",
                    "organizer",
                    "category",
                    "status",
                    "visibility",
                    "starts at",
                    "seats taken",
                    "registrations",
                    "waitlist",
                ],
            ),
            ("events.tickettype", ["name", "event", "price", "sold", "sales"]),
            (
                "payments.payment",
                [
                    "transaction id",
                    "user",
                    "event",
                    "amount",
                    "refunded",
                    "status",
                    "provider",
                    "created at",
                ],
            ),
            (
                "users.user",
                [
                    "username",
                    "email address",
                    "name",
                    "role",
                    "active",
                    "email verified",
                    "date joined",
                ],
            ),
        ],
    )
    def test_each_list_shows_its_columns(self, admin_site, label, headers):
        ROWS[label]()
        assert self.headers(admin_site.get(changelist(MODELS[label]))) == headers

    def test_a_ticket_type_says_why_it_does_not_sell(self, admin_site):
        TicketTypeFactory(name="Off", is_active=False)
        TicketTypeFactory(name="Later", sales_start=timezone.now() + timedelta(days=2))
        TicketTypeFactory(name="Over", sales_end=timezone.now() - timedelta(days=2))
        html = admin_site.get("/admin/events/tickettype/").content.decode()
        assert ">Switched off</span>" in html
        assert ">From " in html
        assert ">Closed</span>" in html


def test_the_site_is_eventhubs_and_views_the_front_door(admin_site):
    page = admin_site.get("/admin/")
    html = page.content.decode()
    assert "<title>EventHub administration | EventHub administration</title>" in html
    assert '<a href="/admin/">EventHub administration</a>' in html
    assert "Django" not in html
    assert '<a href="/">View site</a>' in html
    assert not page.context["is_nav_sidebar_enabled"]
