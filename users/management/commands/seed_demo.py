from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from config.catalogue import catalogue_changed

# Each app's demo data, in dependency order. Every seeder is idempotent: running the command
# again adds only what is missing.
SEEDERS = [
    "users.demo.seed",
    "events.demo.seed",
    "registrations.demo.seed",
]


class Command(BaseCommand):
    help = "Load demo data (accounts, categories, ...). Safe to run again: it is idempotent."

    def handle(self, *args, **options):
        for path in SEEDERS:
            self.stdout.write(self.style.MIGRATE_HEADING(f"Seeding {path.split('.')[0]}"))
            with transaction.atomic():
                import_string(path)(self.stdout.write)
        catalogue_changed()  # some demo rows are written directly, not through services
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
