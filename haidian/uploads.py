"""Files people upload: what they really are, how large they may be, thumbnails, stored names.

Uploads are judged by their bytes, never by their name or the client's header, and a photo by its
pixel count before any pixel is decoded (MAX_IMAGE_PIXELS). Stored names are random
(`stored_name`), so that a file's path tells nothing about the case, the reporter or the order in
which files came in; files are only ever served by views that check the reader's scope, through
`serve`: with the type sniffed at upload, never one a browser guesses (a file that is both a GIF and
an HTML page stays a GIF), and a download name we make up.
"""

from __future__ import annotations

import secrets
from io import BytesIO
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from haidian.errors import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
PDF = "application/pdf"
THUMBNAIL_SIZE = (320, 320)
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif", PDF: ".pdf"}


def max_image_pixels() -> int:
    return getattr(settings, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)


# Any image Pillow opens anywhere in the process (thumbnails, PDFs) is held to the same limit: it
# warns past it and refuses twice as many pixels with DecompressionBombError (sniff checks it itself,
# so that a changed setting counts at once).
Image.MAX_IMAGE_PIXELS = max_image_pixels()


def sniff(upload, *, field: str = "file") -> str:
    """The real content type from the bytes: a photo (JPEG, PNG, WebP, GIF) or a PDF, else 400."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return PDF
    kind = _image_type(upload, field=field)
    if kind is None:
        raise InvalidInput({field: _("Only photos (JPEG, PNG, WebP, GIF) and PDF documents can be attached.")})
    return kind


def _image_type(upload, *, field: str) -> str | None:
    """The photo's content type, or None when the bytes are no photo we take.

    A photo's size is read from its header (Image.open decodes no pixel) and checked against
    MAX_IMAGE_PIXELS before verify() or anything else reads further: a few hundred bytes can declare
    40,000 × 40,000 pixels, gigabytes once decoded (a decompression bomb). Past the limit: 400."""
    limit = max_image_pixels()
    bomb = False
    try:
        with Image.open(upload) as image:
            width, height = image.size
            bomb = width * height > limit
            if not bomb:
                image.verify()
            kind = IMAGE_TYPES.get(image.format or "")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):  # the warning, where made an error
        bomb = True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        kind = None
    finally:
        upload.seek(0)
    if bomb:
        raise InvalidInput({field: _("The photo has more than %(megapixels)s million pixels.")
                            % {"megapixels": f"{limit / 1_000_000:g}"}})
    return kind


def check_size(upload, *, field: str = "file") -> None:
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput({field: _("The file is larger than 10 MB.")})


def check_file(upload, *, field: str = "file") -> str:
    """A photo or a PDF of at most MAX_UPLOAD_BYTES; returns its content type."""
    check_size(upload, field=field)
    return sniff(upload, field=field)


def check_photo(upload, *, field: str = "photo") -> str:
    """A photo (not a document) of at most MAX_UPLOAD_BYTES and MAX_IMAGE_PIXELS; returns its content type."""
    check_size(upload, field=field)
    kind = _image_type(upload, field=field)
    if kind is None:
        raise InvalidInput({field: _("Only photos (JPEG, PNG, WebP, GIF) can be attached.")})
    return kind


def stored_name(content_type: str) -> str:
    """A random file name with the extension of the real content type (the field's `upload_to` adds
    the folder): nothing in a stored path tells the case, the person or the order files came in."""
    return secrets.token_urlsafe(18) + _EXTENSIONS.get(content_type, "")


def thumbnail(upload) -> ContentFile:
    """A JPEG of at most THUMBNAIL_SIZE, turned upright by its EXIF orientation; the name is random."""
    with Image.open(upload) as image:
        image.draft("RGB", THUMBNAIL_SIZE)  # a JPEG is decoded at a fraction of its size: less memory
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = BytesIO()
        image.save(buffer, "JPEG", quality=80)
    upload.seek(0)
    return ContentFile(buffer.getvalue(), name=secrets.token_urlsafe(18) + ".jpg")


def serve(stored, *, content_type: str, download_name: str, attachment: bool = False) -> HttpResponseBase:
    """A stored file for a view that has checked the reader's scope: streamed, or handed to nginx
    when MEDIA_ACCEL_REDIRECT names the `internal` location that aliases MEDIA_ROOT (the worker is
    then not held while a slow phone downloads). 404 when the row outlived its file.

    The declared type is the one sniffed from the bytes at upload, with `nosniff`, so that no
    browser takes an uploaded file for a page of this site; Content-Disposition names it with
    `download_name`; shared caches must not keep a copy for the next person who did not pass the gate."""
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(stored.name)
        response["Content-Disposition"] = content_disposition_header(attachment, download_name)
    else:
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response
