from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"

    def ready(self):
        from config.facts import subscribe
        from events import cache
        from events.selectors import listing_parts
        from registrations.statistics import statistics_parts
        from reviews import facts, selectors

        # An event's rating shows on its listing and its statistics.
        listing_parts.register(selectors.with_ratings)
        statistics_parts.register(selectors.event_rating)
        # A review written, changed or removed changes how its event reads (its rating).
        subscribe(facts.REVIEW_CREATED, facts.REVIEW_UPDATED, facts.REVIEW_DELETED)(
            cache.event_read_changed
        )

        from reviews import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
