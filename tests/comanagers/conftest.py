import datetime as dt

import pytest
from django.utils import translation

from comanagers.models import Post, Quota
from grids.models import GridCell
from tests.conftest import make_user


def seeded_post(code: str) -> Post:
    """A post of the data migration (re-made if a transactional test's teardown emptied the table)."""
    defaults = {
        "public-security": ("治安协管员", True, False),
        "safety-informant": ("安全信息员", False, True),
    }[code]
    post, _created = Post.objects.get_or_create(code=code, defaults=dict(
        zip(("name", "one_post_one_duty", "part_time"), defaults, strict=True)))
    return post


@pytest.fixture
def security_post(db):
    return seeded_post("public-security")


@pytest.fixture
def informant_post(db):
    return seeded_post("safety-informant")


@pytest.fixture
def hired_on():
    return dt.date(2026, 3, 2)


def set_quota(street, count: int, year: int = 2026) -> Quota:
    quota, _created = Quota.objects.update_or_create(street=street, year=year, defaults={"count": count})
    return quota


@pytest.fixture
def street_grids(street):
    return list(GridCell.objects.filter(community__street=street).order_by("code")[:2])


@pytest.fixture
def other_grid(other_street):
    return GridCell.objects.filter(community__street=other_street).order_by("code").first()


@pytest.fixture
def other_district_command(db):
    from agencies.models import District

    district, _created = District.objects.get_or_create(code="110105", defaults={"name": "朝阳区"})
    from haidian.permissions import Role

    return make_user("other-district-command", Role.DISTRICT_COMMAND, [district])


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English: requests without a language choice get English here, and
    another test's request may have left Chinese active in this thread."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
