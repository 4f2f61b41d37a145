"""Haidian's organisation as the 2013 reform describes it: the district, its 29 streets and towns,
the 13 departments, and each department's forces in every street: ten kinds of agency
posted in each street (the eight the reform names, 社保所 and 城市管理监督分中心) and three kinds
that serve the three or four streets of a service area (环卫所, 园林绿化所, 消防救援站). Idempotent."""

from __future__ import annotations

import csv
from pathlib import Path

from agencies.models import AGENCY_KIND_MODES, Agency, Department, District, Street

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICT_CODE = "110108"

# The 13 departments the reform names (code tag, name).
DEPARTMENTS = [
    ("ga", "公安分局"),
    ("gs", "工商分局"),
    ("jt", "交通支队"),
    ("cg", "城管大队"),
    ("cgzx", "城管监督应急指挥中心"),
    ("xf", "消防支队"),
    ("ws", "卫生局"),
    ("sf", "司法局"),
    ("fg", "房管局"),
    ("rs", "人力社保局"),
    ("tj", "统计局"),
    ("yl", "园林绿化局"),
    ("hw", "环卫中心"),
]

# Agency kind → (department tag, name suffix). One of each per street, coded <street code>-<kind>.
AGENCY_TYPES = [
    (Agency.Kind.JUSTICE_OFFICE, "sf", "司法所"),
    (Agency.Kind.STATISTICS_OFFICE, "tj", "统计所"),
    (Agency.Kind.URBAN_MANAGEMENT_SQUAD, "cg", "城管分队"),
    (Agency.Kind.POLICE_STATION, "ga", "派出所"),
    (Agency.Kind.MARKET_OFFICE, "gs", "工商所"),
    (Agency.Kind.TRAFFIC_BRIGADE, "jt", "交通大队"),
    (Agency.Kind.HOUSING_OFFICE, "fg", "房管所"),
    (Agency.Kind.HEALTH_INSPECTION, "ws", "卫生监督站"),
    (Agency.Kind.SOCIAL_SECURITY_OFFICE, "rs", "社保所"),
    (Agency.Kind.CITY_SUPERVISION, "cgzx", "城市管理监督分中心"),
]

# Agency kind → (department tag, name pattern). One unit per service area below, serving the
# area's streets, coded <district>-<department tag>-<area number> and named after the area's first
# street ({place}).
SHARED_AGENCY_TYPES = [
    (Agency.Kind.SANITATION_STATION, "hw", "{place}地区环卫所"),
    (Agency.Kind.GREENING_STATION, "yl", "{place}地区园林绿化所"),
    (Agency.Kind.FIRE_STATION, "xf", "海淀区消防救援支队{place}消防救援站"),
]

# The service areas (片区) of the units shared by several streets: three or four neighbouring
# streets and towns each, every street in exactly one, the first naming the area. Numbers follow
# this order and are part of the units' codes: add an area at the end, never renumber.
SERVICE_AREAS = [
    ("万寿路街道", "羊坊店街道", "永定路街道", "甘家口街道"),
    ("八里庄街道", "田村路街道", "四季青镇"),
    ("北下关街道", "紫竹院街道", "北太平庄街道"),
    ("学院路街道", "花园路街道", "东升镇"),
    ("中关村街道", "海淀街道", "燕园街道", "清华园街道"),
    ("青龙桥街道", "香山街道", "曙光街道", "海淀镇"),
    ("清河街道", "西三旗街道", "上地街道", "马连洼街道"),
    ("温泉镇", "西北旺镇", "苏家坨镇", "上庄镇"),
]

# Every kind of agency that serves every street: the default agency of a category is one of these.
STREET_KINDS = frozenset(kind for kind, _tag, _suffix in AGENCY_TYPES) | frozenset(
    kind for kind, _tag, _pattern in SHARED_AGENCY_TYPES)

_SUFFIXES = ("地区办事处", "街道", "镇")


