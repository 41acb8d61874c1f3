from celery import shared_task

from registrations.services import booking


@shared_task
def expire_holds() -> int:
    """Every minute (beat): mark holds that ran out as expired and move the waitlists."""
    return booking.expire_holds()
