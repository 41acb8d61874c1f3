from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import models, transaction
from rest_framework_simplejwt.token_blacklist.admin import (
    BlacklistedTokenAdmin,
    OutstandingTokenAdmin,
)
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config.admin import AutocompleteFilter, EventHubAdmin, ThroughServicesAdmin
from config.facts import Origin
from users import services
from users.filters import action_choices
from users.models import ActivityLog, Role, User


class PasswordThroughServiceForm(AdminPasswordChangeForm):
    """The admin's password page, through the same service as the API: every session of the
    account ends and the change is in the activity log (the admin who did it is in the
    account's admin history)."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        services.change_password(
            user=self.user, new_password=self.cleaned_data["password1"] if usable else None
        )
        return self.user


# Fields of the change form that `update_user_as_admin` handles (role, active) or that are not
# the profile; everything else changed on the form is a profile edit.
NOT_PROFILE_FIELDS = {"role", "is_active", "is_superuser", "password"}


@admin.register(User)
class UserAdmin(ThroughServicesAdmin, DjangoUserAdmin):
    """Accounts. The role decides staff access: making someone an admin here gives them the
    admin site, taking it away removes it (the `is_staff` flag follows the role). Role and
    active changes go through the same service as the API (logged; no admin can remove their
    own admin role or switch themself off)."""

    list_display = (
        "username",
        "email",
        "name",
        "role",
        "is_active",
        "email_verified",
        "date_joined",
    )
    list_filter = ("role", "is_active", "email_verified", "newsletter_subscribed", "date_joined")
    search_fields = ("username", "email", "first_name", "last_name", "organization")
    ordering = ("-date_joined",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email", "email_verified")}),
        ("Role and status", {"fields": ("role", "is_active", "is_superuser")}),
        (
            "Profile",
            {
                "fields": (
                    "bio",
                    "phone",
                    "avatar",
                    "website",
                    "organization",
                    "twitter",
                    "linkedin",
                    "github",
                    "facebook",
                )
            },
        ),
        ("Settings", {"fields": ("newsletter_subscribed", "notifications_enabled")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "role", "password1", "password2"),
            },
        ),
    )

    change_password_form = PasswordThroughServiceForm

    actions = ["delete_accounts"]

    @admin.display(description="name", ordering="last_name")
    def name(self, user):
        return user.get_full_name() or None  # the username is its own column

    def has_delete_permission(self, request, obj=None):
        # Django's delete would remove the row (or refuse: registrations protect it). Accounts
        # are deleted as the API deletes them, with the action below.
        return False

    @admin.action(description="Delete the selected accounts (scrubbed and switched off)")
    def delete_accounts(self, request, queryset):
        """The API's account deletion: personal data scrubbed, sign-in off, sessions ended,
        the row kept for its registrations. Never the admin's own account."""
        accounts = list(
            queryset.exclude(pk=request.user.pk).exclude(username__startswith="deleted@")
        )
        with transaction.atomic():
            for account in accounts:
                services.deactivate_account(user=account, origin=Origin.of(request))
        self.message_user(request, f"{len(accounts)} accounts deleted.", messages.SUCCESS)
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "Your own account was left alone.", messages.WARNING)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = obj.role == Role.ADMIN
            obj.is_superuser = obj.is_superuser and obj.is_staff
            super().save_model(request, obj, form, change)
            return
        role, is_active = obj.role, obj.is_active
        obj.role, obj.is_active = form.initial["role"], form.initial["is_active"]
        obj.is_superuser = obj.is_superuser and obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)
        services.profile_edited_by_admin(
            user=obj,
            changed=[name for name in form.changed_data if name not in NOT_PROFILE_FIELDS],
            actor=request.user,
            origin=Origin.of(request),
        )
        services.update_user_as_admin(
            actor=request.user,
            user=obj,
            role=role,
            is_active=is_active,
            origin=Origin.of(request),
        )


class ActionFilter(admin.SimpleListFilter):
    """Every action some app records (each declares its own facts)."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, entries):
        return entries.filter(action=self.value()) if self.value() else entries


@admin.register(ActivityLog)
class ActivityLogAdmin(EventHubAdmin):
    """The audit trail: read-only, nothing can be added, changed or removed."""

    list_display = ("created_at", "username", "action", "ip_address", "target_type", "target_id")
    list_filter = (ActionFilter, ("user", AutocompleteFilter), "created_at")
    search_fields = ("username", "ip_address", "target_id", "user_agent")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The sign-in tokens (djangorestframework-simplejwt's blacklist): found by the person's name or
# address, not only their id, newest first.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(OutstandingToken)
class SignInTokenAdmin(EventHubAdmin, OutstandingTokenAdmin):
    list_filter = (("user", AutocompleteFilter), "expires_at")
    search_fields = ("=jti", "user__username", "user__email")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"


@admin.register(BlacklistedToken)
class RevokedTokenAdmin(EventHubAdmin, BlacklistedTokenAdmin):
    list_filter = (("token__user", AutocompleteFilter), "blacklisted_at")
    search_fields = ("=token__jti", "token__user__username", "token__user__email")
    ordering = ("-blacklisted_at",)
    date_hierarchy = "blacklisted_at"
