"""The certificate as a PDF (reportlab): one landscape A4 page with the holder, the event, its
dates and hours, the number, and a QR code of the page that verifies it."""

import io
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import qrcode
from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from certificates.models import Certificate

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
ACCENT = colors.HexColor("#3b5bdb")


def _zone(certificate: Certificate) -> ZoneInfo:
    """The event's time zone: every date on the certificate is the event's local date."""
    try:
        return ZoneInfo(certificate.event.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _dates(certificate: Certificate) -> str:
    event, zone = certificate.event, _zone(certificate)
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if starts.date() == ends.date():
        return f"{starts.day} {starts:%B %Y}"
    return f"{starts.day} {starts:%B %Y} to {ends.day} {ends:%B %Y}"


def _qr_code(url: str) -> ImageReader:
    image = qrcode.make(url, box_size=6, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return ImageReader(buffer)


def _fitted(page: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    while size > 10 and page.stringWidth(text, font, size) > width:
        size -= 1
    return size


def certificate_pdf(certificate: Certificate) -> bytes:
    buffer = io.BytesIO()
    width, height = landscape(A4)
    page = canvas.Canvas(buffer, pagesize=(width, height))
    page.setTitle(f"Certificate {certificate.number}")
    page.setAuthor(settings.SITE_NAME)
    page.setSubject(f"Certificate of attendance: {certificate.event.title}")
    middle, usable = width / 2, width - 60 * mm

    page.setStrokeColor(ACCENT)
    page.setLineWidth(3)
    page.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    page.setLineWidth(0.75)
    page.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    page.setFillColor(MUTED)
    page.setFont("Helvetica", 13)
    page.drawCentredString(middle, height - 42 * mm, settings.SITE_NAME.upper())
    page.setFillColor(INK)
    page.setFont("Helvetica-Bold", 34)
    page.drawCentredString(middle, height - 60 * mm, "Certificate of Attendance")

    page.setFont("Helvetica", 14)
    page.setFillColor(MUTED)
    page.drawCentredString(middle, height - 78 * mm, "This certifies that")
    name = certificate.holder_name or "The holder of this certificate"
    size = _fitted(page, name, "Helvetica-Bold", 30, usable)
    page.setFillColor(INK)
    page.setFont("Helvetica-Bold", size)
    page.drawCentredString(middle, height - 94 * mm, name)

    page.setFont("Helvetica", 14)
    page.setFillColor(MUTED)
    page.drawCentredString(middle, height - 108 * mm, "attended")
    title = certificate.event.title
    size = _fitted(page, title, "Helvetica-Bold", 22, usable)
    page.setFillColor(INK)
    page.setFont("Helvetica-Bold", size)
    page.drawCentredString(middle, height - 122 * mm, title)
    page.setFont("Helvetica", 13)
    hours = f"{certificate.hours_completed.normalize():f}"
    details = f"{_dates(certificate)}  ·  {hours} hour{'s' if hours != '1' else ''}"
    page.drawCentredString(middle, height - 134 * mm, details)
    if certificate.skill_tags:
        page.setFillColor(MUTED)
        page.setFont("Helvetica", 11)
        page.drawCentredString(
            middle, height - 144 * mm, "Skills: " + ", ".join(certificate.skill_tags)
        )

    page.drawImage(_qr_code(certificate.verification_url), 28 * mm, 24 * mm, 30 * mm, 30 * mm)
    page.setFillColor(INK)
    page.setFont("Helvetica-Bold", 11)
    page.drawString(64 * mm, 46 * mm, f"Certificate {certificate.number}")
    page.setFont("Helvetica", 10)
    page.setFillColor(MUTED)
    issued = certificate.issued_at.astimezone(_zone(certificate))
    page.drawString(64 * mm, 40 * mm, f"Issued {issued.day} {issued:%B %Y}")
    page.drawString(64 * mm, 34 * mm, "Verify it at")
    page.setFillColor(ACCENT)
    page.drawString(64 * mm, 28 * mm, certificate.verification_url)
    page.showPage()
    page.save()
    return buffer.getvalue()