def street_rows() -> list[tuple[str, str, str]]:
    """(code, name, kind) for Haidian's 29 streets and towns, codes numbered in the file's order.

    The 3-digit street part follows the order of haidian-streets.csv, not the statistics bureau's
    township codes.
    """
    with open(DATA_DIR / "haidian-streets.csv", encoding="utf-8") as handle:
        return [
            (f"{DISTRICT_CODE}{number:03d}", row["name"].strip(), row["kind"].strip())
            for number, row in enumerate(csv.DictReader(handle), start=1)
        ]


def place_name(name: str) -> str:
    """学院路街道 → 学院路; 海淀镇 → 海淀."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def service_areas(streets: list[Street]) -> list[list[Street]]:
    """SERVICE_AREAS as streets, checked: each street of the district in exactly one area."""
    by_name = {street.name: street for street in streets}
    named = [name for area in SERVICE_AREAS for name in area]
    unknown = sorted(set(named) - set(by_name))
    twice = sorted({name for name in named if named.count(name) > 1})
    missing = sorted(set(by_name) - set(named))
    if unknown or twice or missing:
        raise ValueError(f"service areas: unknown {unknown}, in two areas {twice}, in none {missing}")
    return [[by_name[name] for name in area] for area in SERVICE_AREAS]


def shared_agency_code(tag: str, number: int) -> str:
    """110108-hw-01: the district, the department's tag and the service area's number."""
    return f"{DISTRICT_CODE}-{tag}-{number:02d}"


def seed_haidian(out) -> None:
    district, _created = District.objects.update_or_create(code=DISTRICT_CODE, defaults={"name": "海淀区"})
    Street.objects.bulk_create(
        [Street(district=district, code=code, name=name, short_name=name, kind=kind)
         for code, name, kind in street_rows()],
        update_conflicts=True, unique_fields=["code"], update_fields=["name", "short_name", "kind", "district"],
    )
    Department.objects.bulk_create(
        [Department(district=district, code=f"{DISTRICT_CODE}-{tag}", name=name) for tag, name in DEPARTMENTS],
        update_conflicts=True, unique_fields=["code"], update_fields=["name", "district"],
    )
    departments = {d.code.split("-")[1]: d for d in Department.objects.filter(district=district)}
    streets = list(Street.objects.filter(district=district).order_by("code"))
    areas = service_areas(streets)
    # (agency, the streets it serves)
    units: list[tuple[Agency, list[Street]]] = [
        (Agency(department=departments[dept_tag], code=f"{street.code}-{kind}",
                name=f"{place_name(street.name)}{suffix}", kind=kind, management_mode=AGENCY_KIND_MODES[kind]),
         [street])
        for street in streets
        for kind, dept_tag, suffix in AGENCY_TYPES
    ]
    units += [
        (Agency(department=departments[dept_tag], code=shared_agency_code(dept_tag, number),
                name=pattern.format(place=place_name(area[0].name)), kind=kind,
                management_mode=AGENCY_KIND_MODES[kind]),
         area)
        for kind, dept_tag, pattern in SHARED_AGENCY_TYPES
        for number, area in enumerate(areas, start=1)
    ]
    Agency.objects.bulk_create(
        [agency for agency, _streets in units],
        update_conflicts=True, unique_fields=["code"],
        update_fields=["department", "name", "kind", "management_mode"],
    )
    through = Agency.streets.through
    agency_ids = dict(Agency.objects.filter(department__district=district).values_list("code", "id"))
    # Links are only ever added: a street an administrator added to a unit stays.
    links = [through(agency_id=agency_ids[agency.code], street_id=street.id)
             for agency, served in units for street in served]
    through.objects.bulk_create(links, ignore_conflicts=True)
    shared = len(SHARED_AGENCY_TYPES) * len(areas)
    out(f"1 district, {len(streets)} streets and towns, {len(departments)} departments, {len(units)} agencies "
        f"({len(units) - shared} in one street each, {shared} serving {min(map(len, areas))}–"
        f"{max(map(len, areas))} streets each)")
