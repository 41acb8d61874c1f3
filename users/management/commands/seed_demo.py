from django.core.management.base import BaseCommand
from django.db import transaction

from config.catalogue import catalogue_changed
from users.demo import demo_seeders


class Command(BaseCommand):
    help = "Load demo data (accounts, categories, ...). Safe to run again: it is idempotent."

    def handle(self, *args, **options):
        # Each app registers its seeder in AppConfig.ready(), so they run in the apps' order
        # (accounts, then events, then registrations). Each adds only what is missing.
        for seed in demo_seeders:
            self.stdout.write(
                self.style.MIGRATE_HEADING(f"Seeding {seed.__module__.split('.')[0]}")
            )
            with transaction.atomic():
                seed(self.stdout.write)
        catalogue_changed()  # some demo rows are written directly, not through services
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
