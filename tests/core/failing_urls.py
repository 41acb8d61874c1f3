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


class ContendedView(APIView):
    """A database error as Django raises it when PostgreSQL cancels a transaction to break a
    deadlock (or for `?kind=other`, a database error that is not contention)."""

    permission_classes = [AllowAny]

    def get(self, request):
        from django.db import OperationalError
        from psycopg import errors

        cause = (
            errors.DeadlockDetected("deadlock detected")
            if request.query_params.get("kind") != "other"
            else errors.DiskFull("could not extend file")
        )
        raise OperationalError(str(cause)) from cause


urlpatterns.append(path("contended/", ContendedView.as_view()))
