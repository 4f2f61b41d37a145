"""Haidian's organisation as the 2013 reform describes it."""

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

# Agency kind → (department tag, name suffix). One of each per street.
AGENCY_TYPES = [
    (Agency.Kind.JUSTICE_OFFICE, "sf", "司法所"),
    (Agency.Kind.STATISTICS_OFFICE, "tj", "统计所"),
    (Agency.Kind.URBAN_MANAGEMENT_SQUAD, "cg", "城管分队"),
    (Agency.Kind.POLICE_STATION, "ga", "派出所"),
    (Agency.Kind.MARKET_OFFICE, "gs", "工商所"),
    (Agency.Kind.TRAFFIC_BRIGADE, "jt", "交通大队"),
    (Agency.Kind.HOUSING_OFFICE, "fg", "房管所"),
    (Agency.Kind.HEALTH_INSPECTION, "ws", "卫生监督站"),
]

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
    Agency.objects.bulk_create(
        [
            Agency(
                department=departments[dept_tag],
                code=f"{street.code}-{kind}",
                name=f"{place_name(street.name)}{suffix}",
                kind=kind,
                management_mode=AGENCY_KIND_MODES[kind],
            )
            for street in streets
            for kind, dept_tag, suffix in AGENCY_TYPES
        ],
        update_conflicts=True, unique_fields=["code"],
        update_fields=["department", "name", "kind", "management_mode"],
    )
    through = Agency.streets.through
    agency_ids = dict(Agency.objects.filter(department__district=district).values_list("code", "id"))
    links = [
        through(agency_id=agency_ids[f"{street.code}-{kind}"], street_id=street.id)
        for street in streets
        for kind, _tag, _suffix in AGENCY_TYPES
    ]
    through.objects.bulk_create(links, ignore_conflicts=True)
    out(f"1 district, {len(streets)} streets and towns, {len(departments)} departments, {len(links)} agencies")
