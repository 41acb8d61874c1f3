from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"

    def ready(self):
        from config.facts import subscribe
        from payments import services
        from registrations import facts as registration_facts

        # A cancellation says what is due back; the money moves from here, retried if need be.
        subscribe(registration_facts.REGISTRATION_CANCELLED, background=True)(
            services.refund_cancellation
        )
