from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"

    def ready(self):
        from config.facts import subscribe
        from events import cache, facts
        from users import facts as user_facts

        # Cached catalogue pages follow the facts that change how events read.
        subscribe(
            facts.EVENT_CREATED,
            facts.EVENT_UPDATED,
            facts.EVENT_PUBLISHED,
            facts.EVENT_CANCELLED,
            facts.EVENT_DELETED,
            facts.SESSION_SAVED,
            facts.SESSION_DELETED,
            facts.TICKET_TYPE_SAVED,
            facts.TICKET_TYPE_DELETED,
        )(cache.event_read_changed)
        subscribe(
            facts.CATEGORY_SAVED,
            facts.CATEGORY_DELETED,
            facts.TAG_SAVED,
            facts.TAG_DELETED,
            user_facts.ACCOUNT_DELETED,
        )(cache.catalogue_read_changed)
        subscribe(user_facts.PROFILE_UPDATED)(cache.names_changed)

        from events import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
