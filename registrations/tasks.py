from celery import shared_task

from registrations import services


@shared_task
def expire_holds() -> int:
    """Every minute (beat): mark holds that ran out as expired and move the waitlists."""
    return services.expire_holds()
