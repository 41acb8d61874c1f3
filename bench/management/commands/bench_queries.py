"""Queries per request for each benchmarked endpoint, counted in process through the same
middleware and views; and the hot event's seats after the booking run (no oversell), and the
payments after the payment runs (each success applied once)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.models import Event
from payments.models import Invoice, Payment
from registrations.models import Registration, RegistrationStatus, Ticket
from registrations.selectors import seats_taken
from users.models import ActivityLog


def payments_applied() -> dict:
    """After the payment runs: each success applied once (one log entry, one invoice, one
    confirmed registration with one ticket per succeeded payment)."""
    paid = Payment.objects.filter(status="succeeded")
    counts = {
        "succeeded": paid.count(),
        "succeeded_entries": ActivityLog.objects.filter(action="payment_succeeded").count(),
        "invoices": Invoice.objects.count(),
        "confirmed": Registration.objects.filter(
            payments__in=paid, status=RegistrationStatus.CONFIRMED
        ).count(),
        "tickets": Ticket.objects.filter(registration__payments__in=paid).count(),
    }
    counts["applied_once"] = len(set(counts.values())) == 1
    return counts


class Command(BaseCommand):
    help = "Count the SQL queries of each benchmarked request (see bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", required=True)
        parser.add_argument(
            "--seats-only",
            action="store_true",
            help="Only report the hot event's seats (after the booking run).",
        )

    def handle(self, *args, fixtures, seats_only, **options):
        data = json.loads(Path(fixtures).read_text())
        hot = Event.objects.get(pk=data["hot_event"])
        seats = {
            "capacity": hot.capacity,
            "seats_taken": seats_taken(hot),
            "registrations": hot.registrations.count(),
        }
        if seats_only:
            self.stdout.write(json.dumps({"hot_event": seats, "payments": payments_applied()}))
            return
        client = Client(HTTP_HOST="127.0.0.1")

        def bearer(token):
            return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        requests = {
            "floor": lambda: client.get("/bench/floor/"),
            "events_list": lambda: client.get("/api/v1/events/" + data["list_query"]),
            "event_detail": lambda: client.get(f"/api/v1/events/{data['detail_event']}/"),
            "my_registrations": lambda: client.get(
                "/api/v1/registrations/", **bearer(data["reader_token"])
            ),
            "check_in": lambda: client.post(
                "/api/v1/tickets/check_in/",
                {"code": data["spare_ticket_code"]},
                content_type="application/json",
                **bearer(data["organizer_token"]),
            ),
            "booking": lambda: client.post(
                "/api/v1/registrations/",
                {"event": data["hot_event"]},
                content_type="application/json",
                **bearer(data["spare_booking_token"]),
            ),
            "payment_start": lambda: client.post(
                "/api/v1/payments/",
                {"registration": data["spare_payment_start"][1], "provider": "mock"},
                content_type="application/json",
                **bearer(data["spare_payment_start"][0]),
            ),
            "payment_verify": lambda: client.post(
                f"/api/v1/payments/{data['spare_payment_verify'][1]}/verify/",
                {"outcome": "succeeded"},
                content_type="application/json",
                **bearer(data["spare_payment_verify"][0]),
            ),
        }
        queries = {}
        for name, send in requests.items():
            with CaptureQueriesContext(connection) as captured:
                response = send()
            queries[name] = {"queries": len(captured), "status": response.status_code}
        self.stdout.write(json.dumps({"queries": queries, "hot_event": seats}))
