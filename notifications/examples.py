"""Examples of notifications and outbound webhooks, for the OpenAPI schema (Swagger UI)."""

from drf_spectacular.utils import OpenApiExample

READ_ALL = [OpenApiExample("Four were unread", response_only=True, value={"updated": 4})]

CREATE_WEBHOOK = [
    OpenApiExample(
        "Registrations and payments",
        request_only=True,
        value={
            "url": "https://hooks.example.com/eventhub",
            "events": ["registration.created", "payment.succeeded"],
            "description": "CRM sync",
        },
    ),
    OpenApiExample(
        "Created",
        description="With its `secret`: the only time it is shown.",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 5,
            "owner": 3,
            "url": "https://hooks.example.com/eventhub",
            "events": ["payment.succeeded", "registration.created"],
            "description": "CRM sync",
            "is_active": True,
            "failing_since": None,
            "disabled_reason": "",
            "created_at": "2031-02-01T11:00:00Z",
            "updated_at": "2031-02-01T11:00:00Z",
            "secret": "whsec_g3Ee1uaEyA9y1DnonWbHUvLGvQFRzFVs_9OtKqsnZ0Q",
        },
    ),
]
