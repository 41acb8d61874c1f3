from rest_framework import serializers

from certificates.models import Certificate
from config.serializers import ModelSerializer


class CertificateSerializer(ModelSerializer):
    """A certificate of attendance at an event."""

    event_title = serializers.CharField(source="event.title", read_only=True)
    user_name = serializers.CharField(
        source="holder_name", read_only=True, help_text="The holder's name as issued."
    )
    is_downloaded = serializers.BooleanField(read_only=True)
    verification_url = serializers.URLField(
        read_only=True, help_text="The frontend's page that verifies it (also in its QR code)."
    )

    class Meta:
        model = Certificate
        fields = (
            "id",
            "number",
            "event",
            "event_title",
            "user",
            "user_name",
            "hours_completed",
            "skill_tags",
            "issued_at",
            "downloaded_at",
            "is_downloaded",
            "verification_url",
        )
        read_only_fields = fields


class VerificationSerializer(serializers.Serializer):
    """What anyone may learn of a certificate from its number: that it is real, and whose."""

    valid = serializers.BooleanField()
    number = serializers.CharField()
    holder_name = serializers.CharField()
    event_title = serializers.CharField()
    issued_at = serializers.DateTimeField()


class IssuedSerializer(serializers.Serializer):
    issued = serializers.IntegerField(help_text="How many certificates this issued now.")
