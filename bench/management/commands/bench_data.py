"""Generate benchmark data in bulk: events with ticket types, sessions and tags, users, and
registrations spread over the events; plus a hot free event for booking under contention and an
event full of tickets to check in. Writes what the load generator needs (tokens, ids, codes)
to a JSON file."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken
from tqdm import tqdm

from config.catalogue import catalogue_changed
from events.models import Category, Event, EventStatus, Session, Tag, TicketType, Visibility
from payments.models import Payment
from registrations.models import Registration, RegistrationStatus, Ticket
from users.models import Role, User

BATCH = 5000
TOPICS = [
    "Django",
    "Python",
    "PostgreSQL",
    "Data science",
    "Machine learning",
    "Kubernetes",
    "Rust",
    "Security",
    "Design",
    "Product",
]
FORMATS = ["Workshop", "Meetup", "Conference", "Webinar", "Masterclass", "Bootcamp"]
CATEGORIES = ["workshop", "webinar", "conference", "masterclass", "meetup", "training"]
REGISTRATIONS_PER_USER = 10


def in_batches(model, objects, total: int, label: str, keep: bool = True) -> list:
    """bulk_create with a progress bar; returns the created objects (with ids on PostgreSQL)
    when `keep`, an empty list otherwise (to spare memory on the largest tables)."""
    created, batch = [], []
    with tqdm(total=total, desc=f"{label:<14}", unit="row", leave=True) as bar:
        for obj in objects:
            batch.append(obj)
            if len(batch) == BATCH:
                saved = model.objects.bulk_create(batch)
                created += saved if keep else []
                bar.update(len(batch))
                batch = []
        if batch:
            saved = model.objects.bulk_create(batch)
            created += saved if keep else []
            bar.update(len(batch))
    return created


class Command(BaseCommand):
    help = "Fill an empty database with benchmark data (see bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True)
        parser.add_argument("--registrations", type=int, required=True)
        parser.add_argument("--booking-users", type=int, default=4000)
        parser.add_argument("--hot-capacity", type=int, default=1000)
        parser.add_argument("--checkin-tickets", type=int, default=20000)
        parser.add_argument(
            "--payers", type=int, default=3000, help="held registrations for each payment run"
        )
        parser.add_argument("--out", required=True)

    @transaction.atomic
    def handle(
        self,
        *args,
        events,
        registrations,
        booking_users,
        hot_capacity,
        checkin_tickets,
        payers,
        out,
        **options,
    ):
        now = timezone.now().replace(microsecond=0)
        password = make_password("bench-password")
        n_users = (
            max(registrations // REGISTRATIONS_PER_USER + 1, checkin_tickets)
            + booking_users
            + 2 * (payers + 1)
        )

        organizers = in_batches(
            User,
            (
                User(
                    username=f"bench-org-{i}",
                    email=f"bench-org-{i}@example.com",
                    password=password,
                    role=Role.ORGANIZER,
                    first_name="Org",
                    last_name=str(i),
                )
                for i in range(100)
            ),
            100,
            "organizers",
        )
        users = in_batches(
            User,
            (
                User(
                    username=f"bench-user-{i}",
                    email=f"bench-user-{i}@example.com",
                    password=password,
                    first_name="User",
                    last_name=str(i),
                )
                for i in range(n_users)
            ),
            n_users,
            "users",
        )
        categories = [
            Category.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
            for slug in CATEGORIES
        ]
        tags = Tag.objects.bulk_create([Tag(name=t.lower().replace(" ", "-")) for t in TOPICS])

        def event(i):
            starts = now + timedelta(days=(i % 360) - 60, hours=i % 24)
            status = (
                EventStatus.DRAFT
                if i % 20 == 7
                else EventStatus.CANCELLED
                if i % 20 == 13
                else EventStatus.PUBLISHED
            )
            return Event(
                slug=f"bench-event-{i}",
                title=f"{TOPICS[i % len(TOPICS)]} {FORMATS[i % len(FORMATS)]} #{i}",
                description=f"A {FORMATS[i % len(FORMATS)].lower()} about "
                f"{TOPICS[(i * 3) % len(TOPICS)]} and more.",
                category=categories[i % len(categories)],
                organizer=organizers[i % 100],
                status=status,
                visibility=Visibility.UNLISTED if i % 25 == 3 else Visibility.PUBLIC,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                capacity=100 + i % 400,
                location=f"Hall {i % 50}",
                currency="USD",
                published_at=now if status == EventStatus.PUBLISHED else None,
            )

        all_events = in_batches(Event, (event(i) for i in range(events)), events, "events")
        ticket_types = in_batches(
            TicketType,
            (
                TicketType(
                    event=e, name=name, price=Decimal(10 + e.pk % 90) + extra, quantity=e.capacity
                )
                for e in all_events
                for name, extra in (("Standard", 0), ("VIP", 50))
            ),
            2 * events,
            "ticket types",
        )
        standard = {tt.event_id: tt for tt in ticket_types if tt.name == "Standard"}
        in_batches(
            Session,
            (
                Session(
                    event=e,
                    title=f"Opening of {e.title}",
                    starts_at=e.starts_at,
                    ends_at=e.starts_at + timedelta(hours=1),
                )
                for e in all_events
            ),
            events,
            "sessions",
        )
        through = Event.tags.through
        in_batches(
            through,
            (
                through(event_id=e.pk, tag_id=tags[(e.pk + k) % len(tags)].pk)
                for e in all_events
                for k in (0, 3)
            ),
            2 * events,
            "event tags",
        )

        published = [e for e in all_events if e.status == EventStatus.PUBLISHED]
        stride = max(len(published) // REGISTRATIONS_PER_USER, 1)

        def registration(n):
            user, k = divmod(n, REGISTRATIONS_PER_USER)
            e = published[(user * 7 + k * stride) % len(published)]
            tt = standard[e.pk]
            return Registration(
                event=e,
                user=users[user],
                ticket_type=tt,
                quantity=1,
                status=RegistrationStatus.CONFIRMED,
                unit_price=tt.price,
                total_price=tt.price,
                currency="USD",
                confirmed_at=now,
            )

        in_batches(
            Registration,
            (registration(n) for n in range(registrations)),
            registrations,
            "registrations",
            keep=False,
        )
        reader = users[0]
        in_batches(
            Ticket,
            (
                Ticket(
                    registration=r,
                    event_id=r.event_id,
                    ticket_type_id=r.ticket_type_id,
                    attendee_name=reader.full_name,
                )
                for r in Registration.objects.filter(user=reader)
            ),
            REGISTRATIONS_PER_USER,
            "reader tickets",
        )

        hot = Event.objects.create(
            slug="bench-hot-event",
            title="Hot free event",
            organizer=organizers[0],
            category=categories[0],
            status=EventStatus.PUBLISHED,
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            capacity=hot_capacity,
            published_at=now,
        )
        TicketType.objects.create(
            event=hot, name="Free", price=0, quantity=hot_capacity, max_per_order=10
        )

        door = Event.objects.create(
            slug="bench-check-in-event",
            title="Check-in event",
            organizer=organizers[0],
            category=categories[0],
            status=EventStatus.PUBLISHED,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=3),
            capacity=checkin_tickets + 1,
            published_at=now,
        )
        door_type = TicketType.objects.create(
            event=door, name="Free", price=0, quantity=checkin_tickets + 1
        )
        door_registrations = in_batches(
            Registration,
            (
                Registration(
                    event=door,
                    user=users[i],
                    ticket_type=door_type,
                    quantity=1,
                    status=RegistrationStatus.CONFIRMED,
                    unit_price=0,
                    total_price=0,
                    currency="USD",
                    confirmed_at=now,
                )
                for i in range(checkin_tickets + 1)
            ),
            checkin_tickets + 1,
            "door regs",
        )
        door_tickets = in_batches(
            Ticket,
            (
                Ticket(registration=r, event=door, ticket_type=door_type, attendee_name="Guest")
                for r in door_registrations
            ),
            checkin_tickets + 1,
            "door tickets",
        )

        bookers = users[-booking_users - 1 :]
        starters, verifiers = self.payment_holds(
            users[-booking_users - 1 - 2 * (payers + 1) : -booking_users - 1],
            organizer=organizers[0],
            category=categories[0],
            now=now,
        )
        detail = next(e for e in published if e.visibility == Visibility.PUBLIC)
        fixtures = {
            "events": events,
            "registrations": registrations + checkin_tickets + 1,
            "users": n_users + 100,
            "detail_event": detail.pk,
            "list_query": "?category=workshop&ordering=starts_at&page_size=20",
            "reader_token": str(AccessToken.for_user(reader)),
            "organizer_token": str(AccessToken.for_user(organizers[0])),
            "hot_event": hot.pk,
            "hot_capacity": hot_capacity,
            "booking_tokens": [str(AccessToken.for_user(u)) for u in bookers[:-1]],
            "spare_booking_token": str(AccessToken.for_user(bookers[-1])),
            "ticket_codes": [t.code for t in door_tickets[:-1]],
            "spare_ticket_code": door_tickets[-1].code,
            # [token, registration id] to start paying; [token, payment id] to verify.
            "payment_starts": starters[:-1],
            "spare_payment_start": starters[-1],
            "payment_verifies": verifiers[:-1],
            "spare_payment_verify": verifiers[-1],
        }
        catalogue_changed()  # written in bulk, not through the services
        Path(out).write_text(json.dumps(fixtures))
        self.stdout.write(f"Wrote {out}")

    def payment_holds(self, payers, *, organizer, category, now):
        """A paid event where each payer holds one seat: the first half with no payment yet
        (for the start run), the second half with a pending mock payment (for the verify
        run). Returns `[token, registration id]` and `[token, payment id]` pairs."""
        event = Event.objects.create(
            slug="bench-paid-event",
            title="Paid event",
            organizer=organizer,
            category=category,
            status=EventStatus.PUBLISHED,
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=20, hours=3),
            capacity=len(payers),
            currency="USD",
            published_at=now,
        )
        ticket_type = TicketType.objects.create(
            event=event, name="Standard", price=Decimal("25.00"), quantity=len(payers)
        )
        holds = in_batches(
            Registration,
            (
                Registration(
                    event=event,
                    user=payer,
                    ticket_type=ticket_type,
                    quantity=1,
                    status=RegistrationStatus.PENDING,
                    unit_price=Decimal("25.00"),
                    total_price=Decimal("25.00"),
                    currency="USD",
                    expires_at=now + timedelta(days=1),
                )
                for payer in payers
            ),
            len(payers),
            "payment holds",
        )
        half = len(holds) // 2
        payments = in_batches(
            Payment,
            (
                Payment(
                    registration=hold,
                    user_id=hold.user_id,
                    provider="mock",
                    amount=Decimal("25.00"),
                    currency="USD",
                    provider_order_id=f"mock_bench_{hold.pk}",
                )
                for hold in holds[half:]
            ),
            len(holds) - half,
            "pending payments",
        )
        starters = [[str(AccessToken.for_user(h.user)), h.pk] for h in holds[:half]]
        verifiers = [
            [str(AccessToken.for_user(hold.user)), payment.pk]
            for hold, payment in zip(holds[half:], payments, strict=True)
        ]
        return starters, verifiers
