"""Writes: who manages an agency, its yearly budget, and the appointment workflow.

Appointment steps lock the row, check its status in one table (`APPOINTMENT_MOVES`) and write one
event on the appointment's timeline (the `APPOINTMENTS` machine), as the deadline letters do: two
people acting at once cannot both move it (the second waits for the lock and then finds the new
status, a 409).

Decision (issue: "a dual-mode agency with an opinion that disagrees"): an *opinion* is advice the
department must have on file, not a veto — a filing with a disagreeing opinion is accepted and the
opinion stays on record. Only a *consent* (房管所, 卫生监督站, the 城管分队 executive deputy) that
refuses makes the filing invalid.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency, ManagementMode, Street
from appointments.models import (
    AgencyBudget,
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    Holder,
    PartyCommitteeSeat,
    Position,
    Requirement,
    Verdict,
)
from haidian import uploads
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from haidian.workflow import Machine, is_system, unique_or_conflict
from people.selectors import acting_as, holds, unit_ids

K = Agency.Kind
OPINION_KINDS = {K.POLICE_STATION, K.MARKET_OFFICE, K.TRAFFIC_BRIGADE}
CONSENT_KINDS = {K.HOUSING_OFFICE, K.HEALTH_INSPECTION, K.URBAN_MANAGEMENT_SQUAD}
STREET_KINDS = {K.JUSTICE_OFFICE, K.STATISTICS_OFFICE}

S = AppointmentStatus
# step → {from status: to status}; a step not listed for the current status is a 409.
APPOINTMENT_MOVES = {
    "attach": {S.PROPOSED: S.DOCUMENT_ATTACHED, S.DOCUMENT_ATTACHED: S.DOCUMENT_ATTACHED},
    "file": {S.PROPOSED: S.FILED, S.DOCUMENT_ATTACHED: S.FILED},
    "refuse": {S.PROPOSED: S.REFUSED_INVALID, S.DOCUMENT_ATTACHED: S.REFUSED_INVALID},  # the filing, as invalid
}
STEP_LABELS = {
    "propose": gettext_lazy("Proposed"),
    "appoint": gettext_lazy("Appointed by the street"),
    "attach": gettext_lazy("Street document attached"),
    "file": gettext_lazy("Filed with the district HR bureau"),
    "refuse": gettext_lazy("Filing refused as invalid"),
}
APPOINTMENTS = Machine(model=Appointment, moves=APPOINTMENT_MOVES, events=AppointmentEvent,
                       refusal=gettext_lazy("Cannot do this: the appointment is %(status)s."), step_labels=STEP_LABELS,
                       related=("agency", "street"))


# --- management mode ---------------------------------------------------------------------------

def requirement(agency: Agency, position: str | None = None) -> str:
    """What an appointment to `agency` needs from the street.

    派出所, 工商所, 交通大队 → the party committee's opinion; 房管所, 卫生监督站 → its consent;
    城管分队 → consent for the executive deputy (and when no position is named), an opinion for
    the other posts; 司法所, 统计所 → the street appoints directly; any other kind by its mode.
    """
    if agency.kind in STREET_KINDS:
        return Requirement.STREET_APPOINTS
    if agency.kind == K.URBAN_MANAGEMENT_SQUAD:
        return Requirement.CONSENT if position in (None, Position.EXECUTIVE_DEPUTY) else Requirement.OPINION
    if agency.kind in CONSENT_KINDS:
        return Requirement.CONSENT
    if agency.kind in OPINION_KINDS:
        return Requirement.OPINION
    return Requirement.STREET_APPOINTS if agency.management_mode == ManagementMode.LOCAL else Requirement.OPINION


def who_schedules(agency: Agency) -> str:
    """Whose orders set the agency's daily work: the street for local and mainly-local agencies."""
    return Holder.DEPARTMENT if agency.management_mode == ManagementMode.DUAL else Holder.STREET


def budget_holder(agency: Agency) -> str:
    """Whose budget carries the agency: the street's for local and mainly-local, else the department's."""
    return Holder.DEPARTMENT if agency.management_mode == ManagementMode.DUAL else Holder.STREET


def may_record_budget(user, agency: Agency) -> bool:
    """The budget is recorded by whoever carries it: the department's administrator for a dual-mode
    agency, the staff of a street it serves otherwise (a superuser too, and SYSTEM: a data load)."""
    if is_system(user) or user.is_superuser:
        return True
    if budget_holder(agency) == Holder.DEPARTMENT:
        return holds(user, Role.DEPARTMENT_ADMIN, "department", agency.department_id)
    return bool(set(unit_ids(user, Role.STREET_STAFF, "street")) & set(agency.streets.values_list("pk", flat=True)))


