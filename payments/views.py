from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import ConflictCode
from config.facts import Origin
from config.negotiation import FileResponsesMixin
from config.schema import errors
from config.viewsets import ListOnlyFiltersMixin
from payments import examples, selectors, services, tasks, webhooks
from payments.documents import invoice_pdf
from payments.filters import InvoiceFilter, PaymentFilter
from payments.models import Payment
from payments.serializers import (
    InvoiceSerializer,
    PaymentSerializer,
    ReceiptSerializer,
    RefundRequestSerializer,
    StartPaymentSerializer,
    VerifyPaymentSerializer,
    WebhookReceivedSerializer,
)
from registrations.models import Registration


class WebhookBodyParser(BaseParser):
    """Takes any body as it is: the webhook is read from its raw bytes, never parsed here."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


@extend_schema_view(
    list=extend_schema(summary="List payments"),
    retrieve=extend_schema(summary="Get a payment"),
)
class PaymentViewSet(
    ListOnlyFiltersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """`payments/`: one's own; organizers also those for their events; admins all."""

    serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PaymentFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return (
            selectors.visible_payments(self.request.user)
            .select_related("registration__event")
            .prefetch_related("refunds")
        )

    def _present(self, payment: Payment) -> dict:
        return PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data

    def _own_payment(self) -> Payment:
        payment = self.get_object()
        if payment.user_id != self.request.user.pk:
            raise PermissionDenied("Only the person paying can do this.")
        return payment

    @extend_schema(
        summary="Start a payment",
        request=StartPaymentSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer},
        description="Start paying one's pending registration, at its price; `client` holds "
        "what the provider's checkout needs. While a payment of it with the same provider is "
        "pending, that one is answered (200) instead of a new one (201).",
        examples=examples.START_PAYMENT,
        extensions=errors(
            "provider_disabled",
            "payment_refused",
            "provider_unavailable",
            ConflictCode.ALREADY_PAID,
            invalid_state="This registration is free: nothing to pay.",
        ),
    )
    def create(self, request, *args, **kwargs):
        serializer = StartPaymentSerializer(data=request.data)
        serializer.fields["registration"].queryset = Registration.objects.filter(user=request.user)
        serializer.is_valid(raise_exception=True)
        payment, created = services.start_payment(
            user=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(self._present(payment), status=answer)

    @extend_schema(
        summary="Verify a payment",
        request=VerifyPaymentSerializer,
        responses=PaymentSerializer,
        examples=examples.VERIFY_PAYMENT,
        extensions=errors(
            "invalid_signature",
            "payment_refused",
            "provider_unavailable",
            permission_denied="Only the person paying can do this.",
        ),
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Back from the checkout: razorpay sends its signed ids, stripe nothing (the payment
        is re-read from Stripe), mock the `outcome` it wants."""
        payment = self._own_payment()
        serializer = VerifyPaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.verify_payment(
            payment=payment, data=serializer.validated_data, origin=Origin.of(request)
        )
        return Response(self._present(payment))

    @extend_schema(
        summary="Refund a payment",
        request=RefundRequestSerializer,
        responses={201: PaymentSerializer},
        examples=examples.REFUND,
        extensions=errors(
            ConflictCode.NOT_REFUNDABLE,
            validation_error=(
                "At most 49.00 EUR is left to refund.",
                {"amount": ["Ensure this value is at most 49.00."]},
            ),
            permission_denied="Only the event's organizer or an admin can refund.",
        ),
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Give back some or all of a payment (the event's organizer, or an admin)."""
        payment = self.get_object()
        if not payment.registration.event.is_managed_by(request.user):
            raise PermissionDenied("Only the event's organizer or an admin can refund.")
        serializer = RefundRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.refund_payment(
            payment=payment,
            actor=request.user,
            origin=Origin.of(request),
            **serializer.validated_data,
        )
        return Response(self._present(payment), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Get a payment's receipt",
        responses=ReceiptSerializer,
        extensions=errors(permission_denied="A receipt is for the person who paid, and admins."),
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        payment = self.get_object()
        if payment.user_id != request.user.pk and not request.user.is_admin:
            raise PermissionDenied("A receipt is for the person who paid, and admins.")
        return Response(ReceiptSerializer(selectors.receipt(payment)).data)


@extend_schema_view(
    list=extend_schema(summary="List invoices"),
    retrieve=extend_schema(summary="Get an invoice"),
)
class InvoiceViewSet(FileResponsesMixin, ListOnlyFiltersMixin, viewsets.ReadOnlyModelViewSet):
    """`invoices/`: of one's own payments; organizers also of their events'; admins all."""

    file_actions = ("pdf",)
    serializer_class = InvoiceSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = InvoiceFilter
    search_fields = ["number", "payment__transaction_id"]
    ordering_fields = ["issued_at"]
    ordering = ["-issued_at", "-id"]

    def get_queryset(self):
        return selectors.visible_invoices(self.request.user).select_related("payment")

    @extend_schema(
        summary="Download an invoice as PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response

    @extend_schema(summary="E-mail an invoice", request=None, responses={202: InvoiceSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """E-mail the invoice (PDF attached) to the address it is billed to, from a background
        task after this answer: 202, and `sent_at` is set once it has gone."""
        invoice = self.get_object()
        transaction.on_commit(lambda: tasks.send_invoice.delay(invoice.pk))
        return Response(InvoiceSerializer(invoice).data, status=status.HTTP_202_ACCEPTED)


class WebhookSchema(AutoSchema):
    """One view answers every gateway (`as_view(provider=...)`): each operation names its own."""

    def get_summary(self):
        return f"Receive a {self.view.provider.capitalize()} webhook"

    def get_extensions(self):
        return errors(
            invalid_signature="The webhook's signature does not check.",
            provider_disabled=f"Webhooks from {self.view.provider!r} are not configured here.",
        )


class WebhookView(APIView):
    """`payments/webhooks/{provider}/`: called by the gateway, not by people. No credentials:
    the signature on the raw body is the proof. 400 when it does not check."""

    provider = ""
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    parser_classes = [WebhookBodyParser]
    schema = WebhookSchema()

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses=WebhookReceivedSerializer,
    )
    def post(self, request):
        body = request.body  # the raw bytes the signature covers, before any parsing
        headers = {name.lower(): value for name, value in request.headers.items()}
        event = webhooks.receive(provider=self.provider, body=body, headers=headers)
        return Response({"received": True, "event_id": event.event_id, "outcome": event.outcome})
