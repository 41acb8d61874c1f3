"""Serializer fields every app shares."""

from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest id a database's bigint holds


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object by its id, which must be a whole number the database can hold: `2.7`,
    `"abc"` or `1e400` are "a valid integer is required" (400), never a 500 or a quiet `2`.
    Model serializers use it for every relation (`serializer_related_field`)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("pk_field", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(**kwargs)


class ModelSerializer(serializers.ModelSerializer):
    serializer_related_field = IdField
