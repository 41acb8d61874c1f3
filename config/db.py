"""Row locks with a time limit, for the checks that must not race (seats, money)."""

from django.conf import settings
from django.db import OperationalError, connection

from config.exceptions import busy, is_contention


def lock_one(queryset):
    """`SELECT ... FOR UPDATE` of one row, waiting at most LOCK_TIMEOUT_MS for it. Must run
    inside `transaction.atomic`. A wait that runs out is a 503 the client may retry, instead of
    a request that hangs. (SQLite has no row locks: there `transaction_mode = IMMEDIATE` makes
    each transaction take the database's write lock when it begins.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{settings.LOCK_TIMEOUT_MS}ms"]
            )
    try:
        return queryset.select_for_update(of=("self",)).get()
    except OperationalError as exc:
        if is_contention(exc):
            raise busy() from exc
        raise
