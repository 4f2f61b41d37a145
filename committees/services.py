"""Every write of meetings and the joint enforcement team: keyword-only, atomic, one per action.

Meetings move planned → held (`MEETING_MOVES`, the `MEETINGS` machine, which writes each step on
the meeting's timeline); attendance, minutes and decisions are recorded only once a meeting is held
(409 before). Street staff of the meeting's street do all of it (403
for anyone else). A decision becomes a case only through `dispatch.services`, so the case gets its
number, grid, event log and lead task like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, Street
from committees.models import (
    Decision,
    Invitation,
    JointOperation,
    JointTeam,
    JointTeamMember,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
)
from dispatch import services as dispatch_services
from dispatch.models import Case, Category, Source
from haidian.errors import ActionConflict, InvalidInput
from haidian.permissions import Role
from haidian.workflow import Machine, user_or_none
from people.selectors import acting_as

M = MeetingStatus
# step → {from status: to status}; a step not listed for the current status is a 409.
MEETING_MOVES = {
    "hold": {M.PLANNED: M.HELD},
    "attendance": {M.HELD: M.HELD},
    "minutes": {M.HELD: M.HELD},
    "decision": {M.HELD: M.HELD},
    "decision_case": {M.HELD: M.HELD},
}
STEP_LABELS = {
    "plan": gettext_lazy("meeting called"),
    "hold": gettext_lazy("meeting held"),
    "attendance": gettext_lazy("attendance recorded"),
    "minutes": gettext_lazy("minutes recorded"),
    "decision": gettext_lazy("decision recorded"),
    "decision_case": gettext_lazy("decision turned into a case"),
}
MEETINGS = Machine(model=Meeting, moves=MEETING_MOVES, events=MeetingEvent,
                   refusal=gettext_lazy("Not possible now: the meeting is %(status)s."), step_labels=STEP_LABELS,
                   related=("street",))


def _street_staff(user, street_id: int) -> str:
    """The acting street's label for the event, or 403."""
    return acting_as(user, Role.STREET_STAFF, "street", street_id,
                     refusal=_("Only the sub-center staff of the street may do this."))


def _serving(street_id: int, agencies: Iterable[Agency], field: str) -> None:
    serving = set(Agency.objects.filter(streets=street_id).values_list("pk", flat=True))
    outside = [agency.code for agency in agencies if agency.pk not in serving]
    if outside:
        raise InvalidInput({field: [_("%(code)s is not an agency serving this street.") % {"code": code}
                                    for code in outside]})


# --- meetings ------------------------------------------------------------------------------------

@transaction.atomic
def meeting_plan(*, actor, street: Street, kind: str, held_at: dt.datetime, title: str,
                 agencies: Iterable[Agency], optional_agencies: Iterable[Agency] = (),
                 now: dt.datetime | None = None) -> Meeting:
    """Call a meeting: `agencies` must attend, `optional_agencies` are welcome."""
    unit = _street_staff(actor, street.pk)
    if kind not in MeetingKind.values:
        raise InvalidInput({"kind": _("Unknown kind of meeting.")})
    required = list(dict.fromkeys(agencies))
    optional = [agency for agency in dict.fromkeys(optional_agencies) if agency not in required]
    if not required:
        raise InvalidInput({"agencies": _("Invite at least one agency.")})
    _serving(street.pk, required, "agencies")
    _serving(street.pk, optional, "optional_agencies")
    meeting = Meeting.objects.create(street=street, kind=kind, held_at=held_at, title=title,
                                     planned_by=user_or_none(actor))
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, agency=agency, required=True) for agency in required]
        + [Invitation(meeting=meeting, agency=agency, required=False) for agency in optional])
    MEETINGS.record(meeting, "plan", actor=actor, at=now or timezone.now(), unit=unit, data={
        "required": [agency.code for agency in required], "optional": [agency.code for agency in optional]})
    return meeting


@transaction.atomic
def meeting_hold(*, meeting: Meeting, actor, minutes: str = "", now: dt.datetime | None = None) -> Meeting:
    """The meeting took place: attendance, minutes and decisions can be recorded from now on."""
    meeting = MEETINGS.lock(meeting)
    unit = _street_staff(actor, meeting.street_id)
    MEETINGS.move(meeting, "hold", actor=actor, at=now or timezone.now(), unit=unit, note=minutes,
                  changes={"minutes": minutes} if minutes else {})
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, actor, attendance: dict[int, tuple[bool, str]],
                      now: dt.datetime | None = None) -> Meeting:
    """`attendance`: agency id → (attended, reason for absence) for invited agencies."""
    meeting = MEETINGS.lock(meeting)
    unit = _street_staff(actor, meeting.street_id)
    MEETINGS.next_status(meeting, "attendance")
    invitations = {invitation.agency_id: invitation for invitation in meeting.invitations.select_related("agency")}
    unknown = [agency_id for agency_id in attendance if agency_id not in invitations]
    if unknown:
        raise InvalidInput({"attendance": _("Only invited agencies can be recorded.")})
    changed = []
    for agency_id, (attended, reason) in attendance.items():
        invitation = invitations[agency_id]
        invitation.attended, invitation.absence_reason = attended, "" if attended else reason
        changed.append(invitation)
    Invitation.objects.bulk_update(changed, ["attended", "absence_reason"])
    MEETINGS.move(meeting, "attendance", actor=actor, at=now or timezone.now(), unit=unit, data={
        "attended": sorted(i.agency.code for i in changed if i.attended),
        "absent": sorted(i.agency.code for i in changed if not i.attended)})
    return meeting


