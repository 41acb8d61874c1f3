from django.conf import settings
from django.db import transaction
from djoser import views as djoser_views
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView
from zxcvbn import zxcvbn

from config.exceptions import ApplicationError
from config.facts import Origin
from config.throttling import AuthThrottle
from users import services, tasks
from users.filters import ActivityLogFilter, UserFilter
from users.models import ActivityLog, User
from users.permissions import IsAdmin
from users.serializers import (
    ActivityLogSerializer,
    AdminUserSerializer,
    CurrentUserSerializer,
    LogoutSerializer,
    PasswordStrengthResultSerializer,
    PasswordStrengthSerializer,
    PublicUserSerializer,
)

# Actions of `auth/users/` that anyone may call without an account, and so are rate limited by
# the stricter `auth` scope.
AUTH_THROTTLED_ACTIONS = {
    "create",
    "activation",
    "resend_activation",
    "reset_password",
    "reset_password_confirm",
}


class AccountViewSet(djoser_views.UserViewSet):
    """`auth/users/...`: Djoser's account endpoints, with every change made by our services."""

    def get_object(self):
        # `me/` has no id in its path; Djoser swaps in the current user only inside its own
        # handler, so OPTIONS (the metadata of `me/`) would look up a missing id.
        if self.lookup_field not in self.kwargs:
            return self.request.user
        return super().get_object()

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in AUTH_THROTTLED_ACTIONS:
            throttles.append(AuthThrottle())
        return throttles

    def perform_create(self, serializer):
        serializer.instance = services.sign_up(
            **serializer.validated_data, origin=Origin.of(self.request)
        )

    def perform_update(self, serializer):
        services.update_profile(
            user=serializer.instance,
            data=serializer.validated_data,
            origin=Origin.of(self.request),
        )

    def perform_destroy(self, instance):
        services.deactivate_account(user=instance, origin=Origin.of(self.request))

    @extend_schema(responses={204: None})
    def activation(self, request, *args, **kwargs):
        self._require_email_activation()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activate_user(user=serializer.user, origin=Origin.of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def resend_activation(self, request, *args, **kwargs):
        self._require_email_activation()
        return super().resend_activation(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def set_password(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_password(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def reset_password(self, request, *args, **kwargs):
        """204 for any well-formed address, on the same path whether or not an account has it:
        the lookup and the mail happen in a background task after the answer."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        transaction.on_commit(lambda: tasks.send_password_reset.delay(email))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None})
    def reset_password_confirm(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reset_password(
            user=serializer.user,
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _require_email_activation():
        if not settings.AUTH_EMAIL_ACTIVATION:
            raise ApplicationError(
                "E-mail activation is switched off: new accounts are active at once.",
                code="activation_disabled",
            )


class LoginView(TokenObtainPairView):
    """`auth/jwt/create/`: username or e-mail and password give an access and a refresh token.
    Each attempt is logged; a failure against an existing account is attached to it."""

    throttle_classes = [*TokenObtainPairView.throttle_classes, AuthThrottle]

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            services.record_failed_login(
                username=str(request.data.get("username", "")), origin=Origin.of(request)
            )
            raise
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        services.record_login(user=serializer.user, origin=Origin.of(request))
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """`auth/jwt/logout/`: blacklists the caller's refresh token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=LogoutSerializer, responses={205: None})
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.logout(
            user=request.user,
            refresh=serializer.validated_data["refresh"],
            origin=Origin.of(request),
        )
        return Response(status=status.HTTP_205_RESET_CONTENT)


STRENGTH_LEVELS = ("very_weak", "weak", "fair", "strong", "very_strong")
ZXCVBN_MAX_LENGTH = 72


class PasswordStrengthView(APIView):
    """`auth/password_strength/`: zxcvbn's estimate, for a strength meter beside a password
    field. Nothing is stored or logged."""

    permission_classes = [AllowAny]

    @extend_schema(request=PasswordStrengthSerializer, responses=PasswordStrengthResultSerializer)
    def post(self, request):
        serializer = PasswordStrengthSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password = serializer.validated_data["password"]
        # zxcvbn refuses more than 72 characters (its matchers grow with the length); a
        # password that long is judged by its first 72, and `length` tells the whole.
        estimate = zxcvbn(password[:ZXCVBN_MAX_LENGTH])
        feedback = [estimate["feedback"]["warning"], *estimate["feedback"]["suggestions"]]
        return Response(
            {
                "score": estimate["score"],
                "level": STRENGTH_LEVELS[estimate["score"]],
                "feedback": [line for line in feedback if line],
                "has_uppercase": any(c.isupper() for c in password),
                "has_lowercase": any(c.islower() for c in password),
                "has_digit": any(c.isdigit() for c in password),
                "has_special": any(not c.isalnum() for c in password),
                "length": len(password),
            }
        )


@extend_schema_view(
    list=extend_schema(responses=AdminUserSerializer(many=True)),
    partial_update=extend_schema(request=AdminUserSerializer, responses=AdminUserSerializer),
    retrieve=extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="UserProfile",
            serializers=[PublicUserSerializer, CurrentUserSerializer, AdminUserSerializer],
            resource_type_field_name=None,
        ),
        description="Anyone's public profile; one's own account, or any account for an admin, "
        "with its private fields (and for an admin `is_active`, `last_login`).",
    ),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """`users/`: the directory for admins, public profiles for everyone signed in."""

    filterset_class = UserFilter
    search_fields = ["username", "email", "first_name", "last_name", "organization"]
    ordering_fields = ["date_joined", "username"]
    ordering = ["id"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "retrieve":
            return [IsAuthenticated()]
        return [IsAdmin()]

    queryset = User.objects.all()

    def get_queryset(self):
        user = self.request.user
        if user.is_authenticated and user.is_admin:
            return self.queryset.all()
        return self.queryset.filter(is_active=True)

    def get_serializer_class(self):
        user = self.request.user
        if user.is_authenticated and user.is_admin:
            return AdminUserSerializer
        if self.action == "retrieve" and str(self.kwargs.get("pk")) == str(user.pk):
            return CurrentUserSerializer
        return PublicUserSerializer

    def perform_update(self, serializer):
        serializer.instance = services.update_user_as_admin(
            actor=self.request.user,
            user=serializer.instance,
            origin=Origin.of(self.request),
            **serializer.validated_data,
        )


class ActivityLogViewSet(viewsets.ReadOnlyModelViewSet):
    """`activity-logs/`: the append-only audit trail, for admins."""

    queryset = ActivityLog.objects.all()
    serializer_class = ActivityLogSerializer
    permission_classes = [IsAdmin]
    filterset_class = ActivityLogFilter
    search_fields = ["username", "ip_address", "target_type", "target_id"]
    ordering_fields = ["created_at"]
