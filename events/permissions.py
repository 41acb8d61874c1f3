from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsEventManagerOrReadOnly(BasePermission):
    """Reading is for whoever may see the event (the queryset decides, so others get 404);
    changing it is for its organizer and admins (others who can see it get 403)."""

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        event = getattr(obj, "event", obj)
        return event.is_managed_by(request.user)
