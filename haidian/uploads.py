"""Files people upload: what they really are, how large they may be, thumbnails, stored names.

Uploads are judged by their bytes, never by their name or the client's header. Stored names are
random (`stored_name`), so that a file's path tells nothing about the case, the reporter or the
order in which files came in; files are only ever served by views that check the reader's scope.
"""

from __future__ import annotations

import secrets
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from haidian.errors import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
PDF = "application/pdf"
THUMBNAIL_SIZE = (320, 320)
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif", PDF: ".pdf"}


def sniff(upload, *, field: str = "file") -> str:
    """The real content type from the bytes: a photo (JPEG, PNG, WebP, GIF) or a PDF, else 400."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PDF
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = IMAGE_TYPES.get(image.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError):
        kind = None
    finally:
        upload.seek(0)
    if kind is None:
        raise InvalidInput({field: _("Only photos (JPEG, PNG, WebP, GIF) and PDF documents can be attached.")})
    return kind


def check_size(upload, *, field: str = "file") -> None:
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput({field: _("The file is larger than 10 MB.")})


def check_file(upload, *, field: str = "file") -> str:
    """A photo or a PDF of at most MAX_UPLOAD_BYTES; returns its content type."""
    check_size(upload, field=field)
    return sniff(upload, field=field)


def check_photo(upload, *, field: str = "photo") -> str:
    """A photo (not a document) of at most MAX_UPLOAD_BYTES; returns its content type."""
    check_size(upload, field=field)
    try:
        kind = sniff(upload, field=field)
    except InvalidInput:
        kind = ""
    if not kind.startswith("image/"):
        raise InvalidInput({field: _("Only photos (JPEG, PNG, WebP, GIF) can be attached.")})
    return kind


def stored_name(content_type: str) -> str:
    """A random file name with the extension of the real content type (the field's `upload_to` adds
    the folder): nothing in a stored path tells the case, the person or the order files came in."""
    return secrets.token_urlsafe(18) + _EXTENSIONS.get(content_type, "")


def thumbnail(upload) -> ContentFile:
    """A JPEG of at most THUMBNAIL_SIZE, turned upright by its EXIF orientation; the name is random."""
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=80)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name=secrets.token_urlsafe(18) + ".jpg")
