"""Examples of reviews and votes, for the OpenAPI schema (Swagger UI)."""

from drf_spectacular.utils import OpenApiExample

REVIEW = {
    "id": 9,
    "event": 42,
    "event_title": "Django Day Berlin",
    "user": 7,
    "user_name": "Ada Lovelace",
    "rating": 5,
    "title": "Worth the trip",
    "body": "Great talks, and the ORM workshop alone was worth it.",
    "attended": True,
    "helpful_count": 0,
    "unhelpful_count": 0,
    "helpful_percentage": None,
    "created_at": "2031-03-19T10:00:00Z",
    "updated_at": "2031-03-19T10:00:00Z",
}

WRITE_REVIEW = [
    OpenApiExample(
        "A review",
        request_only=True,
        value={
            "event": 42,
            "rating": 5,
            "title": "Worth the trip",
            "body": "Great talks, and the ORM workshop alone was worth it.",
        },
    ),
    OpenApiExample("A rating alone", request_only=True, value={"event": 42, "rating": 4}),
    OpenApiExample("The review", response_only=True, status_codes=["201"], value=REVIEW),
]

VOTE = [
    OpenApiExample("It helped", request_only=True, value={"helpful": True}),
    OpenApiExample("It did not", request_only=True, value={"helpful": False}),
    OpenApiExample(
        "The review with its counts",
        response_only=True,
        value={
            **REVIEW,
            "user": 8,
            "helpful_count": 3,
            "unhelpful_count": 1,
            "helpful_percentage": 75,
        },
    ),
]
