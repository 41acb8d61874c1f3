from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from config.exceptions import ConflictCode
from config.facts import Origin
from config.schema import errors
from config.viewsets import ListOnlyFiltersMixin
from events.selectors import visible_events
from reviews import examples, selectors, services
from reviews.filters import ReviewFilter
from reviews.serializers import ReviewChangeSerializer, ReviewSerializer, VoteSerializer


@extend_schema_view(
    list=extend_schema(summary="List reviews"),
    retrieve=extend_schema(summary="Get a review"),
    create=extend_schema(
        summary="Write a review",
        description="For someone holding a confirmed registration for the event, once it has "
        "started; never its organizer. One review per person and event.",
        examples=examples.WRITE_REVIEW,
        extensions=errors(
            ConflictCode.ALREADY_REVIEWED,
            not_confirmed="Only people with a confirmed registration for this event can review it.",
            invalid_state="An event can be reviewed once it has started.",
            permission_denied="An event's organizer cannot review it.",
        ),
    ),
    destroy=extend_schema(
        summary="Delete a review",
        description="Its author, or an admin (moderation); its votes go with it.",
        extensions=errors(permission_denied="Only its author or an admin can delete a review."),
    ),
)
class ReviewViewSet(ListOnlyFiltersMixin, viewsets.ModelViewSet):
    """`reviews/`: read by anyone who may see the event; written by people who were there
    (a confirmed place, the event started), changed by their author, removed by their author
    or an admin."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    search_fields = ["title", "body", "event__title"]
    ordering_fields = ["created_at", "rating", "helpful_count"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.with_votes(selectors.visible_reviews(self.request.user)).select_related(
            "event", "user"
        )

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["event"].queryset = visible_events(self.request.user)
        return serializer

    def _present(self, review) -> dict:
        return ReviewSerializer(self.get_queryset().get(pk=review.pk)).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.create_review(
            user=request.user, origin=Origin.of(request), **serializer.validated_data
        )
        return Response(self._present(review), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Update a review",
        description="Its author changes `rating`, `title` or `body`.",
        request=ReviewChangeSerializer,
        responses=ReviewSerializer,
        extensions=errors(permission_denied="Only its author can change a review."),
    )
    def partial_update(self, request, *args, **kwargs):
        review = self.get_object()
        serializer = ReviewChangeSerializer(review, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = services.update_review(
            review=review,
            actor=request.user,
            origin=Origin.of(request),
            **serializer.validated_data,
        )
        return Response(self._present(review))

    def perform_destroy(self, review):
        services.delete_review(
            review=review, actor=self.request.user, origin=Origin.of(self.request)
        )

    @extend_schema(
        summary="Vote on a review",
        request=VoteSerializer,
        responses=ReviewSerializer,
        examples=examples.VOTE,
        extensions=errors(permission_denied="You cannot vote on your own review."),
    )
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Whether the review helped you: one vote each, which you may change; not on your
        own review."""
        review = self.get_object()
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.vote(
            review=review,
            user=request.user,
            helpful=serializer.validated_data["helpful"],
            origin=Origin.of(request),
        )
        return Response(self._present(review))
