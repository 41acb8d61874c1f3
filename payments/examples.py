"""Examples of payments, for the OpenAPI schema (Swagger UI)."""

from drf_spectacular.utils import OpenApiExample

PENDING_PAYMENT = {
    "id": 77,
    "registration": 502,
    "event_title": "Django Day Berlin",
    "user": 8,
    "provider": "stripe",
    "amount": "98.00",
    "currency": "EUR",
    "status": "pending",
    "transaction_id": "pay_a642cdb4fd1d63f290b88c39",
    "provider_order_id": "pi_3PqK2sLkdIwHu7ix0a1b2c3d",
    "provider_payment_id": "",
    "client": {
        "client_secret": "pi_3PqK2sLkdIwHu7ix0a1b2c3d_secret_Yx9QeWl2",
        "publishable_key": "pk_test_51PqK2sLkdIwHu7ix",
    },
    "refunded_amount": "0.00",
    "note": "",
    "refunds": [],
    "created_at": "2031-02-10T09:01:00Z",
    "processed_at": None,
}

MOCK_PAYMENT = {
    **PENDING_PAYMENT,
    "provider": "mock",
    "provider_order_id": "mock_order_e016ec821ea5b9a7",
    "client": {"order_id": "mock_order_e016ec821ea5b9a7"},
}

START_PAYMENT = [
    OpenApiExample(
        "With Stripe", request_only=True, value={"registration": 502, "provider": "stripe"}
    ),
    OpenApiExample(
        "With the mock provider",
        description="For development; `amount`, when sent, must be the registration's.",
        request_only=True,
        value={"registration": 502, "provider": "mock", "amount": "98.00"},
    ),
    OpenApiExample(
        "Stripe checkout",
        description="Open Stripe.js with `client.client_secret`, then verify.",
        response_only=True,
        status_codes=["201", "200"],
        value=PENDING_PAYMENT,
    ),
    OpenApiExample(
        "Mock checkout",
        description="Verify with the `outcome` you want.",
        response_only=True,
        status_codes=["201", "200"],
        value=MOCK_PAYMENT,
    ),
]

VERIFY_PAYMENT = [
    OpenApiExample("Mock", request_only=True, value={"outcome": "succeeded"}),
    OpenApiExample(
        "Razorpay",
        description="What Razorpay Checkout handed back.",
        request_only=True,
        value={
            "razorpay_order_id": "order_PqK2sLkdIwHu7i",
            "razorpay_payment_id": "pay_PqK3aBcDeFgHiJ",
            "razorpay_signature": (
                "9ef4dffbfd84f1318f6739a3ce19f9d85851857ae648f114332d8401e0949a3d"
            ),
        },
    ),
    OpenApiExample(
        "Stripe",
        description="Nothing: the payment is read from Stripe.",
        request_only=True,
        value={},
    ),
    OpenApiExample(
        "Succeeded",
        description="The registration is confirmed, with its tickets and invoice.",
        response_only=True,
        value={
            **MOCK_PAYMENT,
            "status": "succeeded",
            "provider_payment_id": "mock_pay_ba3671097e47df6c",
            "processed_at": "2031-02-10T09:03:00Z",
        },
    ),
]

REFUND = [
    OpenApiExample("Everything that is left", request_only=True, value={}),
    OpenApiExample(
        "Part of it", request_only=True, value={"amount": "49.00", "reason": "One seat unused"}
    ),
]
