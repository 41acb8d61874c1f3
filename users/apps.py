from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        import config.schema  # noqa: F401  (registers the OpenAPI extensions)
        from config import facts
        from users import receivers, services

        facts.keep_journal(services.write_journal)
        user_logged_in.connect(receivers.admin_logged_in, dispatch_uid="admin-login")
        user_login_failed.connect(receivers.admin_login_failed, dispatch_uid="admin-login-failed")

        from users.demo import demo_seeders, seed

        demo_seeders.register(seed)
