"""Case categories as the 2013 reform describes them, from agencies/data/haidian-categories.csv.

`seed_haidian`: the ten grid work areas (网格化工作十项内容) at the top (codes A01–A10, no department),
leaf categories below (A05-03 …), each with the district department that handles it when the
district dispatches (`department`: the part after "110108-" of the departments agencies.seed
creates), the kind of street-level agency that usually handles it when the street dispatches
(`agency_kind`, empty when no street agency does: such problems are dispatched by the district or
handled by the street's own staff), its time limit and unit, and a note. Positions follow the file.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from agencies.models import Agency, Department
from agencies.seed import DATA_DIR, DISTRICT_CODE
from dispatch.models import Category
from haidian.calendar import TimeUnit

CATEGORIES_FILE = DATA_DIR / "haidian-categories.csv"
_CATEGORY_FIELDS = ["parent", "name", "default_department", "default_agency_kind", "time_limit",
                    "time_limit_unit", "position"]


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name: str
    department: str
    agency_kind: str
    time_limit: Decimal
    unit: str

    @property
    def is_work_area(self) -> bool:
        return "-" not in self.code


def category_rows() -> list[CategoryRow]:
    """The file's rows, checked: a bad row stops the seed naming its line."""
    rows = []
    with open(CATEGORIES_FILE, encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, unit = row["agency_kind"].strip(), row["unit"].strip()
            if (kind and kind not in Agency.Kind.values) or unit not in TimeUnit.values:
                raise ValueError(f"{CATEGORIES_FILE.name} line {line}: unknown agency kind or time unit")
            rows.append(CategoryRow(row["code"].strip(), row["name"].strip(), row["department"].strip(), kind,
                                    Decimal(row["time_limit"]), unit))
    return rows


def seed_haidian(out) -> None:
    rows = category_rows()
    departments = {d.code: d for d in Department.objects.filter(district__code=DISTRICT_CODE)}
    areas = [row for row in rows if row.is_work_area]
    Category.objects.bulk_create(
        [Category(code=row.code, name=row.name, parent=None, default_department=None, default_agency_kind="",
                  time_limit=row.time_limit, time_limit_unit=row.unit, position=position)
         for position, row in enumerate(areas, start=1)],
        update_conflicts=True, unique_fields=["code"], update_fields=_CATEGORY_FIELDS,
    )
    area_ids = dict(Category.objects.filter(parent=None, code__in=[row.code for row in areas])
                    .values_list("code", "id"))
    positions: Counter[str] = Counter()
    leaves = []
    for row in rows:
        if row.is_work_area:
            continue
        area = row.code.split("-")[0]
        positions[area] += 1
        leaves.append(Category(
            code=row.code, name=row.name, parent_id=area_ids[area],
            default_department=departments[f"{DISTRICT_CODE}-{row.department}"], default_agency_kind=row.agency_kind,
            time_limit=row.time_limit, time_limit_unit=row.unit, position=positions[area],
        ))
    Category.objects.bulk_create(leaves, update_conflicts=True, unique_fields=["code"],
                                 update_fields=_CATEGORY_FIELDS)
    out(f"{len(areas)} work areas, {len(leaves)} categories")
