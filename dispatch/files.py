"""Case photos and documents, handed out only to people who may see the case.

Nothing under MEDIA_ROOT is ever public: a photo of a case shows a place, often people and a
reporter's problem, so it is as private as the case. These views find the case through the case
selector (the one permission gate) and answer 404 for anything outside the reader's scope, the same
answer as for an attachment that does not exist. Stored names are random (haidian.uploads), so a
name seen once in a log or a proxy tells nothing and leads nowhere without passing this gate.
"""

from __future__ import annotations

from functools import wraps
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBase
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.exceptions import AuthenticationFailed

from dispatch import selectors
from dispatch.models import Attachment
from haidian import uploads
from haidian.authentication import TokenAuthentication

THUMBNAIL_TYPE = "image/jpeg"  # haidian.uploads.thumbnail always writes a JPEG


def attachment_url(attachment: Attachment, *, thumbnail: bool = False) -> str:
    """The gated path of an attachment (or of its thumbnail): the only address a file has."""
    name = "dispatch:attachment-thumbnail" if thumbnail else "dispatch:attachment"
    return reverse(name, kwargs={"number": attachment.case.number, "pk": attachment.pk})


def _api_token(view):
    """Let API clients follow the file URLs the API gives them with the token they already send:
    those requests carry no session, and without this they would be sent to the login page. The
    token is read from the Authorization header only, never from the address (which ends up in logs)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated and "HTTP_AUTHORIZATION" in request.META:
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed:
                found = None  # a wrong token is treated like no token: the login redirect
            if found is not None:
                request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapped


def _visible_attachment(user, number: str, pk: int) -> Attachment:
    """The attachment `pk` of case `number`, if the user may see that case; else 404. An attachment
    of another case asked for under this case's number is a 404 too, so the number in the address
    is what was checked, not a decoration."""
    case = selectors.case_list(user=user).filter(number=number).first()
    if case is None:
        raise Http404
    attachment = Attachment.objects.filter(case=case, pk=pk).first()
    if attachment is None:
        raise Http404
    attachment.case = case
    return attachment


@_api_token
@login_required
@require_safe
def attachment_file(request, number: str, pk: int) -> HttpResponseBase:
    """The attachment itself, with the content type found in its bytes when it was uploaded. The
    download name is made up (attachment-<id>.<ext>): neither the uploader's file name nor the
    stored one means anything to the reader, and the uploader's may say more than it should."""
    attachment = _visible_attachment(request.user, number, pk)
    suffix = PurePath(attachment.file.name).suffix
    return uploads.serve(attachment.file, content_type=attachment.content_type,
                         download_name=f"attachment-{attachment.pk}{suffix}")


@_api_token
@login_required
@require_safe
def attachment_thumbnail(request, number: str, pk: int) -> HttpResponseBase:
    """The photo's small JPEG for pages and lists; 404 for a document, which has none."""
    attachment = _visible_attachment(request.user, number, pk)
    if not attachment.thumbnail:
        raise Http404
    return uploads.serve(attachment.thumbnail, content_type=THUMBNAIL_TYPE,
                         download_name=f"attachment-{attachment.pk}-thumbnail.jpg")
