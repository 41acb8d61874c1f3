import io

import qrcode
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.exceptions import ConflictCode
from config.facts import Origin
from config.negotiation import FileResponsesMixin
from config.schema import errors
from config.viewsets import ListOnlyFiltersMixin, WhoAsksMixin
from events.models import Event, Session, TicketType
from events.selectors import manageable_events, visible_events
from registrations import dashboard, examples, selectors
from registrations.exports import attendees_csv
from registrations.filters import (
    ProgressFilter,
    PromoCodeFilter,
    RegistrationFilter,
    TicketFilter,
    WaitlistFilter,
)
from registrations.models import PromoCode, Registration, RegistrationStatus, SessionProgress
from registrations.serializers import (
    AttendeeSerializer,
    CheckInSerializer,
    EventStatisticsSerializer,
    ProgressSerializer,
    PromoCodeSerializer,
    RegistrationSerializer,
    TicketSerializer,
    WaitlistEntrySerializer,
)
from registrations.services import booking, checkin, progress, promo_codes, waitlist
from registrations.statistics import event_statistics
from users.permissions import IsOrganizer


class VisibleEventFieldMixin:
    """The `event` and `ticket_type` fields of an input only accept what the user may see;
    the rest reads exactly like an id that does not exist, as everywhere else."""

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            events = visible_events(self.request.user)
            serializer.fields["event"].queryset = events
            serializer.fields["ticket_type"].queryset = TicketType.objects.filter(event__in=events)
        return serializer


DECIDE_ERRORS = errors(
    permission_denied="Only the event's organizer can decide on registrations.",
    invalid_state="Only a pending registration awaiting approval can be decided; this one is "
    "confirmed.",
)


