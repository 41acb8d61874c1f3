from notifications.models import Notification


def unread_notifications(user) -> dict:
    """The dashboard's count of unread notifications (one query)."""
    return {
        "counts": {
            "unread_notifications": Notification.objects.filter(user=user, is_read=False).count()
        }
    }
