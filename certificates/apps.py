from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"

    def ready(self):
        from certificates import selectors, services
        from config.facts import subscribe
        from registrations.dashboard import dashboard_parts
        from users import facts as user_facts

        dashboard_parts["attendee"].register(selectors.certificates_count)
        # A deleted account's name leaves its certificates too.
        subscribe(user_facts.ACCOUNT_DELETED)(services.holder_deleted)

        from certificates import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