@extend_schema_view(
    list=extend_schema(summary="List registrations"),
    retrieve=extend_schema(summary="Get a registration"),
    create=extend_schema(
        summary="Book a registration",
        description="Book `quantity` seats of `ticket_type` (default: the cheapest on sale). "
        "A free event without approval confirms at once, with one ticket per seat; a paid one "
        "is `pending` and holds the seats until `expires_at`, for `POST payments/`; an event "
        "requiring approval holds them until its organizer decides. People on the waitlist "
        "are served first.",
        examples=examples.BOOK,
        extensions=errors(
            ConflictCode.SOLD_OUT,
            ConflictCode.ALREADY_REGISTERED,
            ConflictCode.REGISTRATION_CLOSED,
            validation_error=(
                "At most 1 Student tickets per order.",
                {"quantity": ["Ensure this value is at most 1."]},
            ),
        ),
    ),
)
class RegistrationViewSet(
    ListOnlyFiltersMixin,
    VisibleEventFieldMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """`registrations/`: one's own; organizers also see those for their events, admins all."""

    serializer_class = RegistrationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = RegistrationFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return (
            selectors.visible_registrations(self.request.user)
            .select_related("event", "user", "ticket_type", "promo_code")
            .prefetch_related("tickets")
        )

    def _present(self, registration: Registration) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=registration.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = booking.register_for_event(
            user=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        return Response(self._present(registration), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel a registration",
        description="Its holder before the event starts, its organizer or an admin at any "
        "time. The seats go to the waitlist at once; what is due back is refunded.",
        request=None,
        responses=RegistrationSerializer,
        extensions=errors(ConflictCode.NOT_CANCELLABLE),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        registration = booking.cancel_registration(
            registration=self.get_object(), actor=request.user, origin=Origin.of(request)
        )
        return Response(self._present(registration))

    def _managed_registration(self) -> Registration:
        registration = self.get_object()
        if not registration.event.is_managed_by(self.request.user):
            raise PermissionDenied("Only the event's organizer can decide on registrations.")
        return registration

    @extend_schema(
        summary="Approve a registration",
        request=None,
        responses=RegistrationSerializer,
        extensions=DECIDE_ERRORS,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Approve a registration for an event that requires approval."""
        registration = booking.approve_registration(
            registration=self._managed_registration(),
            actor=request.user,
            origin=Origin.of(request),
        )
        return Response(self._present(registration))

    @extend_schema(
        summary="Reject a registration",
        description="Turn down a registration awaiting approval; its seats go to the waitlist.",
        request=None,
        responses=RegistrationSerializer,
        extensions=DECIDE_ERRORS,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        registration = booking.reject_registration(
            registration=self._managed_registration(),
            actor=request.user,
            origin=Origin.of(request),
        )
        return Response(self._present(registration))


@extend_schema_view(
    list=extend_schema(summary="List tickets"),
    retrieve=extend_schema(summary="Get a ticket"),
)
class TicketViewSet(ListOnlyFiltersMixin, FileResponsesMixin, viewsets.ReadOnlyModelViewSet):
    """`tickets/`: one's own tickets; organizers also those of their events. Addressed by code."""

    serializer_class = TicketSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = TicketFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    file_actions = ("qr",)
    search_fields = ["attendee_name", "code"]
    ordering_fields = ["created_at", "checked_in_at"]

    def get_queryset(self):
        return selectors.visible_tickets(self.request.user).select_related("event", "registration")

    @extend_schema(
        summary="Get a ticket's QR code",
        responses={(200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def qr(self, request, code=None):
        """The ticket's code as a QR code (PNG), to show at the door."""
        ticket = self.get_object()
        image = qrcode.make(ticket.code, box_size=8, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return HttpResponse(buffer.getvalue(), content_type="image/png")

    @extend_schema(
        summary="Check in a ticket",
        request=CheckInSerializer,
        responses=TicketSerializer,
        examples=examples.CHECK_IN,
        extensions=errors(
            ConflictCode.ALREADY_CHECKED_IN,
            ConflictCode.NOT_CONFIRMED,
            not_found="No ticket with this code at your events.",
        ),
    )
    @action(detail=False, methods=["post"], permission_classes=[IsOrganizer])
    def check_in(self, request):
        """Admit a ticket by its code (optionally to one session). Organizers of the event and
        admins only; a code of another organizer's event is unknown (404)."""
        serializer = CheckInSerializer(data=request.data)
        # Sessions of events the caller does not manage read like ids that do not exist.
        serializer.fields["session"].queryset = Session.objects.filter(
            event__in=manageable_events(request.user)
        )
        serializer.is_valid(raise_exception=True)
        ticket = checkin.check_in(
            actor=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        return Response(TicketSerializer(ticket, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="List waitlist entries"),
    retrieve=extend_schema(summary="Get a waitlist entry"),
    create=extend_schema(
        summary="Join a waitlist",
        description="Queue for seats of a sold-out event, for one ticket type or any. When "
        "seats free up they go to the waiting entries in order: at a free event the place is "
        "confirmed at once, at a paid one it is held for you until `offer_expires_at`.",
        examples=examples.JOIN_WAITLIST,
        extensions=errors(
            ConflictCode.SEATS_AVAILABLE,
            ConflictCode.ALREADY_ON_WAITLIST,
            ConflictCode.ALREADY_REGISTERED,
            ConflictCode.REGISTRATION_CLOSED,
        ),
    ),
)
class WaitlistViewSet(
    ListOnlyFiltersMixin,
    VisibleEventFieldMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """`waitlist/`: one's own places in queues; organizers also see their events' queues."""

    serializer_class = WaitlistEntrySerializer
    permission_classes = [IsAuthenticated]
    filterset_class = WaitlistFilter
    ordering_fields = ["created_at"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        entries = selectors.visible_waitlist(self.request.user).select_related("promo_code")
        return selectors.with_positions(entries)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = waitlist.join_waitlist(
            user=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        fresh = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Leave a waitlist",
        description="Leaving with an offer declines it: its held seats go to the next in line.",
        request=None,
        responses=WaitlistEntrySerializer,
        extensions=errors(
            permission_denied="Only the person waiting can leave the waitlist.",
            invalid_state="This waitlist entry is converted.",
        ),
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        entry = self.get_object()
        if entry.user_id != request.user.pk:
            raise PermissionDenied("Only the person waiting can leave the waitlist.")
        waitlist.leave_waitlist(entry=entry, origin=Origin.of(request))
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List my progress"),
    retrieve=extend_schema(summary="Get my progress on a session"),
    update=extend_schema(summary="Update my progress on a session"),
    partial_update=extend_schema(summary="Partially update my progress on a session"),
)
class ProgressViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """`progress/`: one row per session of each event the user is confirmed for."""

    serializer_class = ProgressSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = ProgressFilter
    ordering = ["session__starts_at", "id"]

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema generator asks anonymously
            return SessionProgress.objects.none()
        confirmed = Registration.objects.filter(
            event=OuterRef("session__event"),
            user=self.request.user,
            status=RegistrationStatus.CONFIRMED,
        )
        return SessionProgress.objects.filter(
            Exists(confirmed), user=self.request.user
        ).select_related("session")

    def list(self, request, *args, **kwargs):
        progress.progress_for(user=request.user)
        return super().list(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = progress.update_progress(
            progress=serializer.instance,
            origin=Origin.of(self.request),
            **serializer.validated_data,
        )


PROMO_CODE_WRITE_ERRORS = errors(
    permission_denied="You can only change your own events.",
    validation_error=(
        "This event already has this code.",
        {"code": ["This event already has this code."]},
    ),
)


@extend_schema_view(
    list=extend_schema(summary="List promo codes"),
    create=extend_schema(
        summary="Create a promo code",
        description="A discount (`percent`, `fixed` off each seat, or `none` for an access "
        "code) on some or all of an event's ticket types; `unlocks_hidden` also opens its "
        "hidden types. The event's organizer and admins.",
        extensions=PROMO_CODE_WRITE_ERRORS,
    ),
    retrieve=extend_schema(summary="Get a promo code"),
    update=extend_schema(
        summary="Update a promo code",
        description="Registrations already made with it keep their price; its event cannot change.",
        extensions=PROMO_CODE_WRITE_ERRORS,
    ),
    partial_update=extend_schema(
        summary="Partially update a promo code",
        description="As `PUT`, with only the fields sent.",
        extensions=PROMO_CODE_WRITE_ERRORS,
    ),
    destroy=extend_schema(
        summary="Delete a promo code",
        description="Only while no registration was made with it: deactivate it otherwise.",
        extensions=errors(
            invalid_state="Registrations were made with this code: deactivate it instead "
            "(is_active false)."
        ),
    ),
)
class PromoCodeViewSet(WhoAsksMixin, ListOnlyFiltersMixin, viewsets.ModelViewSet):
    """`promo-codes/`: the codes of the events one manages (admins: all); anyone else finds
    none (404), so codes cannot be read or probed."""

    serializer_class = PromoCodeSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = PromoCodeFilter
    search_fields = ["code"]
    ordering_fields = ["code", "created_at"]
    ordering = ["event", "code"]

    def get_queryset(self):
        return (
            PromoCode.objects.filter(event__in=manageable_events(self.request.user))
            .annotate(uses=selectors.promo_code_uses_by_code())
            .select_related("event")
            .prefetch_related("ticket_types")
        )

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action in ("create", "update", "partial_update"):
            # What the user cannot see reads like an id that does not exist, as everywhere.
            events = visible_events(self.request.user)
            serializer.fields["event"].queryset = events
            serializer.fields["ticket_types"].child_relation.queryset = TicketType.objects.filter(
                event__in=events
            )
        return serializer

    def _present(self, promo_code: PromoCode) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=promo_code.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not fields["event"].is_managed_by(request.user):
            raise PermissionDenied("You can only change your own events.")
        promo_code = promo_codes.create_promo_code(**self.who(), **fields)
        return Response(self._present(promo_code), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        serializer = self.get_serializer(
            self.get_object(), data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("event", None)  # the same event: `validate_event` refuses another
        promo_code = promo_codes.update_promo_code(
            promo_code=serializer.instance, **self.who(), **fields
        )
        return Response(self._present(promo_code))

    def perform_destroy(self, promo_code):
        promo_codes.delete_promo_code(promo_code=promo_code, **self.who())


class DashboardView(APIView):
    """`dashboard/`: what matters to the caller, by role."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Get my dashboard", responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(dashboard.for_user(request.user))


MANAGERS_ONLY = errors(permission_denied="Only the event's organizer or an admin may see this.")


class EventRegistrationsViewSet(FileResponsesMixin, viewsets.GenericViewSet):
    """`events/{id}/attendees/` and `events/{id}/statistics/`: who registered for an event, and
    its numbers, for its organizer and admins. Others who may see the event get 403; an event
    one may not see is 404."""

    permission_classes = [IsAuthenticated]
    file_actions = ("attendees",)
    serializer_class = AttendeeSerializer

    def get_queryset(self):
        return visible_events(self.request.user)

    def _managed_event(self) -> Event:
        event = self.get_object()
        if not event.is_managed_by(self.request.user):
            raise PermissionDenied("Only the event's organizer or an admin may see this.")
        return event

    @extend_schema(
        summary="List an event's attendees",
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"])],
        responses={
            200: AttendeeSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
        extensions=MANAGERS_ONLY,
    )
    @action(detail=True, methods=["get"])
    def attendees(self, request, pk=None):
        """The event's registrations with name, e-mail, ticket type, quantity, status and how
        many tickets were checked in; `?format=csv` gives the whole list as CSV."""
        event = self._managed_event()
        registrations = selectors.attendees_of(event)
        if request.query_params.get("format") == "csv":
            return attendees_csv(event, registrations)
        page = self.paginate_queryset(registrations)
        return self.get_paginated_response(AttendeeSerializer(page, many=True).data)

    @extend_schema(
        summary="Get an event's statistics",
        description="Seats, check-ins, the waitlist, ratings, money and registrations by day "
        "and by ticket type, for the event's organizer and admins.",
        responses=EventStatisticsSerializer,
        extensions=MANAGERS_ONLY,
    )
    @action(detail=True, methods=["get"])
    def statistics(self, request, pk=None):
        return Response(EventStatisticsSerializer(event_statistics(self._managed_event())).data)
