"""The deadline sweep: cards and escalation at the right working-time instants, each effect once.

The case is dispatched on the eve of the 2026 National Day holiday with a 3-working-day limit
(8 working hours a day). Worked out by hand:
- due: 30 Sept 10:00 + 6.5 h that day, 1–7 Oct off, 8 h on Thu 8, 8 h on Fri 9, 1.5 h on the
  makeup Saturday 10 October → Sat 10 Oct 10:00;
- yellow (75 % = 18 h): 6.5 h + 8 h (Thu 8) + 3.5 h on Fri 9 → Fri 9 Oct 12:00;
- escalation (1 working day = 8 h after the due time): 6.5 h left on Sat 10, Sunday off, 1.5 h on
  Mon 12 → Mon 12 Oct 10:00.

Marked `sweep`: `make test` runs them on SQLite too, where the sweep takes its portable path.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from dispatch import services, sweep
from dispatch.models import CardKind, Case, CaseEvent, DeadlineCard, Tier
from haidian.permissions import Role
from notifications import services as notification_services
from notifications.models import EmailStatus, Notification
from tests.conftest import make_user
from tests.dispatch.conftest import lead_task, shanghai

pytestmark = [pytest.mark.django_db, pytest.mark.sweep]

DISPATCHED = shanghai(2026, 9, 30, 10, 0)
YELLOW = shanghai(2026, 10, 9, 12, 0)
DUE = shanghai(2026, 10, 10, 10, 0)
ESCALATE = shanghai(2026, 10, 12, 10, 0)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def overdue_setup(make_case, workflow, agency_head, street_staff):
    agency_head.email, street_staff.email = "pcs@haidian.invalid", "staff@haidian.invalid"
    agency_head.save()
    street_staff.save()
    case = workflow.dispatch(make_case(now=DISPATCHED), cooperating=False, now=DISPATCHED)
    return case


def cards() -> list[tuple[str, int]]:
    return sorted(DeadlineCard.objects.values_list("kind", "task_id"))


def test_the_lead_task_knows_its_yellow_point_and_due_time(overdue_setup):
    task = lead_task(overdue_setup)
    assert (task.warn_at, task.due_at) == (YELLOW, DUE)


def test_cards_and_escalation_come_at_their_working_time_instants(overdue_setup, agency_head, street_staff):
    case, task = overdue_setup, lead_task(overdue_setup)

    assert sweep.sweep_deadlines(now=YELLOW - MINUTE).yellow == 0
    assert sweep.sweep_deadlines(now=YELLOW).yellow == 1
    assert sweep.sweep_deadlines(now=DUE - MINUTE).red == 0
    case.refresh_from_db()
    assert not case.overdue

    assert sweep.sweep_deadlines(now=DUE).red == 1
    case.refresh_from_db()
    assert case.overdue and case.tier == Tier.STREET

    assert sweep.sweep_deadlines(now=ESCALATE - MINUTE).escalated == 0
    assert sweep.sweep_deadlines(now=ESCALATE).escalated == 1
    case.refresh_from_db()
    assert (case.tier, case.status) == (Tier.DISTRICT, "filed")
    escalation = CaseEvent.objects.get(case=case, action="escalate")
    assert (escalation.actor, escalation.actor_unit, escalation.at) == (None, "system", ESCALATE)
    assert cards() == [(CardKind.RED, task.pk), (CardKind.YELLOW, task.pk)]
    assert sorted(Notification.objects.filter(user=agency_head).values_list("kind", flat=True)) == [
        "red_card", "yellow_card"]
    assert sorted(Notification.objects.filter(user=street_staff).values_list("kind", flat=True)) == [
        "escalated", "red_card"]
    assert "已超过办结时限" in Notification.objects.get(user=agency_head, kind="red_card").title


def test_a_sweep_that_missed_hours_catches_up_without_a_stale_yellow_card(overdue_setup):
    result = sweep.sweep_deadlines(now=ESCALATE)

    assert (result.yellow, result.red, result.escalated) == (0, 1, 1)


def test_sweeping_twice_changes_nothing_the_second_time(overdue_setup):
    first = sweep.sweep_deadlines(now=ESCALATE)
    before = (cards(), Notification.objects.count(), CaseEvent.objects.count())

    again = sweep.sweep_deadlines(now=ESCALATE)
    later = sweep.sweep_deadlines(now=ESCALATE + dt.timedelta(days=3))

    assert (first.red, first.escalated) == (1, 1)
    assert (again.yellow, again.red, again.escalated, again.notifications) == (0, 0, 0, 0)
    assert (later.yellow, later.red, later.escalated, later.notifications) == (0, 0, 0, 0)
    assert (cards(), Notification.objects.count(), CaseEvent.objects.count()) == before


def told(kind: str) -> list[str]:
    """Who was notified of this kind, one name per notification."""
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_a_card_tells_the_handlers_of_its_task_and_a_red_one_on_the_lead_task_the_street_too(
        make_case, workflow, agency, agency_head, cooperating_head, street_staff, other_street_staff):
    make_user("agency-staff", Role.AGENCY_STAFF, [agency])
    workflow.dispatch(make_case(now=DISPATCHED), now=DISPATCHED)  # the police station leads, the squad helps

    sweep.sweep_deadlines(now=YELLOW)
    assert told("yellow_card") == ["agency-head", "agency-staff", "cooperating-head"]

    sweep.sweep_deadlines(now=DUE)
    assert told("red_card") == ["agency-head", "agency-staff", "cooperating-head", "street-staff"]


def test_a_red_card_on_a_department_task_tells_its_administrators_in_chinese(
        make_case, workflow, street_staff, district_command, department, department_admin):
    case = workflow.file(make_case(now=DISPATCHED), now=DISPATCHED)
    services.case_escalate(case=case, actor=street_staff, reason="需区级协调", now=DISPATCHED)
    services.case_dispatch(case=case, actor=district_command, lead=department.code, now=DISPATCHED)

    sweep.sweep_deadlines(now=DUE)

    assert told("red_card") == ["department-admin", "street-staff"]
    note = Notification.objects.get(user=department_admin)
    assert (note.key, note.case_number, note.link) == (
        f"red:{lead_task(case).pk}:{DUE.timestamp():.0f}", case.number, f"/cases/{case.number}/")
    assert (note.title, note.body) == (f"案件 {case.number} 已超过办结时限",
                                       f"{case.title} — {department.name}，办结时限 2026-10-10 10:00。")


def test_a_card_a_racing_sweep_wrote_first_is_neither_written_nor_announced_again(overdue_setup):
    """Two sweeps list the same due task; the second to insert its card must find it written."""
    task = lead_task(overdue_setup)

    first = sweep._insert_cards(CardKind.RED, [task.pk], DUE)
    second = sweep._insert_cards(CardKind.RED, [task.pk], DUE)

    assert len(first) == 1 and second == []
    assert cards() == [(CardKind.RED, task.pk)]


def test_a_sweep_killed_halfway_is_finished_by_the_next_one(make_case, workflow, monkeypatch):
    for _ in range(3):
        workflow.dispatch(make_case(now=DISPATCHED), cooperating=False, now=DISPATCHED)
    real, calls = sweep._notify_cards, []

    def dies_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep, "_notify_cards", dies_on_the_second_batch)
    with pytest.raises(SystemExit):
        sweep.sweep_deadlines(now=DUE, batch=1)
    assert DeadlineCard.objects.count() == 1  # the first batch is done and kept; the second rolled back

    monkeypatch.setattr(sweep, "_notify_cards", real)
    sweep.sweep_deadlines(now=DUE, batch=1)

    assert DeadlineCard.objects.filter(kind=CardKind.RED).count() == 3
    assert Notification.objects.filter(kind="red_card").values("key").distinct().count() == 3


def test_a_new_deadline_earns_new_cards(overdue_setup, agency_head, street_staff):
    sweep.sweep_deadlines(now=DUE)
    task = lead_task(overdue_setup)
    services.task_request_extension(task=task, actor=agency_head, until=DUE + dt.timedelta(days=3), reason="协调中",
                                    now=DUE)
    services.task_approve_extension(task=task, actor=street_staff, now=DUE + MINUTE)

    assert sweep.sweep_deadlines(now=DUE + dt.timedelta(days=3)).red == 1
    assert DeadlineCard.objects.filter(task=task, kind=CardKind.RED).count() == 2


def test_notification_emails_are_sent_once_and_failures_are_retried_then_marked(overdue_setup, monkeypatch):
    sweep.sweep_deadlines(now=DUE)
    pending = Notification.objects.filter(email_status=EmailStatus.PENDING).count()
    assert pending == 2  # the agency head and the street's staff, each with an email address

    assert notification_services.send_pending_emails() == 2
    assert notification_services.send_pending_emails() == 0
    assert len(mail.outbox) == 2 and all("超过办结时限" in m.subject for m in mail.outbox)

    Notification.objects.update(email_status=EmailStatus.PENDING, email_attempts=0)
    mail.outbox.clear()

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    for _attempt in range(notification_services.EMAIL_ATTEMPTS):
        with pytest.raises(OSError):
            notification_services.send_pending_emails(limit=1)
    first = Notification.objects.order_by("id").first()
    assert (first.email_status, first.email_attempts) == (EmailStatus.FAILED, notification_services.EMAIL_ATTEMPTS)
    assert mail.outbox == []


def test_the_command_sweeps_as_of_the_instant_given(overdue_setup, capsys):
    call_command("sweep_deadlines", now="2026-10-10T10:00")

    assert "1 red" in capsys.readouterr().out
    assert Case.objects.get(pk=overdue_setup.pk).overdue


def test_my_notifications_through_the_api_and_read_once(overdue_setup, agency_head, street_staff, api):
    sweep.sweep_deadlines(now=DUE)
    head = api.as_user(agency_head)
    mine = head.get("/api/v1/notifications/").json()["results"]
    assert [row["kind"] for row in mine] == ["red_card"] and mine[0]["case"] == overdue_setup.number

    first = head.post(f"/api/v1/notifications/{mine[0]['id']}/read/").json()["read_at"]
    again = head.post(f"/api/v1/notifications/{mine[0]['id']}/read/").json()["read_at"]
    assert first and first == again
    assert head.get("/api/v1/notifications/?unread=true").json()["results"] == []
    # another person's notification does not exist for me
    theirs = Notification.objects.get(user=street_staff)
    assert head.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404


def test_the_notification_page_opens_the_case_and_marks_it_read(overdue_setup, agency_head, client):
    sweep.sweep_deadlines(now=DUE)
    client.force_login(agency_head)
    note = Notification.objects.get(user=agency_head)

    assert note.title in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{note.pk}/open/")

    assert response["Location"] == f"/cases/{overdue_setup.number}/"
    note.refresh_from_db()
    assert note.read_at is not None
