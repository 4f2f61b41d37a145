"""What the assessment reads: per target, the inquiries put in a period, answered on time and overdue
(`inquiry_figures`, as its docstring defines them); which bodies rate whom (`rating_pairs`), whose forms a
person fills (`bodies_of`) and the bodies' names."""

import datetime as dt

from supervision import services
from supervision.models import BodyKind, Inquiry, SupervisoryBody
from supervision.selectors import bodies_of, body_names, inquiry_figures, rating_pairs
from tests.supervision.conftest import ASKED, DUE, MINUTE

DAY = dt.timedelta(days=1)


def put(body, actor, target, *, at):
    return services.inquiry_put(body=body, actor=actor, target=target.code, subject="s", question="q", now=at)


def by_definition(start, end) -> dict:
    """The docstring's definitions, inquiry by inquiry in Python."""
    found: dict = {}
    for i in Inquiry.objects.filter(asked_at__gte=start, asked_at__lt=end):
        key = ("agency", i.target_agency_id) if i.target_agency_id else ("street", i.target_street_id)
        row = found.setdefault(key, {"inquiries": 0, "answered_on_time": 0, "overdue": 0})
        row["inquiries"] += 1
        row["answered_on_time"] += bool(i.answered_at and i.answered_at <= i.answer_due_at and i.answered_at < end)
        row["overdue"] += bool(i.answer_due_at < end and (i.ever_overdue or i.answered_at is None
                                                          or i.answered_at > i.answer_due_at))
    return found


def test_figures_count_each_targets_inquiries_as_defined(committee, seats, secretary, street_staff, agency,
                                                         agency_head, cooperating_agency, cooperating_head, street):
    on_time = put(committee, secretary, agency, at=ASKED)
    late = put(committee, secretary, agency, at=ASKED + MINUTE)
    swept = put(committee, secretary, agency, at=ASKED + 2 * MINUTE)
    to_street = put(committee, street_staff, street, at=ASKED + 3 * MINUTE)
    put(committee, secretary, cooperating_agency, at=ASKED + 4 * MINUTE)  # never answered
    put(committee, secretary, cooperating_agency, at=ASKED + DAY)  # due a day after the end: put, no more
    services.inquiry_answer(inquiry=on_time, actor=agency_head, answer="a", now=ASKED + DAY)
    services.inquiry_answer(inquiry=late, actor=agency_head, answer="a", now=DUE + 60 * MINUTE)
    services.inquiry_sweep(now=DUE + 30 * MINUTE)  # `swept` and `to_street` go overdue
    services.inquiry_answer(inquiry=to_street, actor=street_staff, answer="a", now=DUE + 90 * MINUTE)
    end = DUE + 10 * MINUTE  # all but the last are due by then; the late answers come after it
    assert swept.pk and cooperating_head

    figures = inquiry_figures(start=ASKED, end=end)

    assert figures == {
        ("agency", agency.pk): {"inquiries": 3, "answered_on_time": 1, "overdue": 2},
        ("street", street.pk): {"inquiries": 1, "answered_on_time": 0, "overdue": 1},
        ("agency", cooperating_agency.pk): {"inquiries": 2, "answered_on_time": 0, "overdue": 1},
    }
    assert figures == by_definition(ASKED, end)
    for start, end in [(ASKED + MINUTE, DUE), (ASKED, ASKED + 2 * MINUTE), (ASKED - DAY, ASKED), (ASKED, DUE + DAY)]:
        assert inquiry_figures(start=start, end=end) == by_definition(start, end), (start, end)
    assert inquiry_figures(start=ASKED - DAY, end=ASKED) == {}


def test_an_inquiry_still_within_its_time_counts_as_put_only(inquiry, agency):
    assert inquiry_figures(start=ASKED, end=DUE) == {("agency", agency.pk): {
        "inquiries": 1, "answered_on_time": 0, "overdue": 0}}


def test_each_active_body_rates_its_street_and_every_agency_serving_it(committee, street, other_street,
                                                                       district_command, agency):
    other = services.body_create(actor=district_command, street=other_street, kind=BodyKind.DEMOCRATIC_COMMITTEE)
    pairs = rating_pairs()
    serving = list(street.agencies.order_by("code").values_list("pk", flat=True))
    assert agency.pk in serving
    assert [pair for pair in pairs if pair[0] == committee.pk] == [
        (committee.pk, "street", street.pk), *((committee.pk, "agency", pk) for pk in serving)]
    assert (other.pk, "street", other_street.pk) in pairs
    SupervisoryBody.objects.filter(pk=other.pk).update(active=False)
    assert {body for body, _kind, _target in rating_pairs()} == {committee.pk}


def test_the_serving_secretary_fills_the_bodys_forms(committee, seats, secretary, member_user, street_staff):
    assert bodies_of(secretary) == {committee.pk}
    assert bodies_of(member_user) == set() and bodies_of(street_staff) == set()
    services.member_leave(member=seats[0], actor=street_staff, left_on=dt.date(2026, 11, 20))
    assert bodies_of(secretary, today=dt.date(2026, 11, 19)) == {committee.pk}
    assert bodies_of(secretary, today=dt.date(2026, 11, 20)) == set()


def test_every_body_has_its_name(committee, street):
    SupervisoryBody.objects.filter(pk=committee.pk).update(active=False)
    assert body_names() == {committee.pk: f"{street.name}地区民主管理和监督委员会"}
