"""Demo certificates for `seed_demo`: last month's workshop has ended, so the people checked in
there (alice and bob; carol held a place but did not come) get theirs."""

from certificates import services
from events.models import Event

PAST_EVENT = "intro-to-django-past"


def seed(log) -> None:
    event = Event.objects.filter(slug=PAST_EVENT).first()
    if event is None:
        return
    issued = services.issue_certificates(event=event)
    log(f"Certificates: {issued} issued for {event.title} ({event.certificates.count()} in all).")
