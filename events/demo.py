"""Demo catalogue for `seed_demo`."""

from events.models import Category

CATEGORIES = [
    ("Workshop", "workshop", "Hands-on sessions where you build something."),
    ("Webinar", "webinar", "Online talks with questions from the audience."),
    ("Conference", "conference", "Several tracks of talks over one or more days."),
    ("Masterclass", "masterclass", "Deep dives led by an expert."),
    ("Meetup", "meetup", "Informal community evenings."),
    ("Training", "training", "Multi-session courses with progress tracking."),
]


def seed(log) -> None:
    created = 0
    for name, slug, description in CATEGORIES:
        _, was_created = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        created += was_created
    log(f"Categories: {created} created, {len(CATEGORIES) - created} already there.")
