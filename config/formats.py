"""How values look in the API, for code that builds responses without DRF fields."""

from datetime import UTC


def api_datetime(value) -> str | None:
    """UTC, whole seconds, `Z`: what DRF's DATETIME_FORMAT gives."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_money(value) -> str | None:
    """Two decimal places as a string: what DRF's DecimalField(decimal_places=2) gives."""
    return None if value is None else f"{value:.2f}"
