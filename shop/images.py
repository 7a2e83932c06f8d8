"""Product images: what an upload must be, and the clean copy of it that is stored."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Larger than any product photo needs; smaller than what makes Pillow or a browser struggle.
MAX_PIXELS = 40_000_000


def _megabytes(size: int, places: int) -> str:
    """A size in MB as the language writes it (5.3 / 5,3), rounded as f"{x:.1f}" rounds."""
    return number_format(round(size / 1_048_576, places), places)


def _open_verified(upload) -> Image.Image:
    """The upload as a fully decoded Pillow image, or a ValidationError saying why not."""
    max_bytes = settings.PRODUCT_IMAGE_MAX_BYTES
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(upload.size, 1), "limit": _megabytes(max_bytes, 0)},
            code="image_too_large",
        )
    upload.seek(0)
    try:
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            raise ValidationError(
                _("%(format)s images are not accepted; upload a JPEG, PNG or WebP.") % {"format": image.format},
                code="image_type",
            )
        if image.width * image.height > MAX_PIXELS:
            # Width and height as plain numbers, as image sizes are written (4000×3000).
            raise ValidationError(
                _("The image is %(width)s×%(height)s pixels; keep it under 40 megapixels.")
                % {"width": image.width, "height": image.height},
                code="image_pixels",
            )
        image.load()  # decodes every pixel: a truncated or disguised file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not a JPEG, PNG or WebP image."), code="image_invalid") from error
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
