"""The invoice as a PDF (reportlab): seller, buyer, lines, tax and totals, in its currency."""

import io

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from payments.models import Invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Invoice {invoice.number}",
        author=settings.INVOICE_SELLER_NAME,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
    )
    seller = [settings.INVOICE_SELLER_NAME, settings.INVOICE_SELLER_ADDRESS]
    if settings.INVOICE_SELLER_TAX_ID:
        seller.append(f"Tax id: {settings.INVOICE_SELLER_TAX_ID}")
    buyer = [invoice.billed_to.get("name") or invoice.billed_to.get("username", "")]
    if invoice.billed_to.get("email"):
        buyer.append(invoice.billed_to["email"])
    money = invoice.currency
    parties = Table(
        [
            [
                Paragraph("<b>From</b>", styles["Normal"]),
                Paragraph("<b>Billed to</b>", styles["Normal"]),
            ],
            [
                Paragraph("<br/>".join(_escape(line) for line in seller), styles["Normal"]),
                Paragraph("<br/>".join(_escape(line) for line in buyer), styles["Normal"]),
            ],
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    rows = [["Description", "Quantity", "Unit price", "Amount"]]
    rows += [
        [
            Paragraph(_escape(line["description"]), styles["Normal"]),
            str(line["quantity"]),
            f"{line['unit_price']} {money}",
            f"{line['amount']} {money}",
        ]
        for line in invoice.lines
    ]
    rows += [
        ["", "", "Subtotal", f"{invoice.subtotal} {money}"],
        ["", "", f"Tax ({settings.INVOICE_TAX_RATE}%)", f"{invoice.tax} {money}"],
        ["", "", "Total", f"{invoice.total} {money}"],
    ]
    lines = Table(rows, colWidths=[85 * mm, 20 * mm, 32 * mm, 33 * mm])
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (2, -3), (-1, -3), 0.5, colors.grey),
                ("FONTNAME", (2, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    document.build(
        [
            Paragraph(f"Invoice {invoice.number}", styles["Title"]),
            Paragraph(
                f"Issued {invoice.issued_at:%d %B %Y} · Payment {invoice.payment.transaction_id}",
                styles["Normal"],
            ),
            Spacer(1, 8 * mm),
            parties,
            Spacer(1, 10 * mm),
            lines,
            Spacer(1, 10 * mm),
            Paragraph(
                f"Paid in full. Thank you for booking with {settings.SITE_NAME}.", styles["Normal"]
            ),
        ]
    )
    return buffer.getvalue()


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
