from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.facts import Origin
from config.viewsets import ListOnlyFiltersMixin
from notifications import examples
from notifications.filters import DeliveryFilter, NotificationFilter, WebhookFilter
from notifications.models import Notification, Webhook
from notifications.serializers import (
    NotificationSerializer,
    UnreadCountSerializer,
    UpdatedSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
    WebhookWithSecretSerializer,
)
from notifications.services import inbox, webhooks
from users.permissions import IsOrganizer


@extend_schema_view(
    list=extend_schema(summary="List my notifications"),
    retrieve=extend_schema(summary="Get a notification"),
    destroy=extend_schema(summary="Delete a notification"),
)
class NotificationViewSet(
    ListOnlyFiltersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """`notifications/`: one's own, newest first; nobody else's, admins included (404)."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema generator asks anonymously
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user).select_related("event")

    def perform_destroy(self, instance):
        inbox.delete(instance)

    @extend_schema(
        summary="Mark a notification read", request=None, responses=NotificationSerializer
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read (again: no change, `read_at` stays the first time)."""
        return Response(NotificationSerializer(inbox.mark_read(self.get_object())).data)

    @extend_schema(
        summary="Mark all my notifications read",
        request=None,
        responses=UpdatedSerializer,
        examples=examples.READ_ALL,
    )
    @action(detail=False, methods=["post"])
    def read_all(self, request):
        """Mark every unread notification read; `updated` says how many."""
        return Response({"updated": inbox.mark_all_read(request.user)})

    @extend_schema(summary="Count my unread notifications", responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"])
    def unread_count(self, request):
        return Response({"unread_count": self.get_queryset().filter(is_read=False).count()})


@extend_schema_view(
    list=extend_schema(summary="List webhooks"),
    retrieve=extend_schema(summary="Get a webhook"),
    update=extend_schema(summary="Update a webhook"),
    partial_update=extend_schema(summary="Partially update a webhook"),
    destroy=extend_schema(summary="Delete a webhook"),
)
class WebhookViewSet(ListOnlyFiltersMixin, viewsets.ModelViewSet):
    """`webhooks/`: organizers' own endpoints for events of their events (admins see all, and
    theirs receive every event). The `secret` is answered once, when made or replaced."""

    serializer_class = WebhookSerializer
    permission_classes = [IsOrganizer]
    filterset_class = WebhookFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator asks anonymously
            return Webhook.objects.none()
        return Webhook.objects.all() if user.is_admin else Webhook.objects.filter(owner=user)

    @extend_schema(
        summary="Create a webhook",
        description="An endpoint told, by a signed `POST`, of what happens at your events (an "
        "admin's, at every event). The answer holds the `secret` that signs the deliveries: "
        "it is shown only this once (`rotate_secret/` replaces it).",
        responses={201: WebhookWithSecretSerializer},
        examples=examples.CREATE_WEBHOOK,
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = webhooks.create_webhook(
            owner=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        return Response(WebhookWithSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = webhooks.update_webhook(
            webhook=serializer.instance,
            actor=self.request.user,
            origin=Origin.of(self.request),
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        webhooks.delete_webhook(
            webhook=instance, actor=self.request.user, origin=Origin.of(self.request)
        )

    @extend_schema(
        summary="List a webhook's deliveries",
        responses=WebhookDeliverySerializer(many=True),
        parameters=[
            OpenApiParameter(
                "status",
                enum=["pending", "sending", "succeeded", "failed"],
                description="Where the delivery stands.",
            ),
            OpenApiParameter("type", str, description="An event type, or `ping`."),
        ],
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request, pk=None):
        """The webhook's deliveries, newest first, with what the last attempt got back."""
        filterset = DeliveryFilter(
            request.query_params,
            queryset=self.get_object().deliveries.order_by("-created_at", "-id"),
            request=request,
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Ping a webhook", request=None, responses={202: WebhookDeliverySerializer}
    )
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        """Send a test delivery (`type: ping`) now; its outcome shows in `deliveries/`."""
        delivery = webhooks.ping(webhook=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Rotate a webhook's secret", request=None, responses=WebhookWithSecretSerializer
    )
    @action(detail=True, methods=["post"])
    def rotate_secret(self, request, pk=None):
        """Replace the secret: the new one is answered once and signs every delivery from
        now on."""
        webhook = webhooks.rotate_secret(
            webhook=self.get_object(), actor=request.user, origin=Origin.of(request)
        )
        return Response(WebhookWithSecretSerializer(webhook).data)
