"""The public pages' data: a resident's report form, photos, the workflow cast, and rate limits
that start from zero in every test (their counters live in Redis, across test runs)."""

from __future__ import annotations

import re
import time
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from agencies.models import Agency
from dispatch.models import Category
from grids.models import GridCell
from public import guards
from tests.dispatch.conftest import Workflow

# Addresses the tests send from (the test client's default and the others they use).
CLIENT_IPS = ("127.0.0.1", "10.1.0.1", "10.1.0.2", "203.0.113.7", "198.51.100.9", "2001:db8:1:2::/64")

REPORTER_NAME = "王秀英"
REPORTER_PHONE = "13912349876"
ADDRESS = "学院路甲5号院3号楼2单元"


@pytest.fixture(autouse=True)
def fresh_limits():
    for ip in CLIENT_IPS:
        for limit in (guards.REPORTS, guards.FOLLOW_TRIES):
            limit.reset(ip)
    yield
    for ip in CLIENT_IPS:
        for limit in (guards.REPORTS, guards.FOLLOW_TRIES):
            limit.reset(ip)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def a_photo(name: str = "井盖.jpg", image_format: str = "JPEG") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (800, 600), (200, 80, 40)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def a_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf")


def human_stamp(seconds_ago: float = 30) -> str:
    """The stamp of a form handed out `seconds_ago`: what a person sends after filling it in."""
    return guards.issue_stamp(time.time() - seconds_ago)


def report_data(grid: GridCell, **fields) -> dict:
    """A resident's report form as a person fills it in, at the centre of `grid`."""
    return {
        "title": "小区门口井盖破损", "description": "东门口的井盖裂开一半，晚上有人踩空。", "category": "",
        "lat": grid.centroid_lat, "lng": grid.centroid_lng, "address": ADDRESS,
        "reporter_name": REPORTER_NAME, "reporter_phone": REPORTER_PHONE, "website": "", "stamp": human_stamp(),
        **fields,
    }


def public_client(ip: str = "127.0.0.1") -> Client:
    """An anonymous visitor from `ip`, reading the pages in English (messages are asserted in words)."""
    client = Client(REMOTE_ADDR=ip)
    client.cookies["django_language"] = "en"
    return client


def main_text(response) -> str:
    """The visible words of a page's <main>, without tags (what a reader sees)."""
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def visitor():
    return public_client()


@pytest.fixture
def category(db) -> Category:
    """A seeded leaf category handled by the police station (犬只扰民)."""
    return Category.objects.get(code="A02-06")


@pytest.fixture
def workflow(street, street_staff, agency_head, category):
    """Moves a case through the services as the home street's cast (tests/dispatch/conftest.py)."""
    street_staff.first_name, street_staff.last_name = "建国", "李"
    street_staff.save(update_fields=["first_name", "last_name"])
    return Workflow(street_staff=street_staff, agency_head=agency_head, category=category,
                    agency=Agency.objects.get(code=f"{street.code}-pcs"),
                    cooperating_agency=Agency.objects.get(code=f"{street.code}-cgfd"))
