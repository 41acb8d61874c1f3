"""The attendee list as CSV, for spreadsheets and badge printers."""

import csv
import io

from django.http import HttpResponse

CSV_COLUMNS = [
    "registration",
    "name",
    "email",
    "ticket_type",
    "quantity",
    "status",
    "checked_in",
    "total_price",
    "currency",
    "registered_at",
    "special_requirements",
]


def _safe(value) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: quote them as text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def attendees_csv(event, registrations) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for registration in registrations:
        writer.writerow(
            [
                _safe(value)
                for value in (
                    registration.id,
                    registration.user.full_name,
                    registration.user.email,
                    registration.ticket_type.name,
                    registration.quantity,
                    registration.display_status,
                    registration.checked_in_count,
                    registration.total_price,
                    registration.currency,
                    registration.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    registration.special_requirements,
                )
            ]
        )
    return HttpResponse(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}-attendees.csv"'},
    )
