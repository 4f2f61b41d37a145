"""A letter answered while the sweep is marking overdue letters: the sweep read it as waiting, but
it looks again under the letter's lock, so the answered letter is neither marked overdue nor gets an
"overdue" event, and the agency is not told it is late. On real PostgreSQL connections."""

import datetime as dt

import pytest

from agencies.models import Agency, Department, District, ManagementMode, Street
from dispatch.letters import services as letters
from dispatch.models import DeadlineLetter, LetterEvent, LetterStatus
from haidian.permissions import Role
from notifications.models import Notification
from tests.conftest import make_user
from tests.races import race_on_uncommitted_row

ISSUED = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)
SWEEP = DEADLINE + dt.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_a_letter_answered_during_the_sweep_is_not_marked_overdue():
    # Codes of their own: the session's reference data may or may not still be there (transactional).
    district = District.objects.get_or_create(code="110108", defaults={"name": "海淀区"})[0]
    street = Street.objects.create(district=district, code="110108097", name="测试街道", short_name="测试街道")
    department = Department.objects.create(district=district, code="110108-tst", name="测试分局")
    agency = Agency.objects.create(department=department, code="110108097-pcs", name="测试派出所",
                                   kind=Agency.Kind.POLICE_STATION, management_mode=ManagementMode.DUAL)
    agency.streets.add(street)
    staff = make_user("staff", Role.STREET_STAFF, [street])
    head = make_user("head", Role.AGENCY_HEAD, [agency])
    letter = DeadlineLetter.objects.create(street=street, agency=agency, year=2026, sequence=1,
                                           number="测试街道函〔2026〕1号", requirement="限期整改", deadline=DEADLINE,
                                           issued_by=staff, issued_at=ISSUED)

    outcomes = race_on_uncommitted_row(
        lambda: letters.letter_answer(letter=letter, actor=head, answer="已整改完毕。", now=SWEEP),
        lambda: letters.sweep_letters(SWEEP))

    assert outcomes[1] == (0, 0), outcomes
    letter.refresh_from_db()
    assert (letter.status, letter.overdue) == (LetterStatus.ANSWERED, False)
    assert list(LetterEvent.objects.filter(letter=letter).values_list("action", flat=True)) == ["answer"]
    assert not Notification.objects.filter(key__startswith="letter-overdue").exists()
