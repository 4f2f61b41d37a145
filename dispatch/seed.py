"""Case categories as the 2013 reform describes them.

`seed_haidian`: the ten grid work areas (网格化工作十项内容) at the top, leaf categories below, each
with the district department that handles it when the district dispatches, the kind of street-level
agency that usually handles it when the street dispatches, and its time limit.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from agencies.models import Agency, Department
from agencies.seed import DISTRICT_CODE
from dispatch.models import Category
from haidian.calendar import TimeUnit

WH, WD, CH = TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_HOURS
K = Agency.Kind

# The ten grid work areas, in the reform's order.
WORK_AREAS = [
    ("A01", "掌握基础数据"),
    ("A02", "反映群众诉求"),
    ("A03", "提供社会服务"),
    ("A04", "管理实有人口和房屋"),
    ("A05", "协调城市运行"),
    ("A06", "维护治安秩序"),
    ("A07", "排查化解矛盾"),
    ("A08", "落实矫正帮教"),
    ("A09", "指导安全生产"),
    ("A10", "引导社会参与"),
]
WORK_AREA_TIME_LIMIT = (Decimal(5), WD)

# (code, name, department tag, street agency kind or "" when no street agency handles it, limit, unit).
# The department tag is the part after "110108-" of the departments agencies.seed creates. Problems
# with no street-level agency (municipal facilities, sanitation, greening, fire, social services)
# are dispatched by the district, or handled by the street's own staff.
LEAF_CATEGORIES = [
    ("A01-01", "门牌缺失", "ga", K.POLICE_STATION, 5, WD),
    ("A01-02", "统计调查配合", "tj", K.STATISTICS_OFFICE, 10, WD),
    ("A01-03", "经济普查登记", "tj", K.STATISTICS_OFFICE, 10, WD),
    ("A01-04", "企业信息变更", "gs", K.MARKET_OFFICE, 5, WD),
    ("A01-05", "地下空间信息登记", "fg", K.HOUSING_OFFICE, 5, WD),
    ("A02-01", "供暖问题", "fg", K.HOUSING_OFFICE, 24, CH),
    ("A02-02", "物业服务投诉", "fg", K.HOUSING_OFFICE, 3, WD),
    ("A02-03", "停水停电", "cgzx", "", 12, CH),
    ("A02-04", "施工扰民", "cg", K.URBAN_MANAGEMENT_SQUAD, 4, CH),
    ("A02-05", "油烟扰民", "cg", K.URBAN_MANAGEMENT_SQUAD, 3, WD),
    ("A02-06", "犬只扰民", "ga", K.POLICE_STATION, 3, WD),
    ("A03-01", "养老服务需求", "rs", "", 5, WD),
    ("A03-02", "低保救助咨询", "rs", "", 5, WD),
    ("A03-03", "就业服务咨询", "rs", "", 5, WD),
    ("A03-04", "社保业务咨询", "rs", "", 5, WD),
    ("A03-05", "残疾人服务", "rs", "", 5, WD),
    ("A03-06", "法律援助申请", "sf", K.JUSTICE_OFFICE, 5, WD),
    ("A04-01", "流动人口登记", "ga", K.POLICE_STATION, 5, WD),
    ("A04-02", "出租房屋登记", "fg", K.HOUSING_OFFICE, 5, WD),
    ("A04-03", "群租房", "fg", K.HOUSING_OFFICE, 3, WD),
    ("A04-04", "地下室违规住人", "fg", K.HOUSING_OFFICE, 3, WD),
    ("A04-05", "房屋安全隐患", "fg", K.HOUSING_OFFICE, 24, CH),
    ("A05-01", "占道经营", "cg", K.URBAN_MANAGEMENT_SQUAD, 4, WH),
    ("A05-02", "违法建设", "cg", K.URBAN_MANAGEMENT_SQUAD, 5, WD),
    ("A05-03", "暴露垃圾", "hw", "", 4, WH),
    ("A05-04", "路灯损坏", "cgzx", "", 3, WD),
    ("A05-05", "井盖缺失", "cgzx", "", 2, CH),
    ("A05-06", "道路破损", "cgzx", "", 5, WD),
    ("A05-07", "乱贴乱画", "cg", K.URBAN_MANAGEMENT_SQUAD, 2, WD),
    ("A05-08", "非法小广告", "cg", K.URBAN_MANAGEMENT_SQUAD, 1, WD),
    ("A05-09", "违章停车", "jt", K.TRAFFIC_BRIGADE, 2, WH),
    ("A05-10", "共享单车乱停", "jt", K.TRAFFIC_BRIGADE, 1, WD),
    ("A05-11", "渣土遗撒", "cg", K.URBAN_MANAGEMENT_SQUAD, 4, WH),
    ("A05-12", "下水道堵塞", "cgzx", "", 24, CH),
    ("A05-13", "积水", "cgzx", "", 4, CH),
    ("A05-14", "绿地毁损", "yl", "", 5, WD),
    ("A05-15", "树木倒伏", "yl", "", 4, CH),
    ("A05-16", "垃圾清运不及时", "hw", "", 1, WD),
    ("A05-17", "公厕保洁", "hw", "", 1, WD),
    ("A06-01", "噪声扰民", "ga", K.POLICE_STATION, 2, CH),
    ("A06-02", "治安隐患", "ga", K.POLICE_STATION, 1, WD),
    ("A06-03", "可疑人员", "ga", K.POLICE_STATION, 2, CH),
    ("A06-04", "无照经营", "gs", K.MARKET_OFFICE, 3, WD),
    ("A06-05", "黑车揽客", "jt", K.TRAFFIC_BRIGADE, 1, WD),
    ("A07-01", "邻里纠纷", "sf", K.JUSTICE_OFFICE, 3, WD),
    ("A07-02", "家庭纠纷", "sf", K.JUSTICE_OFFICE, 3, WD),
    ("A07-03", "物业纠纷", "fg", K.HOUSING_OFFICE, 5, WD),
    ("A07-04", "劳资纠纷", "rs", "", 5, WD),
    ("A07-05", "消费纠纷", "gs", K.MARKET_OFFICE, 5, WD),
    ("A07-06", "群体性矛盾苗头", "ga", K.POLICE_STATION, 24, CH),
    ("A08-01", "社区矫正人员走访", "sf", K.JUSTICE_OFFICE, 5, WD),
    ("A08-02", "刑满释放人员帮教", "sf", K.JUSTICE_OFFICE, 5, WD),
    ("A08-03", "社区戒毒康复人员帮扶", "ga", K.POLICE_STATION, 5, WD),
    ("A08-04", "重点青少年帮教", "sf", K.JUSTICE_OFFICE, 5, WD),
    ("A09-01", "消防通道堵塞", "xf", "", 4, CH),
    ("A09-02", "安全生产隐患", "cgzx", "", 1, WD),
    ("A09-03", "燃气隐患", "cgzx", "", 2, CH),
    # Police stations inspect fire safety in small shops and residential buildings.
    ("A09-04", "电动车违规充电", "xf", K.POLICE_STATION, 24, CH),
    ("A09-05", "易燃易爆物品违规存放", "xf", K.POLICE_STATION, 4, CH),
    ("A09-06", "餐饮卫生", "ws", K.HEALTH_INSPECTION, 3, WD),
    ("A09-07", "二次供水卫生", "ws", K.HEALTH_INSPECTION, 2, WD),
    ("A09-08", "公共场所卫生", "ws", K.HEALTH_INSPECTION, 3, WD),
    ("A10-01", "志愿服务组织", "rs", "", 10, WD),
    ("A10-02", "平安志愿者招募", "ga", K.POLICE_STATION, 10, WD),
    ("A10-03", "垃圾分类宣传", "hw", "", 10, WD),
    ("A10-04", "普法宣传活动", "sf", K.JUSTICE_OFFICE, 10, WD),
    ("A10-05", "人口普查宣传动员", "tj", K.STATISTICS_OFFICE, 10, WD),
]

_CATEGORY_FIELDS = ["parent", "name", "default_department", "default_agency_kind", "time_limit",
                    "time_limit_unit", "position"]


def seed_haidian(out) -> None:
    departments = {d.code: d for d in Department.objects.filter(district__code=DISTRICT_CODE)}
    limit, unit = WORK_AREA_TIME_LIMIT
    Category.objects.bulk_create(
        [Category(code=code, name=name, parent=None, default_department=None, default_agency_kind="",
                  time_limit=limit, time_limit_unit=unit, position=position)
         for position, (code, name) in enumerate(WORK_AREAS, start=1)],
        update_conflicts=True, unique_fields=["code"], update_fields=_CATEGORY_FIELDS,
    )
    areas = dict(Category.objects.filter(parent=None, code__in=[code for code, _n in WORK_AREAS])
                 .values_list("code", "id"))
    positions: Counter[str] = Counter()
    leaves = []
    for code, name, tag, agency_kind, limit, unit in LEAF_CATEGORIES:
        area = code.split("-")[0]
        positions[area] += 1
        leaves.append(Category(
            code=code, name=name, parent_id=areas[area], default_department=departments[f"{DISTRICT_CODE}-{tag}"],
            default_agency_kind=agency_kind, time_limit=Decimal(limit), time_limit_unit=unit,
            position=positions[area],
        ))
    Category.objects.bulk_create(leaves, update_conflicts=True, unique_fields=["code"],
                                 update_fields=_CATEGORY_FIELDS)
    out(f"{len(WORK_AREAS)} work areas, {len(LEAF_CATEGORIES)} categories")
