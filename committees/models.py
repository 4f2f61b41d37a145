"""Area management committees, joint meetings and the street's joint enforcement team.

A street calls its agencies to meetings (地区管理委员会, 联席会议), records who came, the minutes and
the decisions; a decision can become a case dispatched to the responsible agency. The joint
enforcement team (联合执法队) records operations run together; an operation only points at cases,
it never takes them over: the case's lead agency stays responsible.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidian.models import Event


class MeetingKind(models.TextChoices):
    AREA_COMMITTEE = "area_committee", _("area management committee (地区管理委员会)")
    JOINT_MEETING = "joint_meeting", _("joint meeting (联席会议)")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")


class Meeting(models.Model):
    street = models.ForeignKey("agencies.Street", on_delete=models.PROTECT, related_name="meetings",
                               verbose_name=_("street"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    held_at = models.DateTimeField(_("held at"))
    title = models.CharField(_("title"), max_length=200)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.PLANNED)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("planned by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["street", "-held_at"], name="meeting_street_held")]
        constraints = [
            models.CheckConstraint(name="meeting_kind_valid", condition=Q(kind__in=MeetingKind.values)),
            models.CheckConstraint(name="meeting_status_valid", condition=Q(status__in=MeetingStatus.values)),
        ]

    def __str__(self) -> str:
        return self.title


class MeetingEvent(Event):
    """One step on a meeting (planned, held, attendance, minutes, a decision, a decision's case)."""

    SUBJECT = "meeting"
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events",
                                verbose_name=_("meeting"), db_index=False)

    class Meta(Event.Meta):
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")
        indexes = [models.Index(fields=["meeting", "at"], name="meetingevent_meeting_at_idx")]


class Invitation(models.Model):
    """An agency called to a meeting; `attended` stays empty until the street records attendance."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations",
                                verbose_name=_("meeting"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="meeting_invitations",
                               verbose_name=_("agency"))
    required = models.BooleanField(_("required to attend"), default=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="invitation_unique_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.agency}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name=_("meeting"))
    text = models.TextField(_("decision"))
    responsible_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT,
                                           related_name="meeting_decisions", verbose_name=_("responsible agency"))
    case = models.OneToOneField("dispatch.Case", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="meeting_decision", verbose_name=_("created case"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:50]


class JointTeam(models.Model):
    """联合执法队: one per street."""

    street = models.OneToOneField("agencies.Street", on_delete=models.PROTECT, related_name="joint_team",
                                  verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("joint enforcement team")
        verbose_name_plural = _("joint enforcement teams")
        ordering = ["street__code"]

    def __str__(self) -> str:
        return self.name


class JointTeamMember(models.Model):
    team = models.ForeignKey(JointTeam, on_delete=models.CASCADE, related_name="members", verbose_name=_("team"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="joint_team_members",
                               verbose_name=_("agency"))
    person_name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("joint team member")
        verbose_name_plural = _("joint team members")
        ordering = ["agency__code", "person_name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "agency", "person_name"], name="joint_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.agency})"


class JointOperation(models.Model):
    """A joint operation. Its cases are only linked: their tasks and lead agency are not touched."""

    team = models.ForeignKey(JointTeam, on_delete=models.CASCADE, related_name="operations", verbose_name=_("team"))
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    participants = models.ManyToManyField(JointTeamMember, related_name="operations",
                                          verbose_name=_("participants"))
    cases = models.ManyToManyField("dispatch.Case", related_name="joint_operations", blank=True,
                                   verbose_name=_("linked cases"))
    result = models.TextField(_("outcome of the operation"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("joint operation")
        verbose_name_plural = _("joint operations")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title
