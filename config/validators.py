"""Checks for uploaded images, shared by avatars and event covers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

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
