"""Product images: what an upload must be, and the clean copy of it that is stored."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Larger than any product photo needs; smaller than what makes Pillow or a browser struggle.
MAX_PIXELS = 40_000_000


def _open_verified(upload) -> Image.Image:
    """The upload as a fully decoded Pillow image, or a ValidationError saying why not."""
    max_bytes = settings.PRODUCT_IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"The image is {upload.size / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.0f} MB.",
            code="image_too_large",
        )
    upload.seek(0)
    try:
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            raise ValidationError(
                f"{image.format} images are not accepted; upload a JPEG, PNG or WebP.", code="image_type"
            )
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError(
                f"The image is {image.width}×{image.height} pixels; keep it under 40 megapixels.", code="image_pixels"
            )
        image.load()  # decodes every pixel: a truncated or disguised file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError("This file is not a JPEG, PNG or WebP image.", code="image_invalid") from error
    finally:
        upload.seek(0)
    return image


def validate_product_image(upload) -> None:
    """Model and form validator: real image content of an accepted type, within the limits."""
    if upload and not getattr(upload, "_committed", True):
        _open_verified(upload)


def product_image_clean_copy(upload) -> ContentFile:
    """A re-encoded copy of the upload: only the pixels survive, so nothing riding along in the
    file (a script, an HTML page, metadata) is ever stored or served."""
    image = _open_verified(upload)
    image_format = image.format
    # Phone photos are stored sideways with an orientation tag; turn the pixels instead, since
    # the re-encoded copy keeps no metadata.
    image = ImageOps.exif_transpose(image) or image
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, quality=90)
    return ContentFile(buffer.getvalue(), name=f"product{ALLOWED_FORMATS[image_format]}")
