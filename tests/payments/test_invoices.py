"""Invoices as documents: the PDF carries the seller, the buyer, the lines, tax and totals,
and `send/` e-mails it as an attachment from a background task after the answer."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from payments.models import Invoice
from tests.conftest import authenticated_client
from tests.factories import UserFactory
from tests.helpers import assert_error
from tests.payments.test_payments import hold, paid_event, pay, verify

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"


@pytest.fixture
def invoice(settings):
    settings.INVOICE_TAX_RATE = "20"
    settings.INVOICE_SELLER_NAME = "Django Meetups Ltd"
    settings.INVOICE_SELLER_TAX_ID = "GB123456789"
    registration = hold(paid_event("60.00"), quantity=2)
    verify(pay(registration).json()["id"], registration.user)
    return Invoice.objects.get()


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_tax_is_the_part_of_the_price_at_the_rate(invoice):
    assert (invoice.total, invoice.tax, invoice.subtotal) == (
        Decimal("120.00"),
        Decimal("20.00"),
        Decimal("100.00"),
    )


def test_the_pdf_shows_seller_buyer_lines_and_totals(invoice):
    owner = invoice.payment.user
    response = authenticated_client(owner).get(f"{INVOICES}{invoice.pk}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert invoice.number in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in (
        invoice.number,
        "Django Meetups Ltd",
        "GB123456789",
        owner.full_name,
        owner.email,
        invoice.lines[0]["description"],
        "60.00 EUR",
        "Tax (20%)",
        "20.00 EUR",
        "120.00 EUR",
    ):
        assert expected in text, expected


def test_a_stranger_gets_no_pdf(invoice):
    assert_error(
        authenticated_client(UserFactory()).get(f"{INVOICES}{invoice.pk}/pdf/"), 404, "not_found"
    )


def test_send_mails_the_pdf_after_the_answer(
    invoice, mailoutbox, django_capture_on_commit_callbacks
):
    owner = invoice.payment.user
    with django_capture_on_commit_callbacks(execute=True):
        response = authenticated_client(owner).post(f"{INVOICES}{invoice.pk}/send/")

    assert response.status_code == 202
    assert response.json()["is_sent"] is False  # it goes after the answer
    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    ((name, content, mimetype),) = mail.attachments
    assert (name, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert invoice.number in pdf_text(content)
    invoice.refresh_from_db()
    assert invoice.is_sent
    listed = authenticated_client(owner).get(f"{INVOICES}?is_sent=true").json()
    assert [row["id"] for row in listed["results"]] == [invoice.pk]
