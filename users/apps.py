from django.apps import AppConfig


class UsersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "users"
    verbose_name = "Accounts"

    def ready(self):
        import config.schema  # noqa: F401  (registers the OpenAPI extensions)
        from config import facts
        from users import services

        facts.keep_journal(services.write_journal)
