"""Examples of the accounts' requests and answers, for the OpenAPI schema (Swagger UI)."""

from drf_spectacular.utils import OpenApiExample

# Tokens shaped like SimpleJWT's (HS256, `user_id` claim), shortened signatures.
ACCESS = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxOTMx"
    "NjA2MTAwLCJpYXQiOjE5MzE2MDUyMDAsImp0aSI6IjdmM2IiLCJ1c2VyX2lkIjoiNyJ9.dtgasF2DVTmL9sC"
)
REFRESH = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTkzMjIx"
    "MDAwMCwiaWF0IjoxOTMxNjA1MjAwLCJqdGkiOiI0OTE1IiwidXNlcl9pZCI6IjcifQ.4rIcxfeX19BgbYf36x"
)

SIGN_UP = [
    OpenApiExample(
        "An attendee signs up",
        request_only=True,
        value={
            "username": "ada",
            "email": "ada@example.com",
            "password": "correct-horse-battery-staple",
            "re_password": "correct-horse-battery-staple",
            "first_name": "Ada",
            "last_name": "Lovelace",
        },
    ),
    OpenApiExample(
        "An organizer signs up",
        request_only=True,
        value={
            "username": "grace",
            "email": "grace@example.com",
            "password": "a-compiler-is-a-program",
            "first_name": "Grace",
            "last_name": "Hopper",
            "role": "organizer",
            "organization": "Django Berlin",
        },
    ),
    OpenApiExample(
        "The new account",
        response_only=True,
        status_codes=["201"],
        value={
            "username": "ada",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "full_name": "Ada Lovelace",
            "role": "attendee",
            "is_organizer": False,
            "bio": "",
            "avatar": None,
            "website": None,
            "organization": "",
            "twitter": "",
            "linkedin": None,
            "github": "",
            "facebook": None,
            "date_joined": "2031-02-01T09:30:00Z",
            "email": "ada@example.com",
            "phone": "",
            "newsletter_subscribed": False,
            "notifications_enabled": True,
            "email_verified": False,
        },
    ),
]

SIGN_IN = [
    OpenApiExample(
        "With a username",
        request_only=True,
        value={"username": "ada", "password": "correct-horse-battery-staple"},
    ),
    OpenApiExample(
        "With an e-mail address",
        request_only=True,
        value={"username": "ada@example.com", "password": "correct-horse-battery-staple"},
    ),
    OpenApiExample("Signed in", response_only=True, value={"refresh": REFRESH, "access": ACCESS}),
]

REFRESH_TOKEN = [
    OpenApiExample("A refresh token", request_only=True, value={"refresh": REFRESH}),
    OpenApiExample(
        "Refreshed",
        description="A new access token, and the refresh token that replaces the one sent.",
        response_only=True,
        value={"access": ACCESS, "refresh": REFRESH},
    ),
]
