from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models

from config.admin import ThroughServicesAdmin
from config.facts import Origin
from users import services
from users.filters import action_choices
from users.models import ActivityLog, Role, User


@admin.register(User)
class UserAdmin(ThroughServicesAdmin, DjangoUserAdmin):
    """Accounts. The role decides staff access: making someone an admin here gives them the
    admin site, taking it away removes it (the `is_staff` flag follows the role). Role and
    active changes go through the same service as the API (logged; no admin can remove their
    own admin role or switch themself off)."""

    list_display = (
        "username",
        "email",
        "full_name",
        "role",
        "is_active",
        "email_verified",
        "date_joined",
    )
    list_filter = ("role", "is_active", "email_verified", "newsletter_subscribed", "date_joined")
    search_fields = ("username", "email", "first_name", "last_name", "organization")
    ordering = ("-date_joined",)
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
class ActivityLogAdmin(admin.ModelAdmin):
    """The audit trail: read-only, nothing can be added, changed or removed."""

    list_display = ("created_at", "username", "action", "ip_address", "target_type", "target_id")
    list_filter = (ActionFilter, "created_at")
    search_fields = ("username", "ip_address", "target_id", "user_agent")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
