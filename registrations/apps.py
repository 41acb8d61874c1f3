from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registrations"

    def ready(self):
        from config.facts import subscribe
        from events import cache, seating
        from events.selectors import code_offers, listing_parts
        from registrations import facts, offers, selectors
        from registrations.services.event_changes import RegistrationSeating

        # Seats at events are taken by registrations: the catalogue counts them through this.
        seating.install(RegistrationSeating())
        listing_parts.register(selectors.with_waitlist_count)
        # An event's page shows what a promo code given with it offers.
        code_offers.register(offers.promo_code_offer)
        # A booking, a cancellation, a promotion: that event's cached pages are stale.
        subscribe(*facts.CHANGING_SEATS)(cache.event_read_changed)

        from registrations import demo
        from users.demo import demo_seeders

        demo_seeders.register(demo.seed)
