from rest_framework.routers import SimpleRouter

from reviews import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("reviews", views.ReviewViewSet, basename="review")
