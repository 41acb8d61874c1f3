from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.serializers import TokenVerifySerializer as BaseTokenVerifySerializer

from config.serializers import ModelSerializer
from config.validators import validate_image
from users.models import ActivityLog, Role, User

PUBLIC_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "full_name",
    "role",
    "is_organizer",
    "bio",
    "avatar",
    "website",
    "organization",
    "twitter",
    "linkedin",
    "github",
    "facebook",
    "date_joined",
)
# Shown only to the account's owner and to admins.
PRIVATE_FIELDS = (
    "email",
    "phone",
    "newsletter_subscribed",
    "notifications_enabled",
    "email_verified",
)
ACCOUNT_FIELDS = PUBLIC_FIELDS + PRIVATE_FIELDS


def validate_avatar(upload):
    try:
        validate_image(upload, max_bytes=settings.AVATAR_MAX_BYTES)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return upload


def validate_unique_email(value: str, *, exclude: User | None = None) -> str:
    others = User.objects.filter(email__iexact=value)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise serializers.ValidationError("An account with this e-mail address already exists.")
    return value


class CurrentUserSerializer(ModelSerializer):
    """The signed-in user's own account (`auth/users/me/`)."""

    full_name = serializers.CharField(read_only=True)
    is_organizer = serializers.BooleanField(read_only=True)
    avatar = serializers.ImageField(required=False, allow_null=True, validators=[validate_avatar])
    current_password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        help_text="Required to change `email`: the address is how the account is recovered.",
    )

    class Meta:
        model = User
        fields = (*ACCOUNT_FIELDS, "current_password")
        read_only_fields = ("id", "username", "role", "email_verified", "date_joined")
        extra_kwargs = {"email": {"required": True, "allow_blank": False}}

    def validate_email(self, value):
        return validate_unique_email(value, exclude=self.instance)

    def validate(self, attrs):
        current_password = attrs.pop("current_password", None)
        new_email = attrs.get("email")
        changes_email = (
            self.instance is not None
            and new_email is not None
            and new_email.lower() != self.instance.email.lower()
        )
        if changes_email and not (
            current_password and self.instance.check_password(current_password)
        ):
            raise serializers.ValidationError(
                {"current_password": ["Give your current password to change the e-mail."]}
            )
        return attrs


class UserCreateSerializer(CurrentUserSerializer):
    """Registration: a new attendee or organizer account. The answer has no `id`, and an
    address that already has an account is not refused (`users.services.sign_up`): it must
    read the same whether or not the address is registered."""

    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    re_password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Optional; when given it must equal `password`.",
    )
    role = serializers.ChoiceField(choices=[Role.ATTENDEE, Role.ORGANIZER], default=Role.ATTENDEE)
    # The avatar is uploaded afterwards, at auth/users/me/: sign-up takes JSON only.
    avatar = serializers.ImageField(read_only=True, allow_null=True)

    class Meta(CurrentUserSerializer.Meta):
        fields = (*(f for f in ACCOUNT_FIELDS if f != "id"), "password", "re_password")
        read_only_fields = ("avatar", "email_verified", "date_joined")
        extra_kwargs = {
            "email": {"required": True, "allow_blank": False},
            "first_name": {"required": True, "allow_blank": False},
            "last_name": {"required": True, "allow_blank": False},
        }

    def validate_email(self, value):
        return value

    def validate_username(self, value):
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs):
        re_password = attrs.pop("re_password", None)
        if re_password is not None and re_password != attrs["password"]:
            raise serializers.ValidationError({"re_password": ["The two passwords differ."]})
        candidate = User(
            username=attrs.get("username", ""),
            email=attrs.get("email", ""),
            first_name=attrs.get("first_name", ""),
            last_name=attrs.get("last_name", ""),
        )
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class PublicUserSerializer(ModelSerializer):
    """Anyone's public profile: no e-mail, phone or settings."""

    full_name = serializers.CharField(read_only=True)
    is_organizer = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = PUBLIC_FIELDS
        read_only_fields = PUBLIC_FIELDS
        extra_kwargs = {"avatar": {"allow_null": True}}


class AdminUserSerializer(ModelSerializer):
    """What an admin sees of any account, and may change: the role and whether it is active."""

    full_name = serializers.CharField(read_only=True)
    is_organizer = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = (*ACCOUNT_FIELDS, "is_active", "last_login")
        read_only_fields = tuple(f for f in fields if f not in ("role", "is_active"))
        extra_kwargs = {"avatar": {"allow_null": True}}


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordStrengthSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordStrengthResultSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=4)
    level = serializers.CharField()
    feedback = serializers.ListField(child=serializers.CharField())
    has_uppercase = serializers.BooleanField()
    has_lowercase = serializers.BooleanField()
    has_digit = serializers.BooleanField()
    has_special = serializers.BooleanField()
    length = serializers.IntegerField()


class ActivityLogSerializer(ModelSerializer):
    """An entry of the activity log: who did what to which object, from where."""

    class Meta:
        model = ActivityLog
        fields = (
            "id",
            "user",
            "username",
            "action",
            "ip_address",
            "user_agent",
            "target_type",
            "target_id",
            "metadata",
            "created_at",
        )
        read_only_fields = fields


class TokenVerifySerializer(BaseTokenVerifySerializer):
    """SimpleJWT answers a blacklisted token with 400 and any other bad token with 401; here
    every token that is not valid is 401 `token_not_valid`."""

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except serializers.ValidationError as exc:
            detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
            raise InvalidToken(detail) from exc
