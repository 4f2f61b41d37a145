"""个人信息保护 / 剩余信息保护: a person's data found by their phone or email and erased on their
request (by the security administrator), and reporters' data erased once its time is up.

What holds a reporter's personal data, and what erasing leaves:

    dispatch.Case              reporter_name, reporter_phone, reporter_email (+ their blind indexes)
                               → "" and `personal_data_erased_at` set; the case, its number, place,
                               category, times, ratings, tasks and events stay, so every count,
                               dashboard roll-up and assessment indicator reads as before
    open311.ServiceRequest     email, device_id, account_id of the case's Open311 request → ""
    notifications.Message      `to` of the messages about the case (by case number) → ""; one still
                               waiting is not sent (marked skipped)

A case merged into another (duplicate_of) is a case of its own with its own reporter: the reporters
of a problem reported several times are erased one case at a time, each when its case's time is up.
Co-managers' phones are found by the lookup and erased with the person's other data on request; the
retention job leaves them (a co-manager is staff, kept while in post).

Retention: `personal_data_retention` (beat, daily; `manage.py personal_data_retention`) erases the
reporters of cases closed or rejected more than PERSONAL_DATA_RETENTION_DAYS ago, in batches, one
transaction per batch, and writes one audit row per run with the count. Each case is erased once
(`personal_data_erased_at` marks it, and the job reads only unmarked ones from two small partial
indexes): running it twice, or two at once, erases nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comanagers.models import CoManager
from dispatch.models import Case, CaseStatus
from haidian import audit
from haidian.privacy import blind_index, mask_contact, normalise_contact
from notifications.models import Message, MessageStatus
from open311.models import ServiceRequest

RETENTION_BATCH = 1000
RETENTION_ACTOR = "personal_data_retention"  # the audit row's actor: the job, not a person


@dataclass(frozen=True)
class Holdings:
    """Where a phone or email is held: the rows, read for the lookup page (shown masked)."""

    contact: str  # masked, as the page and the audit log show it
    cases: list[Case]
    comanagers: list[CoManager]
    messages: list[Message]

    @property
    def counts(self) -> dict[str, int]:
        return {"cases": len(self.cases), "comanagers": len(self.comanagers), "messages": len(self.messages)}


@dataclass(frozen=True)
class Erased:
    cases: int = 0
    comanagers: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"cases": self.cases, "comanagers": self.comanagers, "messages": self.messages}


# Lookups read at most this many rows of each kind: a number on more cases than that is a switchboard
# or a test number, and the page says so (the erasure still takes them all).
LOOKUP_LIMIT = 500


def personal_data_find(*, contact: str) -> Holdings:
    """The cases, co-managers and messages holding this phone or email, found by its blind index
    (three indexed queries; nothing is decrypted to search)."""
    index = blind_index(contact)
    if not index:
        return Holdings(contact="", cases=[], comanagers=[], messages=[])
    cases = list(Case.objects.filter(Q(reporter_phone_index=index) | Q(reporter_email_index=index))
                 .select_related("street").defer("description").order_by("-created_at", "-id")[:LOOKUP_LIMIT])
    comanagers = list(CoManager.objects.filter(phone_index=index).select_related("street", "post")
                      .order_by("street__code", "id")[:LOOKUP_LIMIT])
    messages = list(Message.objects.filter(to_index=index).defer("text").order_by("-created_at", "-id")[:LOOKUP_LIMIT])
    return Holdings(contact=mask_contact(normalise_contact(contact)), cases=cases, comanagers=comanagers,
                    messages=messages)


def personal_data_lookup(*, request, contact: str) -> Holdings:
    """The security administrator's lookup: what holds the contact, on the audit log (the contact
    masked, with the counts found)."""
    found = personal_data_find(contact=contact)
    audit.record(audit.Action.PERSONAL_DATA_LOOKUP, request=request, object_repr=found.contact,
                 data={"contact": found.contact, **found.counts})
    return found


def _erase_cases(case_ids: list[int], *, now: dt.datetime, stop_messages: bool) -> tuple[int, int]:
    """Erase the reporters of these cases; (cases, messages) changed. Statistics read none of these
    columns, so nothing they count moves."""
    if not case_ids:
        return 0, 0
    cases = Case.objects.filter(pk__in=case_ids).update(
        reporter_name="", reporter_phone="", reporter_email="", reporter_phone_index="", reporter_email_index="",
        personal_data_erased_at=now)
    ServiceRequest.objects.filter(case_id__in=case_ids).exclude(email="", device_id="", account_id="").update(
        email="", device_id="", account_id="")
    numbers = list(Case.objects.filter(pk__in=case_ids).values_list("number", flat=True))
    messages = Message.objects.filter(case_number__in=numbers).exclude(to="")
    if stop_messages:
        messages.filter(status=MessageStatus.PENDING).update(status=MessageStatus.SKIPPED_OPT_OUT)
    return cases, messages.update(to="", to_index="")


@transaction.atomic
def personal_data_erase(*, request, contact: str, reason: str, now: dt.datetime | None = None) -> Erased:
    """删除: erase this phone or email wherever it is held, on the person's request, with the reason
    (on the audit log with the counts). The cases holding it lose their whole reporter (name, phone,
    email); co-managers their phone; messages to it their address (one waiting is not sent)."""
    now = now or timezone.now()
    index = blind_index(contact)
    erased = Erased()
    if index:
        case_ids = list(Case.objects.filter(Q(reporter_phone_index=index) | Q(reporter_email_index=index))
                        .values_list("id", flat=True))
        cases, case_messages = _erase_cases(case_ids, now=now, stop_messages=True)
        comanagers = CoManager.objects.filter(phone_index=index).update(phone="", phone_index="")
        to_it = Message.objects.filter(to_index=index)
        to_it.filter(status=MessageStatus.PENDING).update(status=MessageStatus.SKIPPED_OPT_OUT)
        erased = Erased(cases=cases, comanagers=comanagers, messages=case_messages + to_it.update(to="", to_index=""))
    masked = mask_contact(normalise_contact(contact))
    audit.record(audit.Action.PERSONAL_DATA_ERASED, request=request, object_repr=masked,
                 data={"contact": masked, "reason": reason, **erased.as_dict()})
    return erased


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def _due(cutoff: dt.datetime):
    """Ended before the cutoff and not yet erased (each from its own small partial index)."""
    unmarked = Case.objects.filter(personal_data_erased_at=None)
    closed = unmarked.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff).values_list("id", flat=True)
    rejected = unmarked.filter(status=CaseStatus.REJECTED, rejected_at__lt=cutoff).values_list("id", flat=True)
    return closed, rejected


def personal_data_retention(*, now: dt.datetime | None = None, batch: int = RETENTION_BATCH) -> int:
    """Erase the reporters of every case that ended more than PERSONAL_DATA_RETENTION_DAYS before
    `now`; returns how many cases were erased. One transaction per batch (rows locked, skipping ones
    another run holds); one audit row per run, with the count, even when it is 0."""
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    total = 0
    for due in _due(cutoff):
        while True:
            with transaction.atomic():
                ids = list(Case.objects.filter(pk__in=list(due[:batch])).select_for_update(skip_locked=True)
                           .filter(personal_data_erased_at=None).values_list("id", flat=True))
                if not ids:
                    break
                erased, _messages = _erase_cases(ids, now=now, stop_messages=False)
                total += erased
    audit.record(audit.Action.PERSONAL_DATA_ERASED, username=RETENTION_ACTOR,
                 data={"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS, "ended_before": cutoff.isoformat(),
                       "cases": total})
    return total
