"""A URL conf with a view that fails, to see what the client gets from an unexpected error."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class BoomView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("an unexpected failure with internal details")


urlpatterns = [path("boom/", BoomView.as_view())]
