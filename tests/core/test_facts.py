"""The seam between a change and its side effects (`config.facts`), and the parts apps
contribute to what a lower app assembles (`config.contributions`)."""

import pytest
from django.db import transaction

from config import facts
from config.facts import Fact, Origin, deliver_fact, fact_type, record, subscribe
from events.selectors import listing_parts
from registrations.dashboard import dashboard_parts
from registrations.services import booking
from registrations.statistics import statistics_parts
from tests.conftest import authenticated_client
from tests.factories import EventFactory, RegistrationFactory, TicketTypeFactory, UserFactory
from users.models import ActivityLog

pytestmark = pytest.mark.django_db

PROBE = fact_type("probe.happened", action="probe_happened")
received: list[Fact] = []


def remember(fact: Fact) -> None:
    received.append(fact)


def fail(fact: Fact) -> None:
    raise RuntimeError("a handler broke")


batches: list[list[Fact]] = []


def remember_together(batch: list[Fact]) -> None:
    batches.append(batch)


@pytest.fixture
def handlers():
    """Subscribe test handlers for the probe fact, and take them away afterwards."""
    received.clear()
    batches.clear()
    before = list(facts._handlers[PROBE.name])
    yield lambda handler, background=False, many=False: subscribe(
        PROBE, background=background, many=many
    )(handler)
    facts._handlers[PROBE.name] = before
    received.clear()
    batches.clear()


class TestRecording:
    def test_a_fact_is_one_journal_entry_with_who_and_where(self, user):
        fact = record(
            PROBE,
            user=user,
            origin=Origin(ip="203.0.113.9", user_agent="probe/1"),
            target=user,
            data={"n": 1},
        )
        entry = ActivityLog.objects.get(pk=fact.id)
        assert (entry.action, entry.user, entry.username) == ("probe_happened", user, user.username)
        assert (entry.ip_address, entry.user_agent) == ("203.0.113.9", "probe/1")
        assert (entry.target_type, entry.target_id, entry.metadata) == (
            "user",
            str(user.pk),
            {"n": 1},
        )
        assert (fact.name, fact.user_id, fact.data) == ("probe.happened", user.pk, {"n": 1})

    def test_facts_recorded_together_are_one_entry_each_with_its_own_id(self, user):
        recorded = facts.record_many(facts.Entry(PROBE, user=user, data={"n": n}) for n in range(3))
        entries = ActivityLog.objects.filter(action="probe_happened").order_by("id")
        assert [fact.id for fact in recorded] == [entry.pk for entry in entries]
        assert [entry.metadata["n"] for entry in entries] == [0, 1, 2]

    def test_without_an_origin_the_entry_has_no_address(self, user):
        entry = ActivityLog.objects.get(pk=record(PROBE, user=user).id)
        assert entry.ip_address is None and entry.user_agent == ""

    def test_a_name_declared_twice_differently_is_refused(self):
        assert fact_type("probe.happened", action="probe_happened") == PROBE
        with pytest.raises(ValueError):
            fact_type("probe.happened", action="something_else")


