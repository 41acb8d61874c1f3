"""A URL conf with a view that fails, to see what the client gets from an unexpected error."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("an unexpected failure with internal details")


urlpatterns = [path("boom/", BoomView.as_view())]


class RefusingView(APIView):
    """Django's own exceptions, raised where DRF does not translate them."""

    permission_classes = [AllowAny]

    def get(self, request):
        from django.core.exceptions import PermissionDenied, ValidationError

        if request.query_params.get("kind") == "model-validation":
            raise ValidationError({"capacity": ["Must be at least 3."]})
        raise PermissionDenied("not for you")


urlpatterns.append(path("refuse/", RefusingView.as_view()))
