from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from certificates import selectors, services
from certificates.documents import certificate_pdf
from certificates.filters import CertificateFilter
from certificates.models import Certificate
from certificates.serializers import (
    CertificateSerializer,
    IssuedSerializer,
    VerificationSerializer,
)
from config.facts import Origin
from config.negotiation import FileResponsesMixin
from config.schema import errors
from config.viewsets import ListOnlyFiltersMixin
from events.selectors import visible_events


@extend_schema_view(
    list=extend_schema(summary="List certificates"),
    retrieve=extend_schema(summary="Get a certificate"),
)
class CertificateViewSet(FileResponsesMixin, ListOnlyFiltersMixin, viewsets.ReadOnlyModelViewSet):
    """`certificates/`: one's own; organizers also those of their events (`?event=`); admins
    all. Downloading is the holder's: `pdf/` marks it downloaded only when they fetch it."""

    file_actions = ("pdf",)
    serializer_class = CertificateSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = CertificateFilter
    search_fields = ["number", "event__title"]
    ordering_fields = ["issued_at"]
    ordering = ["-issued_at", "-id"]

    def get_queryset(self):
        return selectors.visible_certificates(self.request.user).select_related("event")

    def _mark_if_holder(self, certificate: Certificate) -> Certificate:
        if certificate.user_id == self.request.user.pk:
            return services.mark_downloaded(
                certificate=certificate, user=self.request.user, origin=Origin.of(self.request)
            )
        return certificate

    @extend_schema(
        summary="Download a certificate as PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The certificate as a PDF; fetched by its holder, it counts as downloaded."""
        certificate = self._mark_if_holder(self.get_object())
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
        return response

    @extend_schema(
        summary="Mark a certificate downloaded",
        request=None,
        responses=CertificateSerializer,
        extensions=errors(permission_denied="Only its holder can mark a certificate downloaded."),
    )
    @action(detail=True, methods=["post"])
    def mark_as_downloaded(self, request, pk=None):
        """The holder says they have it (the app downloaded the PDF some other way)."""
        certificate = self.get_object()
        if certificate.user_id != request.user.pk:
            raise PermissionDenied("Only its holder can mark a certificate downloaded.")
        return Response(CertificateSerializer(self._mark_if_holder(certificate)).data)


class VerifyView(APIView):
    """`certificates/verify/{number}/`: anyone may check that a certificate is real. It says
    only whose it is, for what, and when it was issued; an unknown number is a 404."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Verify a certificate",
        responses=VerificationSerializer,
        examples=[
            OpenApiExample(
                "A real certificate",
                response_only=True,
                value={
                    "valid": True,
                    "number": "CERT-7KQ2-M9XD-4HTP",
                    "holder_name": "Ada Lovelace",
                    "event_title": "Django Day Berlin",
                    "issued_at": "2031-03-18T18:00:00Z",
                },
            )
        ],
    )
    def get(self, request, number):
        certificate = get_object_or_404(
            Certificate.objects.select_related("event"), number=number.strip().upper()
        )
        return Response(
            VerificationSerializer(
                {
                    "valid": True,
                    "number": certificate.number,
                    "holder_name": certificate.holder_name,
                    "event_title": certificate.event.title,
                    "issued_at": certificate.issued_at,
                }
            ).data
        )


class IssueCertificatesView(APIView):
    """`events/{id}/issue_certificates/`: the event's organizer or an admin issues its
    certificates now (the periodic task does it too), once the event has ended."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Issue an event's certificates",
        request=None,
        responses=IssuedSerializer,
        examples=[
            OpenApiExample("Three attendees certified now", response_only=True, value={"issued": 3})
        ],
        extensions=errors(
            permission_denied="Only the event's organizer or an admin can issue them.",
            invalid_state="Certificates are issued once an event has ended; this one is published.",
        ),
    )
    def post(self, request, pk):
        event = get_object_or_404(visible_events(request.user), pk=pk)
        if not event.is_managed_by(request.user):
            raise PermissionDenied("Only the event's organizer or an admin can issue them.")
        issued = services.issue_certificates(
            event=event, actor=request.user, origin=Origin.of(request)
        )
        return Response({"issued": issued})
