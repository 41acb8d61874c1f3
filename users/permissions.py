from rest_framework.permissions import BasePermission


class IsAdmin(BasePermission):
    """Admins (staff) only."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_admin)


class IsOrganizer(BasePermission):
    """Organizers and admins: those who may publish events."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_organizer)
