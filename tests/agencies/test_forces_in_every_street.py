"""Every department's forces in the street (全区13个部门的工作力量下沉): on the seeded organisation each
of the 13 departments reaches every one of the 29 streets through a unit serving it, so a case of
any of the 67 leaf categories can be dispatched by any street to its default unit: the category's
department's unit, of the category's agency kind, serving that street. The test session has
already seeded Haidian once."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from agencies import seed
from agencies.models import AGENCY_KIND_MODES, Agency, Department, ManagementMode, Street
from dispatch import services
from dispatch.models import Case as CaseRow
from dispatch.models import CaseStatus, Category, Source, Task, TaskRole, Tier
from dispatch.selectors import units_for_case
from haidian.permissions import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

K = Agency.Kind
NEW_KINDS = [K.SOCIAL_SECURITY_OFFICE, K.CITY_SUPERVISION, K.SANITATION_STATION, K.GREENING_STATION,
             K.FIRE_STATION]
# The department of each kind of unit (by the department's tag).
KIND_DEPARTMENT = {kind: tag for kind, tag, _name in seed.AGENCY_TYPES + seed.SHARED_AGENCY_TYPES}


def leaves() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=False, code__startswith="A")
                .select_related("default_department").order_by("code"))


def streets() -> list[Street]:
    return list(Street.objects.filter(district__code=seed.DISTRICT_CODE).order_by("code"))


def default_unit(category: Category, street: Street) -> dict | None:
    """What the dispatch form offers first for a street-tier case of `category` in `street`."""
    case = CaseRow(category=category, street=street, tier=Tier.STREET)
    defaults = [unit for unit in units_for_case(case) if unit["default"]]
    assert len(defaults) <= 1, defaults
    return defaults[0] if defaults else None


def test_each_of_the_13_departments_reaches_every_street_through_a_unit_serving_it():
    every_street = {street.pk for street in streets()}

    for department in Department.objects.filter(district__code=seed.DISTRICT_CODE):
        reached = set(Agency.streets.through.objects.filter(agency__department=department)
                      .values_list("street_id", flat=True))
        assert reached == every_street, department.name
    assert Department.objects.filter(district__code=seed.DISTRICT_CODE).count() == 13


def test_each_department_has_one_kind_of_unit_of_its_own():
    assert sorted(KIND_DEPARTMENT.values()) == sorted(tag for tag, _name in seed.DEPARTMENTS)
    for kind, tag in KIND_DEPARTMENT.items():
        assert set(Agency.objects.filter(kind=kind).values_list("department__code", flat=True)) == {
            f"{seed.DISTRICT_CODE}-{tag}"}, kind


def test_all_67_leaf_categories_name_a_department_and_the_kind_of_unit_it_keeps_in_every_street():
    categories = leaves()

    assert len(categories) == 67
    for category in categories:
        assert category.default_agency_kind in seed.STREET_KINDS, category.name
        assert category.default_department.code == (
            f"{seed.DISTRICT_CODE}-{KIND_DEPARTMENT[category.default_agency_kind]}"), category.name


def test_in_every_street_every_category_has_a_default_unit_of_its_department_and_kind_serving_the_street():
    units = {agency.code: agency for agency in Agency.objects.all()}
    categories = leaves()
    # units_for_case picks the default by the category's department and agency kind: one look-up per
    # street and pair answers for every category of that pair (13 pairs for the 67 categories).
    defaults: dict[tuple[int, int, str], dict | None] = {}
    missing = []

    for street in streets():
        serving = set(Agency.objects.filter(streets=street).values_list("code", flat=True))
        for category in categories:
            key = (street.pk, category.default_department_id, category.default_agency_kind)
            if key not in defaults:
                defaults[key] = default_unit(category, street)
            found = defaults[key]
            if found is None:
                missing.append(f"{street.name} {category.name}")
                continue
            unit = units[found["code"]]
            assert found["code"] in serving, (street.name, category.name, found)
            assert unit.department_id == category.default_department_id, (street.name, category.name, found)
            assert unit.kind == category.default_agency_kind, (street.name, category.name, found)

    assert missing == []
    assert len(defaults) == 29 * 13


@pytest.mark.parametrize(("name", "department", "kind", "unit"), [
    ("暴露垃圾", "110108-hw", "hws", "110108-hw-03"),
    ("垃圾清运不及时", "110108-hw", "hws", "110108-hw-03"),
    ("树木倒伏", "110108-yl", "ylls", "110108-yl-03"),
    ("消防通道堵塞", "110108-xf", "xfz", "110108-xf-03"),
    ("井盖缺失", "110108-cgzx", "cgjd", "110108007-cgjd"),
    ("路灯损坏", "110108-cgzx", "cgjd", "110108007-cgjd"),
    ("燃气隐患", "110108-cgzx", "cgjd", "110108007-cgjd"),
    ("劳资纠纷", "110108-rs", "rss", "110108007-rss"),
    ("养老服务需求", "110108-rs", "rss", "110108007-rss"),
    ("电动车违规充电", "110108-ga", "pcs", "110108007-pcs"),  # 派出所: fire checks of homes and small shops
    ("占道经营", "110108-cg", "cgfd", "110108007-cgfd"),
])
def test_the_problems_no_street_could_dispatch_before_go_to_the_departments_unit_in_the_street(
        street, name, department, kind, unit):
    category = Category.objects.get(name=name, parent__isnull=False)

    assert (category.default_department.code, category.default_agency_kind) == (department, kind)
    assert default_unit(category, street)["code"] == unit


def test_a_case_of_every_category_is_dispatched_by_the_street_to_its_default_unit(street, grid, street_staff,
                                                                                 grid_worker):
    dispatched = []

    for category in leaves():
        case = services.case_create(actor=grid_worker, title=category.name, lat=grid.centroid_lat,
                                    lng=grid.centroid_lng, source=Source.GRID_PATROL)
        case = services.case_file(case=case, actor=street_staff, category=category)
        lead = default_unit(category, street)["code"]
        case = services.case_dispatch(case=case, actor=street_staff, lead=lead)
        task = Task.objects.select_related("agency").get(case=case, role=TaskRole.LEAD)
        assert case.status == CaseStatus.DISPATCHED, category.name
        assert (task.agency.code, task.agency.department_id) == (lead, category.default_department_id)
        dispatched.append(task.agency.kind)

    assert len(dispatched) == 67
    assert set(dispatched) == set(seed.STREET_KINDS)  # every kind of unit takes some category


def test_the_units_shared_by_a_service_area_serve_its_three_or_four_neighbouring_streets():
    for kind, tag, _pattern in seed.SHARED_AGENCY_TYPES:
        units = list(Agency.objects.filter(kind=kind).prefetch_related("streets").order_by("code"))
        assert [unit.code for unit in units] == [f"110108-{tag}-{n:02d}" for n in range(1, 9)]
        for unit, area in zip(units, seed.SERVICE_AREAS, strict=True):
            assert sorted(street.name for street in unit.streets.all()) == sorted(area), unit.code
            assert 3 <= len(area) <= 4

    by_code = {agency.code: agency for agency in Agency.objects.prefetch_related("streets")}
    assert by_code["110108-hw-04"].name == "学院路地区环卫所"
    assert by_code["110108-yl-04"].name == "学院路地区园林绿化所"
    assert by_code["110108-xf-04"].name == "海淀区消防救援支队学院路消防救援站"
    assert {s.name for s in by_code["110108-xf-04"].streets.all()} == {"学院路街道", "花园路街道", "东升镇"}
    assert by_code["110108029-rss"].name == "上庄社保所"
    assert by_code["110108009-cgjd"].name == "学院路城市管理监督分中心"
    assert [s.code for s in by_code["110108009-cgjd"].streets.all()] == ["110108009"]


def test_the_new_kinds_of_unit_follow_their_management_modes():
    expected = {K.SOCIAL_SECURITY_OFFICE: ManagementMode.LOCAL, K.CITY_SUPERVISION: ManagementMode.LOCAL_PRIMARY,
                K.SANITATION_STATION: ManagementMode.DUAL, K.GREENING_STATION: ManagementMode.DUAL,
                K.FIRE_STATION: ManagementMode.DUAL}

    assert {kind: AGENCY_KIND_MODES[kind] for kind in NEW_KINDS} == expected
    for kind, mode in expected.items():
        assert set(Agency.objects.filter(kind=kind).values_list("management_mode", flat=True)) == {mode}


def test_a_unit_serving_several_streets_is_coded_by_district_department_and_number():
    department = Department.objects.get(code="110108-hw")

    Agency(department=department, code="110108-hw-01", name="万寿路地区环卫所", kind=K.SANITATION_STATION,
           management_mode=ManagementMode.DUAL).clean_fields(exclude=["id"])
    Agency(department=department, code="110108007-pcs", name="北下关派出所", kind=K.POLICE_STATION,
           management_mode=ManagementMode.DUAL).clean_fields(exclude=["id"])
    for bad in ("110108-hw-1", "110108007-hw-01", "110108-HW-01", "1101080-pcs"):
        with pytest.raises(ValidationError):
            Agency(department=department, code=bad, name="错码", management_mode=ManagementMode.DUAL).clean_fields()


# --- seeding --------------------------------------------------------------------------------------

def new_units() -> list[tuple]:
    links: dict[int, list[str]] = {}
    for agency_id, code in Agency.streets.through.objects.filter(agency__kind__in=NEW_KINDS).values_list(
            "agency_id", "street__code"):
        links.setdefault(agency_id, []).append(code)
    return [(*row, sorted(links.get(row[0], []))) for row in Agency.objects.filter(kind__in=NEW_KINDS).order_by(
        "code").values_list("id", "code", "name", "kind", "management_mode", "department_id")]


def test_seeding_again_changes_none_of_the_new_units():
    before = new_units()
    lines = []

    seed.seed_haidian(lines.append)

    assert new_units() == before
    assert len(before) == 29 * 2 + 3 * 8
    assert lines == ["1 district, 29 streets and towns, 13 departments, 314 agencies "
                     "(290 in one street each, 24 serving 3–4 streets each)"]


def test_seeding_keeps_a_street_an_administrator_added_to_a_shared_unit(other_street):
    station = Agency.objects.get(code="110108-xf-03")
    station.streets.add(other_street)

    call_command("seed_haidian", stdout=io.StringIO())

    assert other_street in station.streets.all()
    assert station.streets.count() == 4


def test_a_service_area_table_that_leaves_a_street_out_stops_the_seed(monkeypatch):
    monkeypatch.setattr(seed, "SERVICE_AREAS", [area for area in seed.SERVICE_AREAS if "温泉镇" not in area])

    with pytest.raises(ValueError, match="in none .*温泉镇"):
        seed.service_areas(streets())


def test_the_units_people_see_their_shared_units_streets(api, district):
    head = make_user("station-head", Role.AGENCY_HEAD, [Agency.objects.get(code="110108-xf-03")])

    codes = [row["code"] for row in api.as_user(head).get("/api/v1/streets/").json()["results"]]

    assert codes == ["110108006", "110108007", "110108008"]  # 紫竹院, 北下关, 北太平庄