class TestHandlers:
    def test_handlers_run_only_after_the_commit(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            fact = record(PROBE, user=user)
            assert received == []
        assert len(callbacks) == 1
        assert received == [fact]

    def test_a_rolled_back_change_reaches_no_handler_and_leaves_no_entry(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember)
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            record(PROBE, user=user)
            raise RuntimeError("the service refused after recording")
        assert callbacks == [] and received == []
        assert not ActivityLog.objects.filter(action="probe_happened").exists()

    def test_background_handlers_get_the_fact_through_the_task(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember, background=True)
        with django_capture_on_commit_callbacks(execute=True):
            fact = record(PROBE, user=user, data={"event": 7})
        assert received == [fact]
        assert received[0].event_id == 7

    def test_a_failing_handler_neither_fails_the_change_nor_stops_the_others(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(fail)
        handlers(remember)
        with django_capture_on_commit_callbacks(execute=True):
            fact = record(PROBE, user=user)
        assert received == [fact]
        assert ActivityLog.objects.filter(pk=fact.id).exists()

    def test_subscribing_the_same_handler_twice_delivers_once(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember)
        handlers(remember)
        with django_capture_on_commit_callbacks(execute=True):
            fact = record(PROBE, user=user)
        assert received == [fact]

    def test_a_background_handler_the_broker_cannot_take_runs_in_process(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        """A broker that is down loses no fact: the handler runs where the change committed."""
        from config.celery import app

        handlers(remember, background=True)
        keys = ("task_always_eager", "broker_url", "task_publish_retry", "broker_transport_options")
        saved = {key: app.conf[key] for key in keys}
        saved_pools = app._pool, app.amqp._producer_pool
        app.conf.update(
            task_always_eager=False,
            broker_url="redis://127.0.0.1:9/0",  # the discard port: nothing listens
            task_publish_retry=False,
            broker_transport_options={"max_retries": 0},
        )
        # Connections are made from the settings above, not taken from the pools made before.
        app._pool = app.amqp._producer_pool = None
        try:
            with django_capture_on_commit_callbacks(execute=True):
                fact = record(PROBE, user=user)
        finally:
            app.conf.update(**saved)
            app._pool, app.amqp._producer_pool = saved_pools
        assert received == [fact]

    def test_a_handler_of_many_gets_the_facts_recorded_together_in_one_call(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember_together, many=True)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            together = facts.record_many(facts.Entry(PROBE, user=user) for _ in range(3))
            alone = record(PROBE, user=user)
        assert len(callbacks) == 2
        assert batches == [together, [alone]]

    def test_a_background_handler_of_many_gets_them_through_the_task(
        self, handlers, user, django_capture_on_commit_callbacks
    ):
        handlers(remember_together, background=True, many=True)
        with django_capture_on_commit_callbacks(execute=True):
            together = facts.record_many(
                facts.Entry(PROBE, user=user, data={"n": n}) for n in range(2)
            )
        assert batches == [together]

    def test_the_task_of_many_rebuilds_the_same_facts(self, handlers, user):
        recorded = facts.record_many(facts.Entry(PROBE, user=user) for _ in range(2))
        facts.deliver_facts(
            f"{remember_together.__module__}.remember_together",
            [facts._as_payload(fact) for fact in recorded],
        )
        assert batches == [recorded]

    def test_the_task_rebuilds_the_same_fact(self, handlers, user):
        handlers(remember, background=True)
        fact = record(PROBE, user=user, data={"event": 3})
        deliver_fact(f"{remember.__module__}.remember", facts._as_payload(fact))
        assert received == [fact]


class TestFactsOfTheServices:
    def test_cancelling_an_event_records_one_cancellation_per_registration(self, organizer):
        event = EventFactory(organizer=organizer, capacity=5)
        TicketTypeFactory(event=event, price="10.00")
        paid = [
            RegistrationFactory(event=event, ticket_type=event.ticket_types.get(), quantity=1)
            for _ in range(3)
        ]
        response = authenticated_client(organizer).post(f"/api/v1/events/{event.pk}/cancel/")
        assert response.status_code == 200
        cancellations = ActivityLog.objects.filter(action="registration_cancelled")
        assert sorted(int(entry.target_id) for entry in cancellations) == sorted(
            registration.pk for registration in paid
        )
        for entry in cancellations:
            assert entry.user == organizer
            assert entry.metadata["by_manager"] is True
            assert entry.metadata["refund_due"] == "10.00"
            assert entry.metadata["event"] == event.pk

    def test_a_free_booking_records_created_and_confirmed(self, user):
        event = EventFactory(capacity=5)
        TicketTypeFactory(event=event, price="0.00")
        registration = booking.register_for_event(user=user, event=event)
        actions = list(
            ActivityLog.objects.filter(target_id=str(registration.pk))
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["registration_created", "registration_confirmed"]

    def test_every_declared_action_can_be_filtered_on(self, admin_client, user):
        for action in ("login", "check_in", "registration_created", "event_cancelled"):
            response = admin_client.get(f"/api/v1/activity-logs/?action={action}")
            assert response.status_code == 200, action
        assert admin_client.get("/api/v1/activity-logs/?action=nonsense").status_code == 400


class TestContributions:
    """A higher app's part shows up where the lower app assembles, with no import of it."""

    @pytest.fixture
    def event(self, organizer):
        event = EventFactory(organizer=organizer, capacity=4)
        TicketTypeFactory(event=event, price="0.00")
        return event

    def test_a_statistics_part_adds_and_overrides_figures(self, event, organizer):
        def ratings(event):
            return {"reviews_count": 2, "average_rating": 4.5}

        statistics_parts.register(ratings)
        try:
            body = authenticated_client(organizer).get(f"/api/v1/events/{event.pk}/statistics/")
        finally:
            statistics_parts._parts.remove(ratings)
        assert (body.json()["reviews_count"], body.json()["average_rating"]) == (2, 4.5)

    def test_without_a_part_a_figure_shows_its_default(self, event, organizer):
        body = authenticated_client(organizer).get(f"/api/v1/events/{event.pk}/statistics/").json()
        assert (body["reviews_count"], body["average_rating"], body["refunded_amount"]) == (
            0,
            None,
            "0.00",
        )

    def test_a_listing_part_annotates_every_listed_event(self, event, api_client):
        from django.db.models import Value

        def rated(events, viewer, now):
            return events.annotate(reviews_count=Value(7))

        listing_parts.register(rated)
        try:
            body = api_client.get(f"/api/v1/events/{event.pk}/").json()
        finally:
            listing_parts._parts.remove(rated)
        assert body["reviews_count"] == 7

    def test_a_dashboard_part_merges_into_its_section(self, user):
        def unread(user):
            return {"counts": {"unread_notifications": 3}}

        dashboard_parts["attendee"].register(unread)
        try:
            body = authenticated_client(user).get("/api/v1/dashboard/").json()
        finally:
            dashboard_parts["attendee"]._parts.remove(unread)
        assert body["counts"]["unread_notifications"] == 3
        assert body["counts"]["registrations"] == 0  # the registrations part is still there


def test_services_run_without_any_request(db):
    """Tasks and webhooks have no request: services take plain values."""
    event = EventFactory(capacity=2)
    TicketTypeFactory(event=event, price="0.00")
    registration = booking.register_for_event(user=UserFactory(), event=event)
    booking.cancel_registration(registration=registration, actor=event.organizer)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
