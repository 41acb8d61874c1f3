"""Examples of bookings, tickets and the waitlist, for the OpenAPI schema (Swagger UI)."""

from drf_spectacular.utils import OpenApiExample

TICKET_CODE = "h34SYNP8tdREraa_7L85MSscU7YKeaG7"

FREE_REGISTRATION = {
    "id": 501,
    "event": 42,
    "event_title": "Django Day Berlin",
    "user": 7,
    "user_name": "Ada Lovelace",
    "ticket_type": 88,
    "quantity": 1,
    "status": "confirmed",
    "unit_price": "0.00",
    "total_price": "0.00",
    "currency": "EUR",
    "promo_code": None,
    "discount_amount": "0.00",
    "special_requirements": "",
    "expires_at": None,
    "tickets": [
        {
            "code": TICKET_CODE,
            "attendee_name": "Ada Lovelace",
            "ticket_type": 88,
            "checked_in_at": None,
        }
    ],
    "payment_status": "free",
    "created_at": "2031-02-10T09:00:00Z",
    "confirmed_at": "2031-02-10T09:00:00Z",
    "cancelled_at": None,
}

PAID_REGISTRATION = {
    **FREE_REGISTRATION,
    "id": 502,
    "user": 8,
    "user_name": "Alan Turing",
    "ticket_type": 87,
    "quantity": 2,
    "status": "pending",
    "unit_price": "49.00",
    "total_price": "98.00",
    "special_requirements": "Vegetarian lunch",
    "expires_at": "2031-02-10T09:15:00Z",
    "tickets": [],
    "payment_status": "unpaid",
    "confirmed_at": None,
}

BOOK = [
    OpenApiExample(
        "A free ticket",
        request_only=True,
        value={"event": 42, "ticket_type": 88},
    ),
    OpenApiExample(
        "Two paid tickets",
        request_only=True,
        value={
            "event": 42,
            "ticket_type": 87,
            "quantity": 2,
            "special_requirements": "Vegetarian lunch",
        },
    ),
    OpenApiExample(
        "With a promo code",
        request_only=True,
        value={"event": 42, "ticket_type": 87, "promo_code": "early-bird"},
    ),
    OpenApiExample(
        "Free booking",
        description="Confirmed at once, with one ticket per seat.",
        response_only=True,
        status_codes=["201"],
        value=FREE_REGISTRATION,
    ),
    OpenApiExample(
        "Paid booking",
        description="Pending: the seats are held until `expires_at`, for `POST payments/`.",
        response_only=True,
        status_codes=["201"],
        value=PAID_REGISTRATION,
    ),
]

CHECK_IN = [
    OpenApiExample("At the door", request_only=True, value={"code": TICKET_CODE}),
    OpenApiExample("To one session", request_only=True, value={"code": TICKET_CODE, "session": 12}),
    OpenApiExample(
        "Admitted",
        response_only=True,
        value={
            "code": TICKET_CODE,
            "event": 42,
            "event_title": "Django Day Berlin",
            "registration": 501,
            "attendee_name": "Ada Lovelace",
            "ticket_type": 88,
            "checked_in_at": "2031-03-18T08:12:05Z",
            "is_valid": True,
        },
    ),
]

JOIN_WAITLIST = [
    OpenApiExample("Any ticket type", request_only=True, value={"event": 42, "quantity": 2}),
    OpenApiExample("One ticket type", request_only=True, value={"event": 42, "ticket_type": 87}),
    OpenApiExample(
        "Waiting",
        description="Third in line (`position`).",
        response_only=True,
        status_codes=["201"],
        value={
            "id": 31,
            "event": 42,
            "ticket_type": None,
            "quantity": 2,
            "promo_code": None,
            "status": "waiting",
            "position": 3,
            "registration": None,
            "offer_expires_at": None,
            "created_at": "2031-02-12T14:20:00Z",
        },
    ),
]
