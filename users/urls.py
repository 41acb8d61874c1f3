from django.urls import include, path
from rest_framework.routers import SimpleRouter
from rest_framework_simplejwt.views import TokenRefreshView, TokenVerifyView

from users import site, views

# Only the account endpoints of the contract are routed (Djoser also offers username changes
# and a user list; we leave those out).
account = views.AccountViewSet.as_view
auth_patterns = [
    path("users/", account({"post": "create"}), name="account-create"),
    path(
        "users/me/",
        account({"get": "me", "put": "me", "patch": "me", "delete": "me"}),
        name="account-me",
    ),
    path("users/activation/", account({"post": "activation"}), name="account-activation"),
    path(
        "users/resend_activation/",
        account({"post": "resend_activation"}),
        name="account-resend-activation",
    ),
    path("users/set_password/", account({"post": "set_password"}), name="account-set-password"),
    path(
        "users/reset_password/",
        account({"post": "reset_password"}),
        name="account-reset-password",
    ),
    path(
        "users/reset_password_confirm/",
        account({"post": "reset_password_confirm"}),
        name="account-reset-password-confirm",
    ),
    path("jwt/create/", views.LoginView.as_view(), name="jwt-create"),
    path("jwt/refresh/", TokenRefreshView.as_view(), name="jwt-refresh"),
    path("jwt/verify/", TokenVerifyView.as_view(), name="jwt-verify"),
    path("jwt/logout/", views.LogoutView.as_view(), name="jwt-logout"),
    path("password_strength/", views.PasswordStrengthView.as_view(), name="password-strength"),
]

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("activity-logs", views.ActivityLogViewSet, basename="activity-log")

urlpatterns = [path("auth/", include(auth_patterns))]

# Outside the API: the front door at `/`.
site_patterns = [path("", site.front_door, name="front-door")]
