from django.urls import path
from rest_framework.routers import SimpleRouter

from certificates import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("certificates", views.CertificateViewSet, basename="certificate")

urlpatterns = [
    path(
        "certificates/verify/<str:number>/",
        views.VerifyView.as_view(),
        name="certificate-verify",
    ),
    path(
        "events/<int:pk>/issue_certificates/",
        views.IssueCertificatesView.as_view(),
        name="event-issue-certificates",
    ),
]
