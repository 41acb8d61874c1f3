"""Demo accounts for `seed_demo`: one admin, two organizers, five attendees."""

from config.contributions import Contributions
from users.models import Role, User

# What `seed_demo` loads: each app registers its `seed(log)` in `AppConfig.ready()`.
demo_seeders = Contributions("the demo data of seed_demo")

DEMO_PASSWORD = "EventHub-demo-2026"

DEMO_USERS = [
    ("admin", "Ada", "Admin", Role.ADMIN, ""),
    ("organizer", "Olga", "Organizer", Role.ORGANIZER, "Django Meetups Ltd"),
    ("organizer2", "Omar", "Okafor", Role.ORGANIZER, "Data Academy"),
    ("alice", "Alice", "Attendee", Role.ATTENDEE, ""),
    ("bob", "Bob", "Builder", Role.ATTENDEE, ""),
    ("carol", "Carol", "Coder", Role.ATTENDEE, ""),
    ("dave", "Dave", "Developer", Role.ATTENDEE, ""),
    ("erin", "Erin", "Engineer", Role.ATTENDEE, ""),
]


def seed(log) -> None:
    created = []
    for username, first_name, last_name, role, organization in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        is_admin = role == Role.ADMIN
        User.objects.create_user(
            username=username,
            email=f"{username}@example.com",
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
            role=role,
            organization=organization,
            is_staff=is_admin,
            is_superuser=is_admin,
            email_verified=True,
        )
        created.append((username, role))
    if created:
        log(f"Demo accounts created (password for each: {DEMO_PASSWORD}):")
        for username, role in created:
            log(f"  {username:<12} {role}")
    else:
        log("Demo accounts already exist.")
