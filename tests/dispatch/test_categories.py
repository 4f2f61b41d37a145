"""Case categories: the reform's ten grid work areas with leaf categories below. The test session
has already seeded them once."""

import pytest

from agencies.models import Department
from agencies.seed import STREET_KINDS
from dispatch.models import Category
from dispatch.seed import seed_haidian
from haidian.calendar import TimeUnit

pytestmark = pytest.mark.django_db

REFORM_WORK_AREAS = [
    "掌握基础数据", "反映群众诉求", "提供社会服务", "管理实有人口和房屋", "协调城市运行",
    "维护治安秩序", "排查化解矛盾", "落实矫正帮教", "指导安全生产", "引导社会参与",
]


def leaves():
    return Category.objects.filter(parent__isnull=False).select_related("parent", "default_department")


def snapshot() -> list[tuple]:
    return list(Category.objects.order_by("code").values_list(
        "id", "code", "name", "parent_id", "default_department_id", "default_agency_kind", "time_limit",
        "time_limit_unit", "position",
    ))


def test_the_top_level_is_the_reforms_ten_work_areas_in_order():
    areas = Category.objects.filter(parent=None).order_by("position")

    assert list(areas.values_list("name", flat=True)) == REFORM_WORK_AREAS
    assert list(areas.values_list("code", flat=True)) == [f"A{n:02d}" for n in range(1, 11)]


def test_there_are_at_least_40_leaf_categories_each_directly_under_a_work_area():
    assert leaves().count() >= 40
    assert all(leaf.parent.parent_id is None for leaf in leaves())


def test_every_work_area_has_leaf_categories():
    for area in Category.objects.filter(parent=None):
        assert area.children.exists(), area.name


def test_leaf_codes_start_with_their_work_areas_code():
    for leaf in leaves():
        assert leaf.code.startswith(f"{leaf.parent.code}-"), leaf.code


def test_every_leaf_has_a_department_of_haidian_and_a_positive_time_limit_in_a_valid_unit():
    haidian_departments = set(Department.objects.filter(district__code="110108").values_list("id", flat=True))

    for leaf in leaves():
        assert leaf.default_department_id in haidian_departments, leaf.name
        assert leaf.time_limit > 0, leaf.name
        assert leaf.time_limit_unit in TimeUnit.values, leaf.name


def test_a_leafs_default_agency_is_one_of_the_kinds_serving_every_street():
    for leaf in leaves():
        assert leaf.default_agency_kind in STREET_KINDS, leaf.name


@pytest.mark.parametrize("name", [
    "占道经营", "违法建设", "暴露垃圾", "路灯损坏", "噪声扰民", "群租房", "邻里纠纷", "消防通道堵塞",
    "井盖缺失", "道路破损", "违章停车", "无照经营", "流动人口登记", "出租房屋登记", "社区矫正人员走访",
    "安全生产隐患", "燃气隐患", "劳资纠纷", "养老服务需求", "餐饮卫生",
])
def test_the_common_problems_are_leaf_categories(name):
    assert leaves().filter(name=name).count() == 1


@pytest.mark.parametrize(("name", "department", "agency_kind", "limit", "unit"), [
    ("占道经营", "110108-cg", "cgfd", 4, TimeUnit.WORKING_HOURS),
    ("群租房", "110108-fg", "fgs", 3, TimeUnit.WORKING_DAYS),
    ("邻里纠纷", "110108-sf", "sfs", 3, TimeUnit.WORKING_DAYS),
    ("噪声扰民", "110108-ga", "pcs", 2, TimeUnit.CALENDAR_HOURS),
    ("无照经营", "110108-gs", "gss", 3, TimeUnit.WORKING_DAYS),
    ("违章停车", "110108-jt", "jtdd", 2, TimeUnit.WORKING_HOURS),
    ("餐饮卫生", "110108-ws", "wsjd", 3, TimeUnit.WORKING_DAYS),
    ("消防通道堵塞", "110108-xf", "xfz", 4, TimeUnit.CALENDAR_HOURS),
    ("路灯损坏", "110108-cgzx", "cgjd", 3, TimeUnit.WORKING_DAYS),
    ("暴露垃圾", "110108-hw", "hws", 4, TimeUnit.WORKING_HOURS),
])
def test_a_category_goes_to_the_unit_that_handles_it_within_its_time_limit(name, department, agency_kind, limit,
                                                                           unit):
    category = leaves().get(name=name)

    assert category.default_department.code == department
    assert category.default_agency_kind == agency_kind
    assert (category.time_limit, category.time_limit_unit) == (limit, unit)


def test_seeding_again_changes_no_category():
    before = snapshot()
    lines = []

    seed_haidian(lines.append)

    assert snapshot() == before
    assert lines == [f"10 work areas, {len(before) - 10} categories"]
