"""Demo rosters (实名制公示) for every grid: a grid worker, the community police officer, an
urban-management officer and the community's party secretary, with synthetic names and phones.

Idempotent: each run replaces the demo entries of the grids it covers with the same ones (names
and phones follow from the grid code), and never touches an entry an administrator entered.
Phones are 010-0xxxxxxx: Beijing numbers never start with 0 after the area code, so no real
person is ever called from a demo poster.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from agencies.models import Agency
from grids.models import GridCell
from public.models import RosterEntry

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红鹏辉宁峰欣雪琳晨宇浩然博文嘉怡思涵子轩"


@dataclass(frozen=True)
class SeedSummary:
    grids: int
    entries: int


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"010-0{rng.randrange(10**6, 10**7)}"


def _agency_names(kind: str) -> dict[int, str]:
    """street id → the name of its agency of this kind."""
    names = {}
    for agency in Agency.objects.filter(kind=kind).prefetch_related("streets"):
        for street in agency.streets.all():
            names.setdefault(street.pk, agency.name)
    return names


@transaction.atomic
def seed_roster(*, street_codes: list[str] | None = None) -> SeedSummary:
    """Write the demo roster of every grid (or of the grids of these streets)."""
    grids = GridCell.objects.select_related("community__street").defer("boundary").order_by("code")
    if street_codes:
        grids = grids.filter(community__street__code__in=street_codes)
    grids = list(grids)
    police = _agency_names(Agency.Kind.POLICE_STATION)
    squads = _agency_names(Agency.Kind.URBAN_MANAGEMENT_SQUAD)
    RosterEntry.objects.filter(grid__in=grids, demo=True).delete()
    entries = []
    for grid in grids:
        rng = random.Random(grid.code)
        community, street = grid.community, grid.community.street
        committee = "村委会" if community.kind == community.Kind.VILLAGE else "居委会"
        people = [
            (f"{community.name}{committee}", "网格员：巡查上报、信息采集、政策宣传"),
            (police.get(street.pk, f"{street.name}派出所"), "社区民警：治安防范、矛盾调解"),
            (squads.get(street.pk, f"{street.name}城管分队"), "城管队员：市容环境秩序"),
            (f"{community.name}党委", "社区党委书记：统筹协调社区事务"),
        ]
        entries += [RosterEntry(grid=grid, name=_name(rng), unit=unit, duty=duty, public_phone=_phone(rng),
                                order=(position + 1) * 10, demo=True)
                    for position, (unit, duty) in enumerate(people)]
    RosterEntry.objects.bulk_create(entries, batch_size=2000)
    return SeedSummary(grids=len(grids), entries=len(entries))
