from celery import shared_task

from certificates import services


@shared_task
def issue_due_certificates() -> int:
    """Every hour (beat): certificates for the events that ended lately."""
    return services.issue_due()
