"""Background work: e-mails, reminders and webhook deliveries, each with its retry sweep. The
services do the work; these run them (eagerly, in process, without REDIS_URL)."""

from celery import shared_task

from notifications.services import delivery, mail, reminders


@shared_task
def send_emails(notification_ids: list[int]) -> int:
    return mail.send_emails(notification_ids)


@shared_task
def retry_emails() -> int:
    """Every minute (beat): e-mails whose next attempt has come."""
    due = mail.due_for_retry()
    return mail.send_emails(due) if due else 0


@shared_task
def send_event_reminders() -> int:
    """Every five minutes (beat)."""
    return reminders.send_due()


@shared_task
def send_deliveries(delivery_ids: list[int]) -> int:
    return delivery.send_deliveries(delivery_ids)


@shared_task
def retry_deliveries() -> int:
    """Every minute (beat): webhook deliveries whose next attempt has come."""
    due = delivery.due_for_retry()
    return delivery.send_deliveries(due) if due else 0