@transaction.atomic
def budget_record(*, actor, agency: Agency, year: int, amount: Decimal, holder: str | None = None,
                  note: str = "") -> AgencyBudget:
    """Record the agency's budget of `year` (once: the year's row is unique, so of two recorded at
    once the second is a 409), by whoever carries it (SYSTEM for a data load)."""
    if not may_record_budget(actor, agency):
        raise ActionForbidden(_("The budget is recorded by whoever carries it: %(holder)s.")
                              % {"holder": Holder(budget_holder(agency)).label})
    recorded = _("The budget of %(agency)s for %(year)s is already recorded.") % {"agency": agency, "year": year}
    if AgencyBudget.objects.filter(agency=agency, year=year).exists():
        raise ActionConflict(recorded)
    if amount < 0:
        raise InvalidInput({"amount": _("A budget cannot be negative.")})
    with unique_or_conflict(recorded, "agency_budget_unique_per_year"):
        return AgencyBudget.objects.create(agency=agency, year=year, amount=amount, note=note,
                                           holder=holder or budget_holder(agency))


# --- appointments ------------------------------------------------------------------------------

def appointment_steps(user, appointment: Appointment) -> set[str]:
    """The steps this person may take now (the pages show only these)."""
    steps = set()
    if (appointment.status in APPOINTMENT_MOVES["attach"]
            and holds(user, Role.STREET_STAFF, "street", appointment.street_id)):
        steps.add("attach")
    if (appointment.status in APPOINTMENT_MOVES["file"]
            and holds(user, Role.DEPARTMENT_ADMIN, "department", appointment.agency.department_id)):
        steps.add("file")
    return steps


def _serves(agency: Agency, street: Street) -> None:
    if not agency.streets.filter(pk=street.pk).exists():
        raise InvalidInput({"street": _("%(agency)s does not serve %(street)s.")
                            % {"agency": agency, "street": street}})


@transaction.atomic
def appointment_propose(*, actor, agency: Agency, street: Street, candidate_name: str, position: str,
                        now: dt.datetime | None = None) -> Appointment:
    """The agency's department proposes a leader; the street's document comes next."""
    unit = acting_as(actor, Role.DEPARTMENT_ADMIN, "department", agency.department_id,
                     refusal=_("Only an administrator of the agency's department may propose its leaders."))
    needed = requirement(agency, position)
    if needed == Requirement.STREET_APPOINTS:
        raise ActionForbidden(_("The street appoints the leaders of %(agency)s directly (local management).")
                              % {"agency": agency})
    _serves(agency, street)
    now = now or timezone.now()
    appointment = Appointment.objects.create(agency=agency, street=street, candidate_name=candidate_name.strip(),
                                             position=position, requirement=needed, proposed_by=actor, proposed_at=now)
    APPOINTMENTS.record(appointment, "propose", actor=actor, at=now, unit=unit,
                        data={"position": position, "requirement": needed})
    return appointment


@transaction.atomic
def appointment_by_street(*, actor, agency: Agency, street: Street, candidate_name: str, position: str,
                          now: dt.datetime | None = None) -> Appointment:
    """A local-mode agency (司法所, 统计所): the street's staff appoint its leader directly."""
    unit = acting_as(actor, Role.STREET_STAFF, "street", street.pk,
                     refusal=_("Only the sub-center staff of the street may appoint directly."))
    _serves(agency, street)
    if requirement(agency, position) != Requirement.STREET_APPOINTS:
        raise InvalidInput({"agency": _("%(agency)s is not under local management: its department proposes "
                                        "the appointment.") % {"agency": agency}})
    now = now or timezone.now()
    appointment = Appointment.objects.create(
        agency=agency, street=street, candidate_name=candidate_name.strip(), position=position,
        requirement=Requirement.STREET_APPOINTS, status=S.APPOINTED, proposed_by=actor, proposed_at=now,
        filed_by=actor, filed_at=now)
    APPOINTMENTS.record(appointment, "appoint", actor=actor, at=now, unit=unit,
                        data={"position": position})
    return appointment


def _check_document(upload) -> str:
    if upload is None:
        raise InvalidInput({"document_file": _("Attach the signed document (PDF or photo).")})
    if upload.size > uploads.MAX_UPLOAD_BYTES:
        raise InvalidInput({"document_file": _("The document is larger than 10 MB.")})
    return uploads.sniff(upload, field="document_file")


