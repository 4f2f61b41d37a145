"""群众知情: the reporter of a case is told of every step that concerns them, by SMS to the phone
they gave (and by email if they gave one), each message with the case's private follow link.

The workflow knows nothing of this: `on_case_event` listens to dispatch's `case_event_recorded`
and, for the steps below and a case with a reporter's address, asks a worker to tell them once
the step has committed. Nothing else happens in the request (no query, no text, no sending), so
the workflow is as fast with messages as without, and a broken SMS gateway cannot stop it.

The worker (`tell_reporter`, the Celery task public.tell_reporter) writes the text in Chinese and
queues one message per channel under the key "case-event:<event id>:<channel>": run twice, or by
two workers at once, it still writes one (notifications.messages.message_queue).

What is said, by the step's action:

    create                      received         the case number
    file                        filed            by which sub-center
    reject                      rejected         the reason given (or the case it was merged with)
    dispatch                    dispatched       the lead unit
    verify_passed, resolve_on_site
                                result           the case's public result and, in the same message,
                                                 the rating link: one text per step, so the reporter
                                                 is not sent two in a row (and the key stays one per
                                                 event and channel)
    letter_feedback             letter_feedback  the street's feedback on a deadline letter
    explain                     explained        the street's explanation after a dissatisfied rating
    reopen                      reopened         that it is being handled again
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import override

from assessment.satisfaction import invitation_url
from dispatch.models import Case, CaseEvent
from dispatch.signals import case_event_recorded
from haidian import outbox
from notifications.messages import message_opt_out, message_queue, queue_send
from notifications.models import Channel, Message
from public import conf, selectors, services

TELL_REPORTER_TASK = "public.tell_reporter"

# action (CaseEvent.action) → template (Message.template). By name: some of these actions are newer
# than this module, and one the workflow does not have yet simply never fires.
TEMPLATES = {
    "create": "received",
    "file": "filed",
    "reject": "rejected",
    "dispatch": "dispatched",
    "verify_passed": "result",
    "resolve_on_site": "result",
    "letter_feedback": "letter_feedback",
    "explain": "explained",
    "reopen": "reopened",
}
# Words a reporter or a sub-center wrote, as far as a text message quotes them (the follow page has all).
QUOTE_CHARS = 200
_END = "。．.！!？?；;，,、：: \n"


def reporter_addresses(case: Case) -> list[tuple[str, str]]:
    """(channel, address) of each way to reach the case's reporter: the phone, and the email if given."""
    found = [(Channel.SMS.value, case.reporter_phone), (Channel.EMAIL.value, getattr(case, "reporter_email", ""))]
    return [(channel, address.strip()) for channel, address in found if address and address.strip()]


# --- in the request ------------------------------------------------------------------------------

RECEIVER_UID = "public.tell_reporter"


def on_case_event(sender, *, event: CaseEvent, **kwargs) -> None:
    """Receiver of dispatch.signals.case_event_recorded (connected in PublicConfig.ready). Reads only
    the event and its case, already in memory; the task is sent after the commit, and a broker that
    is down keeps it in the outbox (haidian.outbox) until it is back: never a lost message, never a
    failed step."""
    if event.action not in TEMPLATES or not reporter_addresses(event.case):
        return
    outbox.enqueue(TELL_REPORTER_TASK, event.pk)


@contextmanager
def reporters_not_told():
    """While it lasts, no step is told to its reporter: for writing a history that already happened
    (the demo's seeded cases), whose reporters are not to be texted today."""
    case_event_recorded.disconnect(dispatch_uid=RECEIVER_UID)
    try:
        yield
    finally:
        case_event_recorded.connect(on_case_event, dispatch_uid=RECEIVER_UID)


# --- in the worker -------------------------------------------------------------------------------

def message_key(event_id: int, channel: str) -> str:
    return f"case-event:{event_id}:{channel}"


def link_to(path: str) -> str:
    return f"{conf.link_base_url()}{path}"


def follow_link(case: Case) -> str:
    """The absolute address of the case's follow page (its private link, made if it had none)."""
    token = services.follow_token_for(case)
    return link_to(reverse("public:follow-case", kwargs={"token": token.token}))


def _quote(text: str) -> str:
    """Someone's words inside a sentence: on one line, shortened, without their final stop (the
    sentence has its own)."""
    text = re.sub(r"\s+", " ", text).strip()
    return Truncator(text).chars(QUOTE_CHARS).rstrip(_END) if text else ""


