"""Demo roster entries (实名制公示) for every grid: the people on a grid's roster who have no account,
the community's party secretary and the head of its residents' (villagers') committee, with synthetic
names and phones. Everyone with an account (grid workers, the departments' staff sunk to the grid)
is on the roster through their membership: `manage.py seed_demo` makes those (demo.users).

Idempotent: each run replaces the demo entries of the grids it covers with the same ones (names
and phones follow from the grid code), and never touches an entry an administrator entered.
Phones are 010-0xxxxxxx: Beijing numbers never start with 0 after the area code, so no real
person is ever called from a demo poster (public.selectors.DEMO_PHONE_PREFIX).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from grids.models import GridCell
from public.models import RosterEntry
from public.selectors import DEMO_PHONE_PREFIX

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红鹏辉宁峰欣雪琳晨宇浩然博文嘉怡思涵子轩"


@dataclass(frozen=True)
class SeedSummary:
    grids: int
    entries: int


def demo_name(rng: random.Random) -> str:
    """A made-up Chinese name (surname and one or two given characters)."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def demo_phone(rng: random.Random) -> str:
    """A made-up Beijing phone no line has: 010-0xxxxxxx."""
    return f"{DEMO_PHONE_PREFIX}{rng.randrange(10**6, 10**7)}"


@transaction.atomic
def seed_roster(*, street_codes: list[str] | None = None) -> SeedSummary:
    """Write the demo roster of every grid (or of the grids of these streets)."""
    grids = GridCell.objects.select_related("community__street").defer("boundary").order_by("code")
    if street_codes:
        grids = grids.filter(community__street__code__in=street_codes)
    grids = list(grids)
    RosterEntry.objects.filter(grid__in=grids, demo=True).delete()
    entries = []
    for grid in grids:
        rng = random.Random(grid.code)
        community = grid.community
        village = community.kind == community.Kind.VILLAGE
        people = [
            (f"{community.name}党委", "社区党委书记：统筹协调社区事务"),
            (f"{community.name}{'村委会' if village else '居委会'}",
             "村委会主任：村民自治、村务协商" if village else "居委会主任：居民自治、社区服务"),
        ]
        entries += [RosterEntry(grid=grid, name=demo_name(rng), unit=unit, duty=duty, public_phone=demo_phone(rng),
                                order=(position + 1) * 10, demo=True)
                    for position, (unit, duty) in enumerate(people)]
    RosterEntry.objects.bulk_create(entries, batch_size=2000)
    return SeedSummary(grids=len(grids), entries=len(entries))
