from django.urls import path
from rest_framework.routers import SimpleRouter

from registrations import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("waitlist", views.WaitlistViewSet, basename="waitlist")
router.register("progress", views.ProgressViewSet, basename="progress")
router.register("promo-codes", views.PromoCodeViewSet, basename="promo-code")
# `events/{id}/attendees/` and `events/{id}/statistics/`: detail actions only, beside the
# catalogue's own `events/` routes.
router.register("events", views.EventRegistrationsViewSet, basename="event")

urlpatterns = [path("dashboard/", views.DashboardView.as_view(), name="dashboard")]
