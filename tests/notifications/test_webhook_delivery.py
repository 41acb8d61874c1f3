"""Outbound webhook deliveries, from the facts the real services record to the POST a receiver
gets: signed as documented, once per fact and webhook, only to those who may hear of the event,
retried with backoff, never redirected, never sent to an internal address, and a webhook that
only fails is switched off, its owner told.

HTTP is intercepted with `responses` (strict: a request nobody registered is recorded and
fails). The connect-time guard, the headers as HTTP encodes them and the timeout need a real
socket: those tests run a server of their own on 127.0.0.1."""

import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.facts import Fact, FactType
from events import facts as event_facts
from events.models import EventStatus
from events.services import cancel_event, publish_event
from notifications import tasks
from notifications.models import Notification, Webhook, new_webhook_secret
from notifications.services import addresses, webhooks
from payments import services as payments
from registrations import facts as registration_facts
from registrations.services import booking, checkin
from tests.factories import (
    AdminFactory,
    EventFactory,
    OrganizerFactory,
    TicketTypeFactory,
    UserFactory,
    WebhookFactory,
)
from tests.helpers import url_id
from users.models import ActivityLog, Role

pytestmark = pytest.mark.django_db

RECEIVER = "https://8.8.8.8/hooks"  # a public address: the check passes without DNS
ELSEWHERE = "https://8.8.4.4/elsewhere"
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BACKOFF_MINUTES = (1, 4, 16, 64, 256)  # after failed attempts 1 to 5; the sixth is the last
SIGNATURE = "X-Webhook-Signature"
SWEEP_BATCH = 500  # how many due deliveries one retry sweep takes (`delivery.due_for_retry`)
SLOW_ANSWER = [
    b"HTTP/1.1 200 OK\r\n",
    *(f"X-Part: {n}\r\n".encode() for n in range(5)),
    b"Content-Length: 2\r\n\r\n",
    b"ok",
]


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does with `X-Webhook-Signature: t=<unix>,v1=<hex>`: recompute
    HMAC-SHA256(secret, "<t>.<body>"), compare in constant time, and refuse a signature made
    more than `tolerance` seconds ago (a replay)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp, received = int(fields["t"]), fields["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, received)


@pytest.fixture(autouse=True)
def production_settings(settings):
    """The defaults these tests count on, whatever the environment says."""
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    settings.WEBHOOKS_DELIVERY_ENABLED = True
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 72


@pytest.fixture
def receiver():
    """The receiving end, intercepted: every response registered must be asked for."""
    with responses.RequestsMock() as http:
        yield http


@pytest.fixture
def clock():
    """Time stands still at START until a test moves it."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs what the block leaves for after the commit (the fact
    handlers, the sending task), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def hook(**fields) -> Webhook:
    return WebhookFactory(url=RECEIVER, **fields)


def publish(organizer, after_commit):
    """A draft of `organizer`'s, published (the `event.published` fact handled)."""
    event = EventFactory(organizer=organizer, status=EventStatus.DRAFT)
    TicketTypeFactory(event=event, price=Decimal("0.00"))
    with after_commit():
        publish_event(event=event, actor=organizer)
    return event


def free_event(organizer):
    event = EventFactory(organizer=organizer)
    TicketTypeFactory(event=event, price=Decimal("0.00"))
    return event


def paid(organizer):
    """A registration paid 40.00 EUR through the mock gateway (its facts not handled)."""
    event = EventFactory(organizer=organizer, currency="EUR")
    TicketTypeFactory(event=event, price=Decimal("40.00"))
    registration = booking.register_for_event(user=UserFactory(), event=event)
    payment, _ = payments.start_payment(
        registration=registration, user=registration.user, provider="mock"
    )
    return payments.verify_payment(payment=payment, data={"outcome": "succeeded"})


def sent(http) -> list[dict]:
    """The bodies the receiver got, parsed."""
    return [json.loads(call.request.body) for call in http.calls]


def retry_after(clock, minutes: float) -> int:
    """Move time on by `minutes` and run the retry sweep, as beat does every minute."""
    clock.shift(timedelta(minutes=minutes))
    return tasks.retry_deliveries()


def fail_for_good(webhook, clock, after_commit) -> None:
    """A new delivery to `webhook` (whose receiver always fails) tried until it fails for
    good: its first attempt and one after each backoff."""
    publish(webhook.owner, after_commit)
    for minutes in BACKOFF_MINUTES:
        with after_commit():
            retry_after(clock, minutes)


def journal_facts(*kinds: FactType) -> list[Fact]:
    """The facts of these kinds the journal holds, rebuilt as handlers receive them."""
    names = {kind.action: kind.name for kind in kinds}
    return [
        Fact(
            id=row.pk,
            name=names[row.action],
            user_id=row.user_id,
            target_type=row.target_type,
            target_id=row.target_id,
            data=row.metadata,
            occurred_at=row.created_at,
        )
        for row in ActivityLog.objects.filter(action__in=names).order_by("id")
    ]


def cancelled_with(registrations: int, organizer) -> list[Fact]:
    """The facts of an event of `organizer`'s cancelled with that many registrations: one
    `registration.cancelled` each and its `event.cancelled` (not handled yet)."""
    event = free_event(organizer)
    for _ in range(registrations):
        booking.register_for_event(user=UserFactory(), event=event)
    cancel_event(event=event, actor=organizer)
    kinds = (registration_facts.REGISTRATION_CANCELLED, event_facts.EVENT_CANCELLED)
    return [fact for fact in journal_facts(*kinds) if fact.event_id == event.pk]


class TestSignedBody:
    def test_a_delivery_verifies_with_the_webhooks_secret(self, receiver, after_commit):
        webhook = hook()
        receiver.post(RECEIVER)

        publish(webhook.owner, after_commit)

        request = receiver.calls[0].request
        assert verify(webhook.secret, request.headers[SIGNATURE], request.body)

    def test_a_tampered_body_does_not_verify(self, receiver, after_commit):
        webhook = hook()
        receiver.post(RECEIVER)

        publish(webhook.owner, after_commit)

        request = receiver.calls[0].request
        tampered = request.body.replace(b'"published"', b'"cancelled"')
        assert tampered != request.body
        assert not verify(webhook.secret, request.headers[SIGNATURE], tampered)

    def test_another_secret_does_not_verify(self, receiver, after_commit):
        webhook = hook()
        receiver.post(RECEIVER)

        publish(webhook.owner, after_commit)

        request = receiver.calls[0].request
        assert not verify(new_webhook_secret(), request.headers[SIGNATURE], request.body)

    def test_the_signature_carries_the_attempts_time_so_a_replay_later_is_refused(
        self, receiver, clock, after_commit
    ):
        webhook = hook()
        receiver.post(RECEIVER)
        publish(webhook.owner, after_commit)
        request = receiver.calls[0].request
        header = request.headers[SIGNATURE]
        assert header.startswith(f"t={int(START.timestamp())},v1=")

        clock.shift(timedelta(minutes=5, seconds=1))

        assert not verify(webhook.secret, header, request.body)

    def test_the_body_is_the_envelope_and_its_id_is_the_deliverys(self, receiver, after_commit):
        webhook = hook()
        receiver.post(RECEIVER)

        event = publish(webhook.owner, after_commit)

        request = receiver.calls[0].request
        body = json.loads(request.body)
        delivery = webhook.deliveries.get()
        assert set(body) == {"id", "type", "created_at", "data"}
        assert body["id"] == request.headers["X-Webhook-Id"] == str(delivery.uuid)
        assert body["type"] == request.headers["X-Webhook-Event"] == "event.published"
        assert body["data"]["event"]["id"] == event.pk
        assert request.headers["Content-Type"] == "application/json"

    def test_a_retry_keeps_the_id_and_body_and_is_signed_afresh(
        self, receiver, clock, after_commit
    ):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        receiver.post(RECEIVER, status=200)
        publish(webhook.owner, after_commit)

        retry_after(clock, 1)

        first, retry = (call.request for call in receiver.calls)
        assert retry.body == first.body
        assert retry.headers["X-Webhook-Id"] == first.headers["X-Webhook-Id"]
        assert retry.headers[SIGNATURE] != first.headers[SIGNATURE]
        assert verify(webhook.secret, retry.headers[SIGNATURE], retry.body)


class TestEachEventType:
    """Each outbound type, produced by the real service, reaches a webhook subscribed to it."""

    def test_a_registration_is_delivered_as_registration_created(self, receiver, after_commit):
        webhook = hook(events=["registration.created"])
        event = free_event(webhook.owner)
        receiver.post(RECEIVER)

        with after_commit():
            registration = booking.register_for_event(user=UserFactory(), event=event)

        [body] = sent(receiver)
        assert body["type"] == "registration.created"
        assert body["data"]["registration"]["id"] == registration.pk
        assert body["data"]["registration"]["status"] == "confirmed"
        assert body["data"]["event"]["id"] == event.pk

    def test_a_cancellation_is_delivered_as_registration_cancelled(self, receiver, after_commit):
        webhook = hook(events=["registration.cancelled"])
        registration = booking.register_for_event(
            user=UserFactory(), event=free_event(webhook.owner)
        )
        receiver.post(RECEIVER)

        with after_commit():
            booking.cancel_registration(registration=registration, actor=registration.user)

        [body] = sent(receiver)
        assert body["type"] == "registration.cancelled"
        assert body["data"]["registration"]["id"] == registration.pk
        assert body["data"]["registration"]["status"] == "cancelled"
        assert body["data"]["cancellation"] == {
            "by_organizer": False,
            "with_event": False,
            "refund_due": "0.00",
        }

    def test_a_payment_is_delivered_as_payment_succeeded(self, receiver, after_commit):
        webhook = hook(events=["payment.succeeded"])
        event = EventFactory(organizer=webhook.owner, currency="EUR")
        TicketTypeFactory(event=event, price=Decimal("40.00"))
        registration = booking.register_for_event(user=UserFactory(), event=event)
        payment, _ = payments.start_payment(
            registration=registration, user=registration.user, provider="mock"
        )
        receiver.post(RECEIVER)

        with after_commit():
            payments.verify_payment(payment=payment, data={"outcome": "succeeded"})

        [body] = sent(receiver)
        assert body["type"] == "payment.succeeded"
        assert body["data"]["payment"]["id"] == payment.pk
        assert body["data"]["payment"]["status"] == "succeeded"
        assert (body["data"]["payment"]["amount"], body["data"]["payment"]["currency"]) == (
            "40.00",
            "EUR",
        )
        assert body["data"]["event"]["id"] == event.pk

    def test_a_refund_is_delivered_as_payment_refunded(self, receiver, after_commit):
        webhook = hook(events=["payment.refunded"])
        payment = paid(webhook.owner)
        receiver.post(RECEIVER)

        with after_commit():  # the mock gateway is asked after the commit, then it is delivered
            refund = payments.refund_payment(payment=payment, actor=webhook.owner)

        [body] = sent(receiver)
        assert body["type"] == "payment.refunded"
        assert body["data"]["refund"]["id"] == refund.pk
        assert (body["data"]["refund"]["amount"], body["data"]["refund"]["status"]) == (
            "40.00",
            "succeeded",
        )
        assert body["data"]["payment"]["id"] == payment.pk
        assert body["data"]["payment"]["refunded_amount"] == "40.00"

    def test_publishing_is_delivered_as_event_published(self, receiver, after_commit):
        webhook = hook(events=["event.published"])
        receiver.post(RECEIVER)

        event = publish(webhook.owner, after_commit)

        [body] = sent(receiver)
        assert body["type"] == "event.published"
        assert body["data"]["event"]["id"] == event.pk
        assert body["data"]["event"]["status"] == "published"

    def test_cancelling_an_event_is_delivered_as_event_cancelled(self, receiver, after_commit):
        webhook = hook(events=["event.cancelled"])
        event = free_event(webhook.owner)
        booking.register_for_event(user=UserFactory(), event=event)
        receiver.post(RECEIVER)

        with after_commit():
            cancel_event(event=event, actor=webhook.owner)

        [body] = sent(receiver)
        assert body["type"] == "event.cancelled"
        assert body["data"]["event"]["id"] == event.pk
        assert body["data"]["event"]["status"] == "cancelled"
        assert body["data"]["registrations_cancelled"] == 1

    def test_a_check_in_is_delivered_as_checkin_created(self, receiver, after_commit):
        webhook = hook(events=["checkin.created"])
        registration = booking.register_for_event(
            user=UserFactory(), event=free_event(webhook.owner)
        )
        ticket = registration.tickets.get()
        receiver.post(RECEIVER)

        with after_commit():
            checkin.check_in(code=ticket.code, actor=webhook.owner)

        [body] = sent(receiver)
        assert body["type"] == "checkin.created"
        assert body["data"]["ticket"]["code"] == ticket.code
        assert body["data"]["ticket"]["checked_in_at"] is not None
        assert body["data"]["session"] is None
        assert body["data"]["registration"]["id"] == registration.pk

    def test_only_the_types_a_webhook_subscribed_to_are_delivered(self, receiver, after_commit):
        webhook = hook(events=["event.cancelled"])
        event = free_event(webhook.owner)
        booking.register_for_event(user=UserFactory(), event=event)
        receiver.post(RECEIVER)

        with after_commit():  # cancels the registration with it: not subscribed
            cancel_event(event=event, actor=webhook.owner)

        assert [body["type"] for body in sent(receiver)] == ["event.cancelled"]
        assert list(webhook.deliveries.values_list("type", flat=True)) == ["event.cancelled"]


class TestWhoHears:
    def test_an_organizers_webhook_never_hears_of_another_organizers_events(
        self, receiver, after_commit
    ):
        webhook = hook()

        publish(OrganizerFactory(), after_commit)

        assert not receiver.calls
        assert not webhook.deliveries.exists()

    def test_an_admins_webhook_hears_of_every_organizers_events(self, receiver, after_commit):
        webhook = hook(owner=AdminFactory())
        receiver.post(RECEIVER)

        events = [publish(OrganizerFactory(), after_commit) for _ in range(2)]

        assert [body["data"]["event"]["id"] for body in sent(receiver)] == [e.pk for e in events]
        assert webhook.deliveries.count() == 2

    def test_an_inactive_webhook_hears_nothing(self, receiver, after_commit):
        webhook = hook(is_active=False)

        publish(webhook.owner, after_commit)

        assert not receiver.calls
        assert not webhook.deliveries.exists()

    def test_a_webhook_whose_owner_is_now_an_attendee_hears_nothing(self, receiver, after_commit):
        organizer = OrganizerFactory()
        webhook = hook(owner=organizer)
        event = EventFactory(organizer=organizer, status=EventStatus.DRAFT)
        TicketTypeFactory(event=event)
        organizer.role = Role.ATTENDEE
        organizer.save(update_fields=["role"])

        with after_commit():
            publish_event(event=event, actor=AdminFactory())

        assert not receiver.calls
        assert not webhook.deliveries.exists()


class TestHandlingFacts:
    def test_the_same_facts_handled_twice_make_one_delivery_each(self, receiver, after_commit):
        webhook = hook()
        event = free_event(webhook.owner)
        for _ in range(2):
            booking.register_for_event(user=UserFactory(), event=event)
        receiver.post(RECEIVER)
        with after_commit():  # two registration.cancelled and one event.cancelled, together
            cancel_event(event=event, actor=webhook.owner)
        handled = journal_facts(
            registration_facts.REGISTRATION_CANCELLED, event_facts.EVENT_CANCELLED
        )
        assert len(handled) == 3

        with after_commit():
            webhooks.queue_deliveries(handled)

        assert webhook.deliveries.count() == 3
        assert len(receiver.calls) == 3

    def test_queuing_takes_as_many_queries_for_20_facts_as_for_2(self):
        organizer = OrganizerFactory()
        webhook = hook(owner=organizer)
        few, many = cancelled_with(2, organizer), cancelled_with(20, organizer)

        with CaptureQueriesContext(connection) as for_few:
            webhooks.queue_deliveries(few)
        with CaptureQueriesContext(connection) as for_many:
            webhooks.queue_deliveries(many)

        assert len(for_many) == len(for_few)
        assert webhook.deliveries.count() == len(few) + len(many) == 3 + 21


class TestRetries:
    def test_a_failed_attempt_waits_a_minute_with_what_the_receiver_answered(
        self, receiver, clock, after_commit
    ):
        webhook = hook()
        receiver.post(RECEIVER, status=500, body="Down for maintenance")

        publish(webhook.owner, after_commit)

        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "pending",
            1,
            500,
        )
        assert delivery.response_excerpt == "Down for maintenance"
        assert delivery.error == "The receiver answered 500."
        assert delivery.next_retry_at == START + timedelta(minutes=1)

    def test_the_sweep_sends_nothing_before_the_retry_is_due(self, receiver, clock, after_commit):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        publish(webhook.owner, after_commit)

        assert retry_after(clock, 59 / 60) == 0

        assert len(receiver.calls) == 1
        assert webhook.deliveries.get().attempts == 1

    def test_once_due_the_retry_succeeds(self, receiver, clock, after_commit):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        receiver.post(RECEIVER, status=200, body="ok")
        publish(webhook.owner, after_commit)

        assert retry_after(clock, 1) == 1

        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "succeeded",
            2,
            200,
        )
        assert (delivery.error, delivery.next_retry_at) == ("", None)
        assert delivery.delivered_at == START + timedelta(minutes=1)

    def test_a_receiver_that_always_fails_gets_every_attempt_then_the_delivery_fails(
        self, receiver, clock, after_commit, settings
    ):
        webhook = hook()
        receiver.post(RECEIVER, status=503)
        publish(webhook.owner, after_commit)

        for minutes in BACKOFF_MINUTES:
            delivery = webhook.deliveries.get()
            assert delivery.status == "pending"
            assert delivery.next_retry_at == timezone.now() + timedelta(minutes=minutes)
            retry_after(clock, minutes)

        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.next_retry_at) == (
            "failed",
            settings.WEBHOOK_MAX_ATTEMPTS,
            None,
        )
        assert retry_after(clock, 24 * 60) == 0
        assert len(receiver.calls) == settings.WEBHOOK_MAX_ATTEMPTS

    @pytest.mark.parametrize(
        ("failure", "error"),
        [
            (requests.exceptions.ConnectTimeout("timed out"), "No answer within 5 s."),
            (
                requests.exceptions.ConnectionError("refused"),
                "Could not deliver: ConnectionError.",
            ),
        ],
        ids=["timeout", "connection-refused"],
    )
    def test_a_receiver_that_cannot_be_reached_is_a_failed_attempt_not_an_error(
        self, receiver, settings, failure, error
    ):
        settings.WEBHOOK_TIMEOUT_SECONDS = 5
        webhook = hook()
        receiver.post(RECEIVER, body=failure)
        delivery = webhooks.ping(webhook=webhook)  # its send is left for after the commit

        assert tasks.send_deliveries([delivery.pk]) == 0

        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "pending",
            1,
            None,
        )
        assert delivery.error == error

    def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(self, after_commit):
        webhook = hook()
        with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
            http.post(RECEIVER, status=302, headers={"Location": ELSEWHERE})
            http.get(ELSEWHERE)
            http.post(ELSEWHERE)

            publish(webhook.owner, after_commit)

            assert [call.request.url for call in http.calls] == [RECEIVER]
        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.response_status, delivery.error) == (
            "pending",
            302,
            "The receiver answered 302.",
        )


