"""Demo supervision (属地监督, `manage.py seed_demo`): each demo street's democratic management and
supervision committee (地区民主管理和监督委员会) with five members, its secretary a login of their own
(`<street code>-supervision`, no role in any unit) and one open inquiry (质询) to the street's police
station; and three tasks of this year's 折子工程, one of them overdue.

Made by the same services the API calls, acting as the demo users `demo.users` creates before.
Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.utils import timezone

from agencies.models import Agency, Street
from agencies.seed import DISTRICT_CODE
from demo.users import DEMO_SUNK_STREETS
from haidian.calendar import SHANGHAI
from public.seed import demo_name
from supervision import services
from supervision.models import BodyKind, Inquiry, SupervisoryBody, WorkPlanTask

# (affiliation, secretary?) of the committee's five members.
MEMBERS = [
    ("社区居民代表", True),
    ("社区居民代表", False),
    ("辖区单位代表", False),
    ("人大代表", False),
    ("政协委员", False),
]

# The 折子工程 tasks: (code suffix, title, clause of the implementation opinions, owner code, deadline in
# days from today, done?, progress percent). The first is overdue: past its deadline, not done.
TASKS = [
    ("01", "司法所、统计所实行属地管理，业务经费纳入街镇部门预算",
     "一是对司法所、统计所实行属地管理。明确司法局对司法所进行业务领导与指导，各街、镇负责司法所的日常工作、"
     "队伍建设、纪检监察和人员考核任免，并将司法所的业务经费纳入各街、镇部门预算。",
     f"{DISTRICT_CODE}-sf", -15, False, 60),
    ("02", "组建街道联合执法队",
     "主要是组建起街、镇联合执法队并完善相关工作制度，增强街镇综合管理执法能力。",
     f"{DISTRICT_CODE}007", -30, True, 100),
    ("03", "完善地区民主管理和监督委员会制度",
     "要求各街道进一步完善地区民主管理和监督委员会制度，履行好监督评议职能，重点对街道、专业部门派驻机构及有关部门"
     "的工作进行质询、监督和考核评价。",
     f"{DISTRICT_CODE}009", 60, False, 30),
]


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _secretary(street: Street, rng: random.Random):
    """The secretary's login: created once with the demo password, no membership."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"{street.code}-supervision",
                                               defaults={"first_name": demo_name(rng)})
    if created or not check_password(settings.DEMO_PASSWORD, user.password):
        user.password = make_password(settings.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed_supervision(out, *, street_codes: tuple[str, ...] | list[str] = DEMO_SUNK_STREETS,
                     today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    command = _user("district-command")
    bodies = members = inquiries = 0
    for street in Street.objects.filter(code__in=street_codes).order_by("code"):
        rng = random.Random(f"supervision-{street.code}")
        body = SupervisoryBody.objects.filter(street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE, active=True).first()
        if body is None:
            body = services.body_create(actor=command, street=street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
        bodies += 1
        secretary = _secretary(street, rng)
        if not body.members.exists():
            joined = today.replace(month=1, day=1)
            for affiliation, is_secretary in MEMBERS:
                services.member_add(body=body, actor=command, affiliation=affiliation, joined_on=joined,
                                    name=secretary.first_name if is_secretary else demo_name(rng),
                                    user=secretary if is_secretary else None, is_secretary=is_secretary)
        members += body.members.count()
        police = Agency.objects.filter(streets=street, kind=Agency.Kind.POLICE_STATION).order_by("code").first()
        if police is not None and not Inquiry.objects.filter(body=body).exists():
            services.inquiry_put(body=body, actor=secretary, target=police.code, subject="夜间施工噪声扰民",
                                 question="辖区多处工地夜间施工，居民多次反映噪声扰民，请说明查处情况和下一步措施。")
        inquiries += Inquiry.objects.filter(body=body).count()
    year = today.year
    for suffix, title, clause, owner, days, done, percent in TASKS:
        code = f"{year}-{suffix}"
        if WorkPlanTask.objects.filter(year=year, code=code, district__code=DISTRICT_CODE).exists():
            continue
        deadline = today + dt.timedelta(days=days)
        task = services.task_create(actor=command, year=year, code=code, title=title, clause=clause, owner=owner,
                                    deadline=deadline)
        owner_user = _user(f"{owner}-admin" if "-" in owner else f"{owner}-staff")
        # A done task was done five days before its deadline (in time); the others report today.
        at = dt.datetime.combine(deadline - dt.timedelta(days=5), dt.time(10), tzinfo=SHANGHAI) if done else None
        services.task_report_progress(task=task, actor=owner_user, text=f"已完成{percent}%。", percent=percent, now=at)
        if done:
            services.task_mark_done(task=task, actor=owner_user, now=at)
    overdue = sum(task.is_overdue(today) for task in WorkPlanTask.objects.filter(year=year))
    out(f"Supervision: {bodies} democratic committees ({members} members, secretaries' logins "
        f"<street code>-supervision), {inquiries} inquiries; {len(TASKS)} work-plan tasks of {year} "
        f"({overdue} overdue)")