@transaction.atomic
def appointment_attach_document(*, appointment: Appointment, actor, verdict: str, text: str, upload,
                                now: dt.datetime | None = None) -> Appointment:
    """The street party committee's written opinion or consent, as the appointment requires.

    Attaching again before filing replaces the document (the committee may reconsider).
    """
    appointment = APPOINTMENTS.lock(appointment)
    unit = acting_as(actor, Role.STREET_STAFF, "street", appointment.street_id,
                     refusal=_("Only the sub-center staff of the appointment's street may attach its document."))
    APPOINTMENTS.next_status(appointment, "attach")
    if verdict not in Verdict.values:
        raise InvalidInput({"verdict": _("Say whether the committee agrees.")})
    if not text.strip():
        raise InvalidInput({"text": _("Write the committee's opinion.")})
    content_type = _check_document(upload)
    now = now or timezone.now()
    appointment.document_file.save(uploads.stored_name(content_type), upload, save=False)
    APPOINTMENTS.move(
        appointment, "attach", actor=actor, at=now, unit=unit,
        note=f"{Verdict(verdict).label} · {text.strip()}", data={"kind": appointment.requirement, "verdict": verdict},
        changes={"document_kind": appointment.requirement, "verdict": verdict, "document_text": text.strip(),
                 "document_file": appointment.document_file, "document_content_type": content_type,
                 "document_by": actor, "document_at": now})
    return appointment


def filing_defect(appointment: Appointment) -> str:
    """Why the HR bureau would refuse the filing as invalid, or "" if it is complete."""
    if appointment.status == S.PROPOSED or not appointment.document_kind:
        if appointment.requirement == Requirement.CONSENT:
            return _("The street party committee's written consent is missing.")
        return _("The street party committee's written opinion is missing.")
    if appointment.requirement == Requirement.CONSENT and appointment.verdict != Verdict.AGREE:
        return _("The street party committee refused its consent.")
    return ""


class FilingRefused(InvalidInput):
    """The filing was refused as invalid; the refusal is recorded (committed) before this is raised."""

    def __init__(self, appointment: Appointment, reason: str):
        self.appointment = appointment
        super().__init__({"document": reason})


def appointment_file(*, appointment: Appointment, actor, hr_reference: str = "",
                     now: dt.datetime | None = None) -> Appointment:
    """The department files the appointment with the district HR bureau.

    Without the required document, or with a consent that refuses, the bureau refuses the filing as
    invalid: the appointment ends 'refused as invalid' with the reason (committed, so the record
    stays), and FilingRefused (HTTP 400) names the reason. The department proposes again.
    """
    appointment, reason = _file(appointment=appointment, actor=actor, hr_reference=hr_reference, now=now)
    if reason:
        raise FilingRefused(appointment, reason)
    return appointment


@transaction.atomic
def _file(*, appointment: Appointment, actor, hr_reference: str, now: dt.datetime | None):
    appointment = APPOINTMENTS.lock(appointment)
    unit = acting_as(actor, Role.DEPARTMENT_ADMIN, "department", appointment.agency.department_id,
                     refusal=_("Only an administrator of the agency's department may file its appointments."))
    APPOINTMENTS.next_status(appointment, "file")
    now = now or timezone.now()
    reason = filing_defect(appointment)
    if reason:
        APPOINTMENTS.move(appointment, "refuse", actor=actor, at=now, unit=unit, note=reason,
                          changes={"refusal_reason": reason, "refused_at": now, "filed_by": actor})
        return appointment, reason
    APPOINTMENTS.move(appointment, "file", actor=actor, at=now, unit=unit, note=hr_reference.strip(),
                      changes={"filed_by": actor, "filed_at": now, "hr_reference": hr_reference.strip()})
    if appointment.agency.kind == K.POLICE_STATION and appointment.position == Position.HEAD:
        _seat_on_party_committee(appointment, now)
    return appointment, ""


def _seat_on_party_committee(appointment: Appointment, now: dt.datetime) -> PartyCommitteeSeat:
    """派出所 heads sit on the street party committee; the new head takes the predecessor's seat."""
    PartyCommitteeSeat.objects.filter(street=appointment.street, agency=appointment.agency,
                                      ended_at=None).update(ended_at=now)
    return PartyCommitteeSeat.objects.create(street=appointment.street, agency=appointment.agency,
                                             person_name=appointment.candidate_name, appointment=appointment,
                                             since=now)
