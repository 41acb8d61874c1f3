from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"

    def ready(self):
        from config.facts import subscribe
        from payments import services, statistics
        from registrations import facts as registration_facts
        from registrations.dashboard import dashboard_parts
        from registrations.statistics import statistics_parts

        statistics_parts.register(statistics.event_money)
        dashboard_parts["organizer"].register(statistics.organizer_money)
        dashboard_parts["platform"].register(statistics.platform_money)

        # A cancellation says what is due back; the money moves from here, retried if need be.
        subscribe(registration_facts.REGISTRATION_CANCELLED, background=True)(
            services.refund_cancellation
        )

        from payments import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
