"""Demo catalogue for `seed_demo`: categories, and published events across them with sessions
and ticket types, dated relative to today so the demo always has upcoming events."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from events import services
from events.models import Category, Event, EventStatus, Session, Visibility
from users.models import User

CATEGORIES = [
    ("Workshop", "workshop", "Hands-on sessions where you build something."),
    ("Webinar", "webinar", "Online talks with questions from the audience."),
    ("Conference", "conference", "Several tracks of talks over one or more days."),
    ("Masterclass", "masterclass", "Deep dives led by an expert."),
    ("Meetup", "meetup", "Informal community evenings."),
    ("Training", "training", "Multi-session courses with progress tracking."),
]

# (slug, organizer, category, title, (days from today, local start time), hours long,
#  capacity, extra fields, ticket types as (name, price, quantity[, "hidden"]), sessions as
#  (title, hour offset, hours, speaker)). Local times are in the event's timezone (UTC when it
#  has none).
EVENTS = [
    (
        "drf-deep-dive",
        "organizer",
        "workshop",
        "Django REST Framework Deep Dive",
        (14, "09:30"),
        7,
        30,
        {
            "location": "Code Hub, 12 Shoreditch High St, London",
            "level": "intermediate",
            "timezone": "Europe/London",
            "currency": "GBP",
            "tags": ["django", "python", "api"],
            "description": "Build a production-grade API: serializers, permissions, throttling "
            "and tests, in one day.",
        },
        [("Early bird", "49.00", 10), ("Standard", "79.00", 20)],
        [
            ("Serializers that scale", 0, 2, "Olga Organizer"),
            ("Permissions and 404s", 2.5, 2, "Olga Organizer"),
            ("Testing the API", 5, 2, "Olga Organizer"),
        ],
    ),
    (
        "async-python-webinar",
        "organizer2",
        "webinar",
        "Async Python in Practice",
        (7, "17:00"),
        1.5,
        500,
        {
            "is_online": True,
            "online_url": "https://meet.example.com/async-python",
            "level": "beginner",
            "tags": ["python", "asyncio"],
            "description": "asyncio without the headaches, with live Q&A.",
        },
        [("Free", "0.00", 500)],
        [("Talk", 0, 1, "Omar Okafor"), ("Live Q&A", 1, 0.5, "Omar Okafor")],
    ),
    (
        "pydata-conference-2027",
        "organizer2",
        "conference",
        "PyData Conference",
        (45, "09:00"),
        56,
        300,
        {
            "location": "Congress Center, Alexanderplatz, Berlin",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "tags": ["python", "data", "ml"],
            "refund_deadline_hours": 168,
            "description": "Three days of talks on data engineering, ML and visualisation.",
        },
        [
            ("Student", "99.00", 50),
            ("Regular", "299.00", 220),
            ("VIP", "599.00", 30),
            ("Sponsor", "0.00", 10, "hidden"),  # opened by the sponsors' access code
        ],
        [
            ("Opening keynote", 1, 1, "Omar Okafor"),
            ("Pandas at scale", 3, 1, ""),
            ("Day two keynote", 25, 1, "Omar Okafor"),
            ("Closing panel", 52, 1.5, ""),
        ],
    ),
    (
        "scaling-postgres-masterclass",
        "organizer",
        "masterclass",
        "Scaling PostgreSQL: Locks, Indexes and Plans",
        (21, "14:00"),
        4,
        20,
        {
            "location": "Online and in Amsterdam",
            "timezone": "Europe/Amsterdam",
            "requires_approval": True,
            "level": "advanced",
            "tags": ["postgresql", "databases"],
            "currency": "EUR",
            "description": "Read query plans, pick indexes, and stop fearing row locks.",
        },
        [("Masterclass seat", "149.00", 20)],
        [("Reading plans", 0, 1.75, "Olga Organizer"), ("Locks in practice", 2, 2, "")],
    ),
    (
        "berlin-python-meetup",
        "organizer2",
        "meetup",
        "Berlin Python Meetup",
        (10, "19:00"),
        3,
        60,
        {
            "location": "Factory Görlitzer Park, Berlin",
            "timezone": "Europe/Berlin",
            "tags": ["python", "community"],
            "description": "Lightning talks and pizza.",
        },
        [("RSVP", "0.00", 60)],
        [("Lightning talks", 0, 1.5, ""), ("Pizza and networking", 1.5, 1.5, "")],
    ),
    (
        "django-girls-workshop",
        "organizer",
        "workshop",
        "Django Girls Workshop (sold out)",
        (12, "09:00"),
        8,
        3,
        {
            "location": "Code Hub, London",
            "timezone": "Europe/London",
            "level": "beginner",
            "tags": ["django", "beginners"],
            "description": "A free first-website day. Three seats, and a waitlist.",
        },
        [("Free seat", "0.00", 3)],
        [("Your first website", 0, 3.5, ""), ("Deploying it", 4.5, 3.5, "")],
    ),
    (
        "ml-bootcamp",
        "organizer2",
        "training",
        "Machine Learning Bootcamp",
        (30, "18:00"),
        24 * 35 + 3,
        40,
        {
            "is_online": True,
            "online_url": "https://learn.example.com/ml-bootcamp",
            "timezone": "America/New_York",
            "level": "beginner",
            "tags": ["ml", "python", "course"],
            "currency": "USD",
            "description": "Six weekly lessons from linear regression to neural networks.",
        },
        [("Full course", "399.00", 40)],
        [
            (f"Lesson {n}: {topic}", 24 * 7 * (n - 1), 2, "Omar Okafor")
            for n, topic in enumerate(
                [
                    "Regression",
                    "Classification",
                    "Trees",
                    "Ensembles",
                    "Neural networks",
                    "Deploying models",
                ],
                start=1,
            )
        ],
    ),
    (
        "intimate-sql-workshop",
        "organizer",
        "workshop",
        "SQL Window Functions, Small Group",
        (5, "13:30"),
        3,
        5,
        {
            "location": "Code Hub, London",
            "timezone": "Europe/London",
            "tags": ["sql", "databases"],
            "currency": "GBP",
            "description": "Five seats, lots of exercises.",
        },
        [("Seat", "25.00", 5)],
        [("Exercises", 0, 3, "Olga Organizer")],
    ),
    (
        "team-offsite-unlisted",
        "organizer",
        "meetup",
        "Partner Preview (unlisted)",
        (20, "16:00"),
        2,
        25,
        {
            "location": "London",
            "timezone": "Europe/London",
            "visibility": Visibility.UNLISTED,
            "tags": ["preview"],
            "description": "Reachable by link, not listed in the catalogue.",
        },
        [("Invite", "0.00", 25)],
        [],
    ),
]


# The past workshop's sessions: (title, hour offset, hours).
PAST_SESSIONS = [
    ("Models and migrations", 0, 1.5),
    ("Views and templates", 2, 1.5),
    ("The admin and deploying", 4, 1.5),
]


def local_start(days: int, at: str, timezone_name: str) -> datetime:
    """`at` (HH:MM) local time in `timezone_name`, `days` from today there: the demo's events
    start at the hours events do, whenever it is seeded."""
    zone = ZoneInfo(timezone_name)
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time.fromisoformat(at), tzinfo=zone)


def _seed_event(spec, organizers: dict, categories: dict) -> bool:
    (slug, organizer, category, title, (days, at), hours, capacity, extra, tickets, sessions) = spec
    if Event.objects.filter(slug=slug).exists():
        return False
    starts_at = local_start(days, at, extra.get("timezone", "UTC"))
    event = services.create_event(
        organizer=organizers[organizer],
        title=title,
        slug=slug,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        capacity=capacity,
        category=categories[category],
        status=EventStatus.DRAFT,
        ticket_types=[
            {
                "name": name,
                "price": Decimal(price),
                "quantity": quantity,
                "is_hidden": "hidden" in flags,
            }
            for name, price, quantity, *flags in tickets
        ],
        **extra,
    )
    for session_title, offset, length, speaker in sessions:
        session_start = starts_at + timedelta(hours=offset)
        services.save_session(
            session=Session(event=event),
            title=session_title,
            starts_at=session_start,
            ends_at=session_start + timedelta(hours=length),
            speaker_name=speaker,
        )
    services.publish_event(event=event, actor=organizers[organizer])
    return True


def _seed_past_event(organizers: dict, categories: dict) -> bool:
    """An event that already happened, for reviews and certificates. Publishing is only
    allowed before an event starts, so it is written as it would be after the fact."""
    if Event.objects.filter(slug="intro-to-django-past").exists():
        return False
    starts_at = local_start(-30, "10:00", "Europe/London")
    event = Event.objects.create(
        slug="intro-to-django-past",
        title="Introduction to Django (past edition)",
        description="Last month's beginner workshop.",
        organizer=organizers["organizer"],
        category=categories["workshop"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
        capacity=25,
        location="Code Hub, London",
        status=EventStatus.PUBLISHED,
        published_at=starts_at - timedelta(days=20),
        currency="GBP",
        level="beginner",
        timezone="Europe/London",
    )
    event.ticket_types.create(name="Standard", price=Decimal("30.00"), quantity=25)
    for title, offset, length in PAST_SESSIONS:
        Session.objects.create(
            event=event,
            title=title,
            starts_at=starts_at + timedelta(hours=offset),
            ends_at=starts_at + timedelta(hours=offset + length),
            speaker_name="Olga Organizer",
            room_or_link="Room 1",
        )
    return True


def seed(log) -> None:
    created = 0
    for name, slug, description in CATEGORIES:
        _, was_created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        created += was_created
    log(f"Categories: {created} created, {len(CATEGORIES) - created} already there.")

    organizers = {
        user.username: user
        for user in User.objects.filter(username__in=["organizer", "organizer2"])
    }
    categories = {category.slug: category for category in Category.objects.all()}
    made = sum(_seed_event(spec, organizers, categories) for spec in EVENTS)
    made += _seed_past_event(organizers, categories)
    log(f"Events: {made} created, {len(EVENTS) + 1 - made} already there.")