class TestTheSweep:
    def test_a_dead_receivers_backlog_does_not_hold_back_another_webhooks_retry(self, clock):
        dead, alive = hook(), WebhookFactory(url=ELSEWHERE)
        for _ in range(SWEEP_BATCH):  # their sends, left for after the commit, never ran
            webhooks.ping(webhook=dead)
        clock.shift(timedelta(seconds=1))
        waiting = webhooks.ping(webhook=alive)

        with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
            http.post(RECEIVER, status=500)
            http.post(ELSEWHERE)
            retry_after(clock, 2)

        waiting.refresh_from_db()
        assert waiting.status == "succeeded"


class TestInternalAddresses:
    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:9/",
            "http://2130706433/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
        ],
        ids=url_id,
    )
    def test_an_internal_address_at_delivery_time_is_refused_without_a_request(
        self, receiver, after_commit, url
    ):
        webhook = hook()
        Webhook.objects.filter(pk=webhook.pk).update(url=url)  # as if its name now resolved so

        publish(webhook.owner, after_commit)

        assert not receiver.calls
        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "pending",
            1,
            None,
        )
        assert "an internal address" in delivery.error


class RecordingHandler(BaseHTTPRequestHandler):
    """Keeps each POST's headers and body, answers 200."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers, body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1, on a free port, in a thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


class TestTheConnectTimeGuard:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_the_guarded_session_refuses_to_connect_to_a_loopback_server(self, local_server, host):
        with addresses.guarded_session() as session, pytest.raises(addresses.ForbiddenAddress):
            session.post(f"http://{host}:{local_server.server_port}/", data=b"{}")

        assert local_server.received == []

    def test_with_private_urls_allowed_a_real_delivery_reaches_the_server_and_verifies(
        self, local_server, settings, after_commit
    ):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        webhook = WebhookFactory(url=f"http://127.0.0.1:{local_server.server_port}/hooks")

        publish(webhook.owner, after_commit)

        [(headers, body)] = local_server.received
        assert verify(webhook.secret, headers[SIGNATURE], body)
        assert json.loads(body)["type"] == "event.published"
        assert webhook.deliveries.get().status == "succeeded"


@pytest.fixture
def slow_receiver():
    """A receiver on 127.0.0.1 that answers 200 one line at a time, 0.1 s apart: each read
    is quick, the whole answer takes 0.8 s. Socket timeouts run on the wall clock, which
    time-machine does not move, so this one test spends real time."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def answer():
        try:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                for line in SLOW_ANSWER:
                    connection.sendall(line)
                    time.sleep(0.1)
        except OSError:  # the sender gave up and hung up: what a fixed sender does
            pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    thread.join(timeout=5)
    listener.close()


