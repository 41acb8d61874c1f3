from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        from config.facts import subscribe
        from notifications import dashboard
        from notifications.services import producers, webhooks
        from registrations.dashboard import dashboard_parts

        # What happens to people is told to them; what happens at events, to the webhooks
        # that listen. Both take the facts recorded together in one call, in bulk.
        subscribe(*producers.PRODUCERS, background=True, many=True)(producers.notify_about)
        subscribe(*webhooks.OUTBOUND, background=True, many=True)(webhooks.queue_deliveries)
        dashboard_parts["attendee"].register(dashboard.unread_notifications)

        from notifications import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
