"""Checks shared by the apps: uploaded images (avatars, event covers) and web links."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from PIL import Image

_web_url = URLValidator(schemes=["http", "https"])


def validate_web_url(value: str) -> None:
    """Links people click: only the web's own schemes (no javascript:, data:, ftp:, ...). A
    function, not a URLValidator, so that DRF keeps it beside its URLField's own check."""
    _web_url(value)


# "scheme:" with no space after the colon: a link ("https://...", "javascript:...").
# "Room: 101" is a place, not a link.
LINK = re.compile(r"^\s*[a-z][a-z0-9+.-]*:(?!\s)", re.IGNORECASE)


def validate_place_or_link(value: str) -> None:
    """A room, or a link to join; a link must be an http(s) URL."""
    if LINK.match(value):
        _web_url(value.strip())


ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def validate_image(upload, *, max_bytes: int) -> None:
    """Refuse files over `max_bytes`, that Pillow cannot read as an image, or of a format or
    size (in pixels) we do not serve."""
    if upload.size > max_bytes:
        raise ValidationError(
            f"The image is {upload.size // 1024} KiB; the limit is {max_bytes // 1024} KiB.",
            code="file_too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except Exception as exc:
        raise ValidationError("The file is not a readable image.", code="invalid_image") from exc
    finally:
        upload.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            f"Images must be JPEG, PNG, WebP or GIF, not {image_format}.", code="invalid_format"
        )
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            f"The image is {width}x{height} pixels; "
            f"the limit is {settings.IMAGE_MAX_PIXELS} pixels in all.",
            code="image_too_large",
        )
