from django.conf import settings
from django.db import transaction
from djoser import views as djoser_views
from drf_spectacular.extensions import OpenApiViewExtension
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
from config.schema import errors
from config.throttling import AuthThrottle
from users import examples, services, tasks
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


@extend_schema_view(
    create=extend_schema(
        summary="Sign up",
        description="Make an attendee or organizer account. The answer has no `id`, and an "
        "e-mail address that has an account already gets the same 201 (its owner is mailed "
        "instead): sign-up never tells whether an address is registered. No tokens come back: "
        "sign in with `auth/jwt/create/`. With e-mail activation on, the account stays inactive "
        "until the mailed link is used.",
        examples=examples.SIGN_UP,
    ),
    me=[
        extend_schema(
            methods=["GET"],
            summary="Get my account",
            description="The signed-in account, with its private fields.",
        ),
        extend_schema(
            methods=["PUT"],
            summary="Update my account",
            description="Change the writable fields; a new `email` needs `current_password` "
            "and is no longer verified. The avatar is sent as multipart.",
        ),
        extend_schema(
            methods=["PATCH"],
            summary="Partially update my account",
            description="Change some of the writable fields; a new `email` needs "
            "`current_password` and is no longer verified. The avatar is sent as multipart.",
        ),
        extend_schema(
            methods=["DELETE"],
            summary="Delete my account",
            description="Needs `current_password`. The account is scrubbed and switched off "
            "(its registrations keep their history), and every session of it ends.",
        ),
    ],
)
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

    @extend_schema(
        summary="Activate an account",
        description="The `uid` and `token` of the mailed link; the e-mail address is then "
        "verified.",
        responses={204: None},
        extensions=errors("activation_disabled"),
    )
    def activation(self, request, *args, **kwargs):
        self._require_email_activation()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activate_user(user=serializer.user, origin=Origin.of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Resend the activation e-mail",
        description="204 whether or not an inactive account has the address.",
        responses={204: None},
        extensions=errors("activation_disabled"),
    )
    def resend_activation(self, request, *args, **kwargs):
        self._require_email_activation()
        return super().resend_activation(request, *args, **kwargs)

    @extend_schema(
        summary="Change my password",
        description="Needs `current_password`. Every session of the account ends: sign in again.",
        responses={204: None},
    )
    def set_password(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_password(
            user=request.user,
            new_password=serializer.validated_data["new_password"],
            origin=Origin.of(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Request a password reset", responses={204: None})
    def reset_password(self, request, *args, **kwargs):
        """204 for any well-formed address, on the same path whether or not an account has it:
        the lookup and the mail happen in a background task after the answer."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email = serializer.validated_data["email"]
        transaction.on_commit(lambda: tasks.send_password_reset.delay(email))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Reset a password",
        description="The `uid` and `token` of the mailed link, and the new password. Every "
        "session of the account ends, and its e-mail address is verified.",
        responses={204: None},
    )
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

    @extend_schema(
        summary="Sign in",
        examples=examples.SIGN_IN,
        extensions=errors(not_authenticated="No active account found with the given credentials"),
    )
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

    @extend_schema(summary="Sign out", request=LogoutSerializer, responses={205: None})
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

    @extend_schema(
        summary="Rate a password's strength",
        request=PasswordStrengthSerializer,
        responses=PasswordStrengthResultSerializer,
    )
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
    list=extend_schema(summary="List users", responses=AdminUserSerializer(many=True)),
    partial_update=extend_schema(
        summary="Change a user's role or status",
        description="Admins change `role` and `is_active`; everything else is read-only. "
        "Demoting an organizer takes away the management of their events; switching an "
        "account off ends its sessions.",
        request=AdminUserSerializer,
        responses=AdminUserSerializer,
        extensions=errors(
            invalid_state="You cannot remove your own admin role or deactivate your own "
            "account; ask another admin."
        ),
    ),
    retrieve=extend_schema(
        summary="Get a user",
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


@extend_schema_view(
    list=extend_schema(summary="List activity log entries"),
    retrieve=extend_schema(summary="Get an activity log entry"),
)
class ActivityLogViewSet(viewsets.ReadOnlyModelViewSet):
    """`activity-logs/`: the append-only audit trail, for admins."""

    queryset = ActivityLog.objects.all()
    serializer_class = ActivityLogSerializer
    permission_classes = [IsAdmin]
    filterset_class = ActivityLogFilter
    search_fields = ["username", "ip_address", "target_type", "target_id"]
    ordering_fields = ["created_at"]


class TokenRefreshDocumentation(OpenApiViewExtension):
    """SimpleJWT's refresh view, routed as it is in users/urls.py, described here."""

    target_class = "rest_framework_simplejwt.views.TokenRefreshView"

    def view_replacement(self):
        @extend_schema_view(
            post=extend_schema(
                summary="Refresh an access token",
                description="A refresh token gives a new access token, and a new refresh "
                "token: the one sent is blacklisted (rotation), so keep the new one.",
                examples=examples.REFRESH_TOKEN,
                extensions=errors(token_not_valid=("Token is blacklisted", {})),
            )
        )
        class TokenRefreshView(self.target_class):
            pass

        return TokenRefreshView


class TokenVerifyDocumentation(OpenApiViewExtension):
    """SimpleJWT's verify view, routed as it is in users/urls.py, described here."""

    target_class = "rest_framework_simplejwt.views.TokenVerifyView"

    def view_replacement(self):
        @extend_schema_view(
            post=extend_schema(
                summary="Verify a token",
                description="200 with an empty object while the token (access or refresh) is "
                "valid and not blacklisted. It says nothing about what the token may be used "
                "for.",
                extensions=errors(token_not_valid=("Token is invalid", {})),
            )
        )
        class TokenVerifyView(self.target_class):
            pass

        return TokenVerifyView
