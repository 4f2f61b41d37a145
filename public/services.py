"""The public's writes: a report from someone without an account, and a case's follow link."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import Case, Category, Source
from haidian.workflow import PUBLIC
from public.models import FollowToken


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits: a clash or a guess is out of the question


@transaction.atomic
def public_report(*, title: str, lat: float, lng: float, description: str = "", address: str = "",
                  category: Category | None = None, reporter_name: str = "", reporter_phone: str = "",
                  reporter_email: str = "", photo=None, now: dt.datetime | None = None) -> tuple[Case, FollowToken]:
    """群众上报: a resident's report (source `resident`, no account) with its optional photo, and the
    case's private follow link, all or nothing. The point outside every grid is an InvalidInput."""
    now = now or timezone.now()
    case = dispatch_services.case_create(
        actor=PUBLIC, title=title, description=description, lat=lat, lng=lng, address=address,
        category=category, source=Source.RESIDENT, reporter_name=reporter_name,
        reporter_phone=reporter_phone, reporter_email=reporter_email, photo=photo, now=now)
    token = FollowToken.objects.create(case=case, token=_new_token(), created_at=now)
    return case, token


def follow_token_for(case: Case, *, now: dt.datetime | None = None) -> FollowToken:
    """The case's follow link, made the first time someone follows a case reported elsewhere (the
    12345 hotline, Open311, a grid worker noting a resident's phone). get_or_create copes with two
    first look-ups at once: the loser of the unique constraint reads the winner's row."""
    token, _created = FollowToken.objects.get_or_create(
        case=case, defaults={"token": _new_token(), "created_at": now or timezone.now()})
    return token
