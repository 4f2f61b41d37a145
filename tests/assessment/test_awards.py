"""统筹激励: a street's awards to the agencies serving it, recorded by one staff member and approved by
another, summed per street and year; on the API and the page."""

import pytest

from agencies.models import Agency
from assessment import services
from assessment.models import Award, AwardStatus
from haidian.errors import ActionConflict, ActionForbidden
from haidian.permissions import Role
from tests.conftest import make_user
from tests.dispatch.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_staff(street):
    return make_user("second-staff", Role.STREET_STAFF, [street])


def record(street_staff, street, amount="5000.00", year=2026):
    police = Agency.objects.get(code=f"{street.code}-pcs")
    return services.award_record(actor=street_staff, street=street, agency=police, amount=amount,
                                 reason="处置及时", year=year)


def test_an_award_counts_once_another_staff_member_approves_it(street_staff, second_staff, street):
    first, second, refused = record(street_staff, street), record(street_staff, street, "3000.00"), \
        record(street_staff, street, "1000.00")
    assert services.award_totals(year=2026) == []

    with pytest.raises(ActionForbidden):
        services.award_decide(award=first, actor=street_staff, approve=True)  # not the one who recorded it
    services.award_decide(award=first, actor=second_staff, approve=True)
    services.award_decide(award=second, actor=second_staff, approve=True)
    services.award_decide(award=refused, actor=second_staff, approve=False)
    with pytest.raises(ActionConflict):
        services.award_decide(award=first, actor=second_staff, approve=False)

    (row,) = services.award_totals(year=2026)
    assert (row["street__code"], row["count"], str(row["total"])) == (street.code, 2, "8000.00")
    assert services.award_totals(year=2025) == []


def test_another_streets_staff_cannot_record_or_approve(street_staff, other_street_staff, street):
    award = record(street_staff, street)
    with pytest.raises(ActionForbidden):
        record(other_street_staff, street)
    with pytest.raises(ActionForbidden):
        services.award_decide(award=award, actor=other_street_staff, approve=True)


def test_the_api_records_approves_and_sums(api, street_staff, second_staff, other_street_staff, district_command,
                                          street):
    police = Agency.objects.get(code=f"{street.code}-pcs")
    created = api.as_user(street_staff).post("/api/v1/awards/", {
        "street": street.code, "agency": police.code, "amount": "2000.00", "reason": "配合积极", "year": 2026},
        format="json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    pk = created.json()["id"]
    assert api.as_user(other_street_staff).post(f"/api/v1/awards/{pk}/approve/").status_code == 404
    assert api.as_user(street_staff).post(f"/api/v1/awards/{pk}/approve/").status_code == 403
    assert api.as_user(second_staff).post(f"/api/v1/awards/{pk}/approve/").json()["status"] == "approved"
    assert api.as_user(second_staff).post(f"/api/v1/awards/{pk}/refuse/").status_code == 409

    summary = api.as_user(district_command).get("/api/v1/awards/summary/?year=2026").json()
    assert summary == [{"street": street.code, "name": street.name, "count": 1, "total": "2000.00"}]
    assert api.as_user(district_command).get("/api/v1/awards/summary/").status_code == 400


def test_the_page_records_and_approves(street_staff, second_staff, street):
    police = Agency.objects.get(code=f"{street.code}-pcs")
    signed_in(street_staff).post("/assessment/awards/?year=2026", {"agency": police.code, "amount": "1500",
                                                                    "reason": "联合整治成效明显"})
    award = Award.objects.get()
    page = signed_in(second_staff).get("/assessment/awards/?year=2026").content.decode()
    assert f"/assessment/awards/{award.pk}/approve/" in page

    signed_in(second_staff).post(f"/assessment/awards/{award.pk}/approve/")

    assert Award.objects.get().status == AwardStatus.APPROVED
    assert "1500.00" in signed_in(street_staff).get("/assessment/awards/?year=2026").content.decode()
