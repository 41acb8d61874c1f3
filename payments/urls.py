from django.urls import path
from rest_framework.routers import SimpleRouter

from payments import views

# Combined with the other apps' routers into the API root in config/urls.py.
router = SimpleRouter()
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("invoices", views.InvoiceViewSet, basename="invoice")

urlpatterns = [
    path(
        "payments/webhooks/stripe/",
        views.WebhookView.as_view(provider="stripe"),
        name="webhook-stripe",
    ),
    path(
        "payments/webhooks/razorpay/",
        views.WebhookView.as_view(provider="razorpay"),
        name="webhook-razorpay",
    ),
]