def _join(parts: list[str]) -> str:
    """Sentences one after the other: nothing between Chinese ones (they end in 。 or ：), a space
    after anything else (an English stop, a link)."""
    text = ""
    for part in filter(None, parts):
        if text and not text.endswith(("。", "！", "？", "：", "；")):
            text += " "
        text += part
    return text


def message_text(event: CaseEvent, template: str, *, follow: str) -> str:
    """The words of the message for this step, in Chinese (the reporters' language)."""
    case = event.case
    number, note = case.number, _quote(event.note)
    with override("zh-hans"):
        sub_center = _("%(street)s sub-center") % {"street": case.street.name}
        parts: list[str] = []
        if template == "received":
            parts.append(_("Your report has been received as case %(number)s.") % {"number": number})
        elif template == "filed":
            parts.append(_("Case %(number)s has been filed by the %(unit)s and will be sent to a handling unit.")
                         % {"number": number, "unit": sub_center})
        elif template == "rejected":
            duplicate = (event.data or {}).get("duplicate_of")
            if duplicate:
                parts.append(_("Your report %(number)s was merged with case %(duplicate)s, which deals with "
                               "the same problem.") % {"number": number, "duplicate": duplicate})
            else:
                parts.append(_("Case %(number)s was not taken up as a case by the %(unit)s.")
                             % {"number": number, "unit": sub_center})
            if note:
                parts.append(_("Reason: %(reason)s.") % {"reason": note})
        elif template == "dispatched":
            lead = (event.data or {}).get("lead", "")
            unit = selectors.unit_names({lead}).get(lead) or _("the handling unit")
            parts.append(_("Case %(number)s has been sent to %(unit)s for handling.")
                         % {"number": number, "unit": unit})
        elif template == "result":
            parts.append(_("Case %(number)s has been handled and closed.") % {"number": number})
            result = _quote(getattr(case, "public_result", "") or "")
            if result:
                parts.append(_("Result: %(result)s.") % {"result": result})
            rating = invitation_url(case)
            if rating:
                parts.append(_("Please rate how it was handled: %(link)s") % {"link": link_to(rating)})
        elif template == "letter_feedback":
            parts.append(_("News on case %(number)s from the %(unit)s: %(feedback)s.")
                         % {"number": number, "unit": sub_center, "feedback": note})
        elif template == "explained":
            parts.append(_("The %(unit)s explains the outcome of case %(number)s: %(explanation)s.")
                         % {"number": number, "unit": sub_center, "explanation": note})
        elif template == "reopened":
            parts.append(_("Case %(number)s has been reopened after your rating and is being handled again.")
                         % {"number": number})
        else:
            raise ValueError(f"no text for template {template!r}")
        parts.append(_("Follow the case: %(link)s") % {"link": follow})
    return _join(parts)


def tell_reporter(*, event_id: int, now: dt.datetime | None = None) -> int:
    """Queue what the reporter is told of this step, once per channel; returns the messages written
    (0 when they were written before, by an earlier run or a concurrent one)."""
    event = (CaseEvent.objects.select_related("case__street").filter(pk=event_id).first())
    if event is None or event.action not in TEMPLATES:
        return 0
    case = event.case
    addresses = reporter_addresses(case)
    keys = [message_key(event.pk, channel) for channel, _address in addresses]
    if not keys or Message.objects.filter(key__in=keys).count() == len(keys):
        return 0  # nobody to tell, or told already: no need to write the text again
    template = TEMPLATES[event.action]
    text = message_text(event, template, follow=follow_link(case))
    now = now or timezone.now()
    with transaction.atomic():
        written = sum(message_queue(key=message_key(event.pk, channel), channel=channel, to=address,
                                    template=template, text=text, case_number=case.number, now=now)
                      for channel, address in addresses)
        if written:
            queue_send()
    return written


# --- the reporter's own choice -------------------------------------------------------------------

def reporter_opt_out(*, case: Case, now: dt.datetime | None = None) -> int:
    """不再接收短信通知, from the case's follow page: no more messages to the phone and email the
    case carries (about any case). Returns how many waiting messages will not be sent."""
    return sum(message_opt_out(address=address, now=now) for _channel, address in reporter_addresses(case))
