"""Serializer fields every app shares."""

from datetime import UTC

from django.db import models
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a database's bigint holds


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object by its id, which must be a whole number the database can hold: `2.7`,
    `"abc"` or `1e400` are "a valid integer is required" (400), never a 500 or a quiet `2`.
    Model serializers use it for every relation (`serializer_related_field`).

    In the Browsable API's forms it is a number box, not DRF's select of the whole table: that
    select would read every row on each page, and show the titles of objects the person may
    not see (another organizer's drafts)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        kwargs.setdefault("style", {"base_template": "input.html", "input_type": "number"})
        super().__init__(**kwargs)


class LinkField(serializers.URLField):
    """An optional web link: an empty one reads as null (never "" where the schema promises a
    URI), and null or "" clears it."""

    def __init__(self, **kwargs):
        kwargs["allow_null"] = True
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""  # stored as "": the column is not nullable
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return value or None


class MomentField(serializers.DateTimeField):
    """A time between the years 1900 and 9999 (in UTC): earlier ones are typing mistakes, and
    four-digit years are what every client parses."""

    default_error_messages = {"out_of_range": "Give a time between the years 1900 and 9999."}

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        try:
            year = moment.astimezone(UTC).year
        except OverflowError:
            year = 0
        if not 1900 <= year <= 9999:
            self.fail("out_of_range")
        return moment


class ModelSerializer(serializers.ModelSerializer):
    """The project's model serializer: relations by integer id, links that read null when
    empty."""

    serializer_related_field = IdField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.URLField: LinkField,
        models.DateTimeField: MomentField,
    }
