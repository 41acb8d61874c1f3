from django.urls import re_path
from rest_framework.routers import SimpleRouter

from events import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("events", views.EventViewSet, basename="event")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("ticket-types", views.TicketTypeViewSet, basename="ticket-type")

urlpatterns = [
    # The contract's path has no trailing slash (calendar clients expect a file name).
    re_path(
        r"^events/(?P<pk>[0-9]+)/calendar\.ics$",
        views.EventViewSet.as_view({"get": "calendar"}),
        name="event-calendar",
    ),
]
