from django.db.models import Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from config.exceptions import ApplicationError, ConflictCode
from config.facts import Origin
from config.negotiation import FileResponsesMixin
from config.schema import errors
from config.viewsets import ListOnlyFiltersMixin, WhoAsksMixin
from events import examples, selectors, services
from events.cache import cached_response
from events.calendar import event_calendar
from events.filters import EventFilter, SessionFilter, TicketTypeFilter
from events.models import Category, Event, Session, TicketType
from events.permissions import IsEventManagerOrReadOnly
from events.seating import seating
from events.serializers import (
    CategorySerializer,
    EventReadSerializer,
    EventSerializer,
    SessionSerializer,
    TicketTypeSerializer,
)
from users.permissions import IsAdmin, IsOrganizer


@extend_schema_view(
    list=extend_schema(summary="List categories"),
    create=extend_schema(summary="Create a category"),
    retrieve=extend_schema(summary="Get a category"),
    update=extend_schema(summary="Update a category"),
    partial_update=extend_schema(summary="Partially update a category"),
    destroy=extend_schema(
        summary="Delete a category",
        extensions=errors(
            invalid_state="This category still has events; move them to another category first."
        ),
    ),
)
class CategoryViewSet(WhoAsksMixin, viewsets.ModelViewSet):
    """`categories/`: read by anyone, written by admins."""

    serializer_class = CategorySerializer
    search_fields = ["name", "slug"]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.categories_with_counts()

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAdmin()]

    def perform_create(self, serializer):
        serializer.instance = services.save_category(
            category=Category(), **self.who(), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.save_category(
            category=serializer.instance, **self.who(), **serializer.validated_data
        )

    def perform_destroy(self, category):
        services.delete_category(category=category, **self.who())


CANCELLED_EVENT = errors(invalid_state="A cancelled event cannot be changed.")


@extend_schema_view(
    list=extend_schema(summary="List events", responses=EventSerializer(many=True)),
    retrieve=extend_schema(
        summary="Get an event",
        description="Anyone who may see the event. With `?promo_code=`, a code that can be "
        "used now also lists the hidden ticket types it unlocks, and gives each type it "
        "prices its `discounted_price`; any other code changes nothing.",
        parameters=[
            OpenApiParameter(
                "promo_code",
                str,
                description="A promo or access code of the event, in any case.",
            )
        ],
        responses=EventSerializer,
    ),
    create=extend_schema(
        summary="Create an event",
        description="Organizers and admins. A draft unless `status` is `published`, which must "
        "then pass the publishing rules. `price` makes one ticket type of `capacity` tickets; "
        "`ticket_types` lists several.",
        examples=examples.CREATE_EVENT,
    ),
    update=extend_schema(
        summary="Update an event",
        description="Its organizer or an admin; `status`, `price` and `ticket_types` are "
        "changed elsewhere. The currency is fixed once anyone registered.",
        extensions=CANCELLED_EVENT,
    ),
    partial_update=extend_schema(
        summary="Partially update an event",
        description="As `PUT`, with only the fields sent.",
        extensions=CANCELLED_EVENT,
    ),
    destroy=extend_schema(
        summary="Delete an event",
        description="Only while nobody holds a place at it: cancel it otherwise.",
        extensions=errors(ConflictCode.EVENT_HAS_REGISTRATIONS),
    ),
)
class EventViewSet(ListOnlyFiltersMixin, FileResponsesMixin, viewsets.ModelViewSet):
    """`events/`: the catalogue, and each event's lifecycle."""

    file_actions = ("calendar",)
    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ["title", "description", "tags__name", "location"]
    ordering_fields = ["starts_at", "created_at", "price", "title", "average_rating"]
    ordering_nulls_last = {"average_rating"}  # unrated events after rated ones, either way
    ordering = ["starts_at", "id"]

    def get_serializer_class(self):
        if self.action in ("list", "retrieve"):
            return EventReadSerializer
        return EventSerializer

    def list(self, request, *args, **kwargs):
        return cached_response(self, request, lambda: super(EventViewSet, self).list(request))

    def retrieve(self, request, *args, **kwargs):
        if self._promo_code():  # priced for whoever holds the code: never cached
            return super().retrieve(request, *args, **kwargs)
        return cached_response(
            self, request, lambda: super(EventViewSet, self).retrieve(request, *args, **kwargs)
        )

    def get_permissions(self):
        if self.action in ("list", "retrieve", "calendar"):
            return [AllowAny()]
        if self.action == "create":
            return [IsOrganizer()]
        return [IsAuthenticated(), IsEventManagerOrReadOnly()]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.with_listing_data(selectors.listed_events(user), user)
        if self.action == "retrieve":
            return selectors.with_listing_data(selectors.visible_events(user), user)
        # Actions that change or export an event read only the event itself.
        return selectors.with_viewer_attendance(
            selectors.visible_events(user).select_related("organizer"), user
        )

    def _promo_code(self) -> str:
        return self.request.query_params.get("promo_code", "").strip()[:40]

    def get_object(self):
        event = super().get_object()
        if self.action == "retrieve" and self._promo_code():
            selectors.with_code_offer(event, self._promo_code(), self.request.user)
        return event

    def _present(self, event: Event) -> dict:
        """The event as the API shows it, read again with everything the listing annotates."""
        fresh = selectors.with_listing_data(
            Event.objects.filter(pk=event.pk), self.request.user
        ).get()
        return EventReadSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = services.create_event(
            organizer=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        return Response(self._present(event), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = self.get_serializer(
            event, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        event = services.update_event(
            event=event,
            actor=request.user,
            origin=Origin.of(request),
            **serializer.validated_data,
        )
        return Response(self._present(event))

    def perform_destroy(self, event):
        services.delete_event(event=event, actor=self.request.user, origin=Origin.of(self.request))

    @extend_schema(
        summary="Publish an event",
        description="A draft becomes published: it needs a start in the future and an active "
        "ticket type.",
        request=None,
        responses=EventSerializer,
        extensions=errors(
            validation_error=(
                "The event cannot be published yet.",
                {"ticket_types": ["Add at least one active ticket type before publishing."]},
            ),
            invalid_state="Only a draft can be published; this event is published.",
        ),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        event = services.publish_event(
            event=self.get_object(), actor=request.user, origin=Origin.of(request)
        )
        return Response(self._present(event))

    @extend_schema(
        summary="Cancel an event",
        description="A draft or published event that has not ended: every registration holding "
        "seats is cancelled (and refunded in full), and the waitlist closed.",
        request=None,
        responses=EventSerializer,
        extensions=errors(invalid_state="This event is completed and cannot be cancelled."),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = services.cancel_event(
            event=self.get_object(), actor=request.user, origin=Origin.of(request)
        )
        return Response(self._present(event))

    @extend_schema(
        summary="Download an event as iCalendar",
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="RFC 5545 calendar"
            )
        },
    )
    def calendar(self, request, pk=None):
        """`events/{id}/calendar.ics`: the event as an iCalendar file."""
        event = self.get_object()
        return HttpResponse(
            event_calendar(event, viewer=request.user),
            content_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
        )


class EventPartViewSet(WhoAsksMixin, ListOnlyFiltersMixin, viewsets.ModelViewSet):
    """Base of sessions and ticket types: read by whoever may see their event, written by its
    organizer or an admin."""

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated(), IsEventManagerOrReadOnly()]

    def get_queryset(self):
        return self.queryset.filter(event__in=selectors.visible_events(self.request.user))

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action in ("create", "update", "partial_update"):
            # An event the user cannot see is "not found" in the field, as everywhere else.
            serializer.fields["event"].queryset = selectors.visible_events(self.request.user)
        return serializer

    def part_fields(self, serializer) -> dict:
        """The validated fields, checked for what the user may change."""
        data = dict(serializer.validated_data)
        event = data.pop("event", None)
        if serializer.instance is None and not event.is_managed_by(self.request.user):
            raise PermissionDenied("You can only change your own events.")
        if serializer.instance is not None and event not in (None, serializer.instance.event):
            raise ApplicationError(
                "A session or ticket type cannot move to another event.",
                code="validation_error",
                details={"event": ["Cannot be changed."]},
            )
        return data


@extend_schema_view(
    list=extend_schema(summary="List sessions"),
    create=extend_schema(summary="Create a session"),
    retrieve=extend_schema(summary="Get a session"),
    update=extend_schema(summary="Update a session"),
    partial_update=extend_schema(summary="Partially update a session"),
    destroy=extend_schema(
        summary="Delete a session",
        extensions=errors(
            invalid_state="People were checked in to this session: it stays as the record of "
            "attendance."
        ),
    ),
)
class SessionViewSet(EventPartViewSet):
    """`sessions/`: talks and lessons inside an event's time window."""

    queryset = Session.objects.select_related("event", "speaker")

    def get_queryset(self):
        # Whether the reader attends each session's event: a link to join is theirs to see.
        attending = seating().held_by(self.request.user, event="event")
        return super().get_queryset().annotate(viewer_is_attendee=attending)

    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    ordering_fields = ["starts_at"]
    search_fields = ["title", "speaker_name"]

    def perform_create(self, serializer):
        fields = self.part_fields(serializer)
        session = Session(event=serializer.validated_data["event"])
        serializer.instance = services.save_session(session=session, **self.who(), **fields)

    def perform_update(self, serializer):
        fields = self.part_fields(serializer)
        serializer.instance = services.save_session(
            session=serializer.instance, **self.who(), **fields
        )

    def perform_destroy(self, session):
        services.delete_session(session=session, **self.who())


@extend_schema_view(
    list=extend_schema(summary="List ticket types"),
    create=extend_schema(summary="Create a ticket type"),
    retrieve=extend_schema(summary="Get a ticket type"),
    update=extend_schema(summary="Update a ticket type"),
    partial_update=extend_schema(summary="Partially update a ticket type"),
    destroy=extend_schema(
        summary="Delete a ticket type",
        extensions=errors(
            invalid_state="Tickets of this type were sold: deactivate it instead (is_active false)."
        ),
    ),
)
class TicketTypeViewSet(EventPartViewSet):
    """`ticket-types/`: what an event sells, with seats sold and still available."""

    serializer_class = TicketTypeSerializer
    filterset_class = TicketTypeFilter
    ordering_fields = ["price", "name"]

    def get_queryset(self):
        # Built per request: `sold` counts holds against the time of this request.
        ticket_types = selectors.ticket_types_with_sales().select_related("event")
        user = self.request.user
        # A hidden type is its event's managers' to see (and a code holder's, on the page).
        return ticket_types.filter(
            Q(is_hidden=False) | Q(event__in=selectors.manageable_events(user)),
            event__in=selectors.visible_events(user),
        )

    def perform_create(self, serializer):
        fields = self.part_fields(serializer)
        ticket_type = TicketType(event=serializer.validated_data["event"])
        serializer.instance = services.save_ticket_type(
            ticket_type=ticket_type, **self.who(), **fields
        )

    def perform_update(self, serializer):
        fields = self.part_fields(serializer)
        serializer.instance = services.save_ticket_type(
            ticket_type=serializer.instance, **self.who(), **fields
        )

    def perform_destroy(self, ticket_type):
        services.delete_ticket_type(ticket_type=ticket_type, **self.who())
