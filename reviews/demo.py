"""Demo reviews for `seed_demo`: the past workshop's attendees review it (two checked in, one
who held a place but did not come), and vote on each other's reviews."""

from events.models import Event
from reviews import services
from reviews.models import Review
from users.models import User

PAST_EVENT = "intro-to-django-past"
REVIEWS = {
    "alice": (5, "Exactly the start I needed", "Clear steps from models to the admin, and "
              "time for questions after each part."),
    "bob": (4, "Good pace", "Solid introduction; the deployment part could be longer."),
    "carol": (3, "Could not make it in the end", "The materials alone were useful."),
}  # fmt: skip
VOTES = [("bob", "alice", True), ("carol", "alice", True), ("alice", "bob", True),
         ("alice", "carol", False)]  # fmt: skip


def seed(log) -> None:
    event = Event.objects.filter(slug=PAST_EVENT).first()
    if event is None:
        return
    users = {user.username: user for user in User.objects.filter(username__in=REVIEWS)}
    written = 0
    for username, (rating, title, body) in REVIEWS.items():
        if not Review.objects.filter(event=event, user=users[username]).exists():
            services.create_review(
                user=users[username], event=event, rating=rating, title=title, body=body
            )
            written += 1
    reviews = {review.user.username: review for review in event.reviews.select_related("user")}
    voted = 0
    for voter, author, helpful in VOTES:
        if not reviews[author].votes.filter(user=users[voter]).exists():
            services.vote(review=reviews[author], user=users[voter], helpful=helpful)
            voted += 1
    log(f"Reviews: {written} written for {event.title}, {voted} votes on them.")