@transaction.atomic
def minutes_record(*, meeting: Meeting, actor, minutes: str, now: dt.datetime | None = None) -> Meeting:
    meeting = MEETINGS.lock(meeting)
    unit = _street_staff(actor, meeting.street_id)
    MEETINGS.move(meeting, "minutes", actor=actor, at=now or timezone.now(), unit=unit, note=minutes,
                  changes={"minutes": minutes})
    return meeting


@transaction.atomic
def decision_add(*, meeting: Meeting, actor, text: str, responsible_agency: Agency,
                 now: dt.datetime | None = None) -> Decision:
    meeting = MEETINGS.lock(meeting)
    unit = _street_staff(actor, meeting.street_id)
    MEETINGS.next_status(meeting, "decision")
    _serving(meeting.street_id, [responsible_agency], "responsible_agency")
    decision = Decision.objects.create(meeting=meeting, text=text, responsible_agency=responsible_agency)
    MEETINGS.move(meeting, "decision", actor=actor, at=now or timezone.now(), unit=unit, note=text,
                  data={"decision": decision.pk, "responsible_agency": responsible_agency.code})
    return decision


@transaction.atomic
def decision_create_case(*, decision: Decision, actor, title: str, lat: float, lng: float, category: Category,
                         lead: Agency | None = None, now: dt.datetime | None = None) -> Case:
    """Turn a decision into a case: reported by the street staff, filed, and dispatched with the
    responsible agency (or `lead`) leading, all or nothing; the decision keeps the case."""
    # Lock the decision: two clicks on "create case" must not make two cases.
    decision = Decision.objects.select_for_update(of=("self",)).select_related(
        "meeting", "responsible_agency").get(pk=decision.pk)
    meeting = decision.meeting
    unit = _street_staff(actor, meeting.street_id)
    if decision.case_id is not None:
        raise ActionConflict(_("This decision has already created a case."))
    lead = lead or decision.responsible_agency
    now = now or timezone.now()
    case = dispatch_services.case_create(
        actor=actor, title=title, lat=lat, lng=lng, source=Source.STAFF, now=now,
        description=_("Decision of %(meeting)s: %(text)s") % {"meeting": meeting.title, "text": decision.text})
    if case.street_id != meeting.street_id:
        raise InvalidInput({"lat": _("The point lies outside the meeting's street.")})
    case = dispatch_services.case_file(case=case, actor=actor, category=category, now=now)
    case = dispatch_services.case_dispatch(case=case, actor=actor, lead=lead.code, now=now)
    decision.case = case
    decision.save(update_fields=["case"])
    MEETINGS.move(MEETINGS.lock(meeting), "decision_case", actor=actor, at=now, unit=unit,
                  data={"decision": decision.pk, "case": case.number})
    return case


def attendance_rate(start: dt.datetime, end: dt.datetime) -> dict[int, tuple[int, int]]:
    """Agency id → (meetings attended, meetings required to attend) over held meetings in [start, end).

    One grouped query, for the assessment's attendance indicator."""
    rows = (Invitation.objects.filter(required=True, meeting__status=MeetingStatus.HELD,
                                      meeting__held_at__gte=start, meeting__held_at__lt=end)
            .values("agency_id")
            .annotate(attended=Count("id", filter=Q(attended=True)), required=Count("id"))
            .values_list("agency_id", "attended", "required"))
    return {agency_id: (attended, required) for agency_id, attended, required in rows}


# --- joint enforcement team ----------------------------------------------------------------------

@transaction.atomic
def team_create(*, actor, street: Street, name: str = "") -> JointTeam:
    _street_staff(actor, street.pk)
    if JointTeam.objects.filter(street=street).exists():
        raise ActionConflict(_("The street already has its joint enforcement team."))
    name = name or _("%(street)s joint enforcement team") % {"street": street.name}
    try:
        # The unique street column settles a race between two creators: the loser gets a 409.
        with transaction.atomic():
            return JointTeam.objects.create(street=street, name=name)
    except IntegrityError:
        raise ActionConflict(_("The street already has its joint enforcement team.")) from None


@transaction.atomic
def member_add(*, team: JointTeam, actor, agency: Agency, person_name: str) -> JointTeamMember:
    _street_staff(actor, team.street_id)
    _serving(team.street_id, [agency], "agency")
    try:
        # The unique constraint, not a prior SELECT, decides: two clicks at once give one member and a 409.
        with transaction.atomic():
            return JointTeamMember.objects.create(team=team, agency=agency, person_name=person_name)
    except IntegrityError:
        raise ActionConflict(_("%(name)s is already a member.") % {"name": person_name}) from None


@transaction.atomic
def operation_record(*, team: JointTeam, actor, date: dt.date, title: str, participants: Iterable[JointTeamMember],
                     cases: Iterable[Case] = (), result: str = "") -> JointOperation:
    """Record a joint operation. Linked cases are only referenced: their status, tasks and lead
    agency stay as they are, because the lead agency remains responsible for its own enforcement."""
    _street_staff(actor, team.street_id)
    participants, cases = list(dict.fromkeys(participants)), list(dict.fromkeys(cases))
    if not participants:
        raise InvalidInput({"participants": _("Name at least one participant.")})
    if any(member.team_id != team.pk for member in participants):
        raise InvalidInput({"participants": _("Participants must be members of this team.")})
    if any(case.street_id != team.street_id for case in cases):
        raise InvalidInput({"cases": _("Only cases of the team's street can be linked.")})
    operation = JointOperation.objects.create(team=team, date=date, title=title, result=result,
                                              recorded_by=user_or_none(actor))
    operation.participants.set(participants)
    operation.cases.set(cases)
    return operation
