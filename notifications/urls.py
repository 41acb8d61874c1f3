from rest_framework.routers import SimpleRouter

from notifications import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
