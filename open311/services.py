"""Open311's writes: issuing API keys, and turning a posted request into a case."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import Source
from dispatch.services import case_create
from haidian.errors import ActionConflict, InvalidInput
from haidian.throttling import MINUTE, RateLimit, setting_limit
from haidian.workflow import PUBLIC
from open311.attributes import answers_as_text
from open311.georeport import Open311Error
from open311.inputs import Submission
from open311.models import KEY_PREFIX_LENGTH, ApiClient, ServiceRequest, key_digest

TITLE_LENGTH = 30
DEFAULT_POSTS_PER_MINUTE = 60


def api_key_issue(*, client: ApiClient, now: dt.datetime | None = None) -> str:
    """A new key for the client (its first, or a replacement: the old one stops working at once).
    Returns the key, which is not stored: only its hash is."""
    key = secrets.token_urlsafe(32)
    client.key_prefix, client.key_hash = key[:KEY_PREFIX_LENGTH], key_digest(key)
    client.key_issued_at = now or timezone.now()
    client.save()
    return key


def api_client_create(*, name: str, contact: str = "", now: dt.datetime | None = None) -> tuple[ApiClient, str]:
    client = ApiClient(name=name, contact=contact)
    return client, api_key_issue(client=client, now=now)


# At most OPEN311_POSTS_PER_MINUTE posts per API key and clock minute (0 turns it off); a new key
# starts from zero. Counted by haidian.throttling like every other limit, which never lets posts
# through uncounted: when the cache is down the counts are kept elsewhere (settings [faults]).
POSTS = RateLimit("open311-posts", setting_limit("OPEN311_POSTS_PER_MINUTE", DEFAULT_POSTS_PER_MINUTE,
                                                 zero_is_off=True), MINUTE)


def rate_limit(client: ApiClient) -> None:
    """Count one post of the client's key; the specification's error (429) past the limit."""
    if not POSTS.hit(f"{client.pk}:{client.key_prefix}"):
        raise Open311Error(429, _("Too many requests from this api_key: at most %(limit)s a minute.")
                           % {"limit": POSTS.limit()})


def _title(submission: Submission) -> str:
    first_line = " ".join(submission.description.split("\n", 1)[0].split())
    return first_line[:TITLE_LENGTH] or submission.category.name


@transaction.atomic
def request_submit(*, client: ApiClient, submission: Submission, now: dt.datetime | None = None) -> ServiceRequest:
    """POST requests: a reported case (source open311) in the grid of the point, with the
    reporter's name and phone as the case's personal data, and its Open311 record.

    One transaction, so there is never a case without its record (and token). The case number is
    then taken inside it, and the day's number row stays locked until the record is written too:
    one more insert, not worth a case without a token."""
    now = now or timezone.now()
    description = submission.description
    answers = answers_as_text(submission.service.attributes, submission.attributes)
    if answers:
        description = f"{description}\n\n{answers}" if description else answers
    try:
        case = case_create(
            actor=PUBLIC, title=_title(submission), lat=submission.lat, lng=submission.lng, source=Source.OPEN311,
            description=description, address=submission.address, reporter_name=submission.reporter_name,
            reporter_phone=submission.reporter_phone, reporter_email=submission.email, category=submission.category,
            now=now,
        )
    except InvalidInput as error:
        # e.g. a point outside every grid of the district
        raise Open311Error(400, *[str(message) for messages in error.errors.values() for message in messages]) from None
    except ActionConflict as error:
        raise Open311Error(400, str(error)) from None
    return ServiceRequest.objects.create(
        case=case, client=client, token=secrets.token_urlsafe(24), attributes=submission.attributes,
        media_url=submission.media_url, email=submission.email, device_id=submission.device_id,
        account_id=submission.account_id, created_at=now,
    )