class TestOverARealConnection:
    def test_a_site_name_outside_latin_1_still_delivers(self, local_server, settings, after_commit):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        settings.SITE_NAME = "活动中心"  # it names the sender in the User-Agent header
        webhook = WebhookFactory(url=f"http://127.0.0.1:{local_server.server_port}/hooks")

        publish(webhook.owner, after_commit)

        assert len(local_server.received) == 1
        assert webhook.deliveries.get().status == "succeeded"

    def test_an_answer_that_takes_longer_in_all_than_the_timeout_is_a_failed_attempt(
        self, slow_receiver, settings, after_commit
    ):
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = True
        settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
        webhook = WebhookFactory(url=slow_receiver)

        publish(webhook.owner, after_commit)

        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.delivered_at) == ("pending", None)
        assert delivery.error == "No answer within 0.5 s."


class TestSwitchingOffAFailingWebhook:
    def test_a_webhook_failing_for_72_hours_is_switched_off_and_its_owner_told(
        self, receiver, clock, after_commit
    ):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        fail_for_good(webhook, clock, after_commit)  # failing since START
        clock.move_to(START + timedelta(hours=67))

        fail_for_good(webhook, clock, after_commit)  # fails for good 72 h 41 min after START

        webhook.refresh_from_db()
        assert not webhook.is_active
        assert webhook.disabled_reason == "Every delivery failed for 72 hours."
        notice = Notification.objects.get(user=webhook.owner)
        assert notice.type == "webhook_disabled"
        assert notice.data == {"webhook": webhook.pk}

    def test_a_webhook_failing_for_less_than_72_hours_stays_on(self, receiver, clock, after_commit):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        fail_for_good(webhook, clock, after_commit)
        clock.move_to(START + timedelta(hours=66))

        fail_for_good(webhook, clock, after_commit)  # fails for good 71 h 41 min after START

        webhook.refresh_from_db()
        assert (webhook.is_active, webhook.failing_since) == (True, START)
        assert not Notification.objects.filter(user=webhook.owner).exists()

    def test_a_success_clears_failing_since(self, receiver, clock, after_commit):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        receiver.post(RECEIVER, status=204)
        publish(webhook.owner, after_commit)
        webhook.refresh_from_db()
        assert webhook.failing_since == START

        retry_after(clock, 1)

        webhook.refresh_from_db()
        assert webhook.failing_since is None

    def test_a_delivery_queued_before_its_webhook_was_switched_off_is_not_sent(
        self, receiver, clock, after_commit
    ):
        webhook = hook()
        receiver.post(RECEIVER, status=500)
        publish(webhook.owner, after_commit)  # the first attempt fails: a retry is due
        webhooks.update_webhook(webhook=webhook, actor=webhook.owner, is_active=False)

        retry_after(clock, 1)

        assert len(receiver.calls) == 1
        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.next_retry_at, delivery.error) == (
            "failed",
            None,
            "The webhook is switched off.",
        )

    def test_a_ping_still_goes_to_a_switched_off_webhook(self, receiver, after_commit):
        webhook = hook(is_active=False)
        receiver.post(RECEIVER)

        with after_commit():
            delivery = webhooks.ping(webhook=webhook)

        assert [body["type"] for body in sent(receiver)] == ["ping"]
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"


class TestDeliverySwitchedOff:
    def test_while_switched_off_deliveries_are_kept_pending_and_nothing_is_sent(
        self, receiver, settings, after_commit
    ):
        settings.WEBHOOKS_DELIVERY_ENABLED = False
        webhook = hook()

        publish(webhook.owner, after_commit)

        assert not receiver.calls
        delivery = webhook.deliveries.get()
        assert (delivery.status, delivery.attempts) == ("pending", 0)

    def test_switched_back_on_the_sweep_sends_what_waited_once_the_grace_is_over(
        self, receiver, settings, clock, after_commit
    ):
        settings.WEBHOOKS_DELIVERY_ENABLED = False
        webhook = hook()
        publish(webhook.owner, after_commit)
        settings.WEBHOOKS_DELIVERY_ENABLED = True
        receiver.post(RECEIVER)

        assert retry_after(clock, 1) == 0
        assert retry_after(clock, 1) == 1

        assert len(receiver.calls) == 1
        assert webhook.deliveries.get().status == "succeeded"
