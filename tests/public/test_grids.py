"""A grid's public roster (实名制公示): its page, reachable from the public map or by code; the
map's GeoJSON with outlines, codes and names only; the A4 poster with the roster and a QR code
that opens the report page of the grid; the demo rosters of seed_roster; the admin."""

from __future__ import annotations

import io
import json

import pypdfium2
import pytest
import zxingcpp
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from grids.models import GridCell
from public.models import RosterEntry
from public.seed import seed_roster
from tests.conftest import make_user
from tests.public.conftest import main_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(grid):
    def entry(order, name, unit, duty, phone, **fields):
        return RosterEntry.objects.create(grid=grid, order=order, name=name, unit=unit, duty=duty,
                                          public_phone=phone, **fields)

    return [
        entry(20, "张卫东", "学院路派出所", "社区民警", "010-62311110"),
        entry(10, "刘晓梅", "学院路街道", "网格员", "010-62322220"),
        entry(30, "赵国强", "学院路城管分队", "城管队员", "010-62333330"),
        entry(5, "孙离任", "学院路街道", "网格员", "010-62344440", active=False),
    ]


def test_the_roster_page_lists_the_people_serving_the_grid_in_order(visitor, grid, roster):
    response = visitor.get(f"/grids/{grid.code}/")

    assert response.status_code == 200
    text = main_text(response)
    assert text.index("刘晓梅") < text.index("张卫东") < text.index("赵国强")
    assert "孙离任" not in text  # taken off the roster
    for shown in ("学院路派出所", "社区民警", "010-62311110", grid.name, grid.code, grid.community.name,
                  grid.community.street.name):
        assert shown in text
    html = response.content.decode()
    assert 'href="tel:01062311110"' in html
    assert f'href="/report/?grid={grid.code}"' in html
    assert f'href="/grids/{grid.code}/poster.pdf"' in html
    assert "Demo data" not in text


def test_a_grid_without_a_roster_says_so(visitor, grid):
    assert "has not been published yet" in main_text(visitor.get(f"/grids/{grid.code}/"))


def test_an_unknown_grid_is_not_found(visitor):
    assert visitor.get("/grids/999999999999999/").status_code == 404
    assert visitor.get("/grids/999999999999999/poster.pdf").status_code == 404


def test_the_code_look_up_leads_to_the_grids_roster(visitor, grid):
    assert visitor.get("/grids/", {"code": f" {grid.code} "})["Location"] == f"/grids/{grid.code}/"
    assert visitor.get("/grids/", {"code": "123"}).status_code == 400
    unknown = visitor.get("/grids/", {"code": "999999999999999"})
    assert unknown.status_code == 404 and "No grid has this code" in main_text(unknown)


def test_the_map_page_loads_the_public_outlines(visitor):
    html = visitor.get("/grids/").content.decode()

    assert 'data-outlines-url="/grids/outlines.geojson"' in html
    assert "/static/js/public-grids.js" in html and "/static/vendor/leaflet/leaflet.js" in html


def test_the_public_geojson_holds_outlines_codes_and_names_only(visitor, grid, roster, grid_worker):
    response = visitor.get("/grids/outlines.geojson")

    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert len(data["features"]) == GridCell.objects.count()
    assert {key for feature in data["features"] for key in feature["properties"]} == {
        "code", "name", "community", "street"}
    assert {feature["geometry"]["type"] for feature in data["features"]} <= {"Polygon", "MultiPolygon"}
    mine = next(f for f in data["features"] if f["properties"]["code"] == grid.code)
    assert mine["geometry"] == grid.boundary
    content = response.content.decode()
    for private in ("张卫东", "010-62311110", grid_worker.username):
        assert private not in content

    again = visitor.get("/grids/outlines.geojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_the_phones_location_finds_its_grid(visitor, grid):
    found = visitor.get("/grids/locate/", {"lat": grid.centroid_lat, "lng": grid.centroid_lng})

    assert found.json() == {"code": grid.code, "url": f"/grids/{grid.code}/"}
    assert visitor.get("/grids/locate/", {"lat": 31.23, "lng": 121.47}).status_code == 404
    assert visitor.get("/grids/locate/", {"lat": "north"}).status_code == 400


def _qr_codes(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=150 / 72).to_pil()  # 150 dpi, as a phone sees a printed poster
    return [code.text for code in zxingcpp.read_barcodes(image)]


def test_the_poster_holds_the_roster_and_a_qr_code_of_the_grids_report_page(visitor, grid, roster):
    response = visitor.get(f"/grids/{grid.code}/poster.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)  # A4
    text = reader.pages[0].extract_text()
    for shown in ("刘晓梅", "张卫东", "赵国强", "学院路派出所", "社区民警", "010-62311110", grid.name, grid.code,
                  grid.community.name, grid.community.street.name):
        assert shown in text
    assert "孙离任" not in text
    assert _qr_codes(response.content) == [f"http://testserver/report/?grid={grid.code}"]


def test_the_posters_qr_code_uses_the_public_address_when_one_is_set(visitor, grid, settings):
    settings.PUBLIC_BASE_URL = "https://wgh.bjhd.gov.cn/"

    response = visitor.get(f"/grids/{grid.code}/poster.pdf")

    assert _qr_codes(response.content) == [f"https://wgh.bjhd.gov.cn/report/?grid={grid.code}"]


def test_seed_roster_writes_the_two_demo_people_without_an_account_per_grid_and_is_idempotent(grid, street, roster):
    seed_roster(street_codes=[street.code])
    first = list(RosterEntry.objects.filter(demo=True).order_by("grid__code", "order")
                 .values_list("grid__code", "name", "unit", "duty", "public_phone"))
    out = io.StringIO()
    call_command("seed_roster", street=[street.code], stdout=out)

    grids = GridCell.objects.filter(community__street=street).count()
    assert out.getvalue().strip() == f"seed_roster: {grids * 2} demo roster entries for {grids} grids"
    assert list(RosterEntry.objects.filter(demo=True).order_by("grid__code", "order")
                .values_list("grid__code", "name", "unit", "duty", "public_phone")) == first
    assert RosterEntry.objects.filter(demo=False).count() == len(roster)  # entered by hand: untouched
    mine = [row for row in first if row[0] == grid.code]
    # Grid workers and sunk department staff have accounts: they are on the roster by their memberships.
    assert [duty.split("：")[0] for *_rest, duty, _phone in mine] == ["社区党委书记", "居委会主任"]
    assert mine[1][2] == f"{grid.community.name}居委会"
    assert all(phone.startswith("010-0") for *_rest, phone in first)  # never a real Beijing number


def test_demo_rosters_are_marked_on_the_page(visitor, grid, street):
    seed_roster(street_codes=[street.code])

    assert "Demo data: these people and phone numbers are made up." in main_text(visitor.get(f"/grids/{grid.code}/"))


def test_administrators_find_roster_entries_by_grid_code_street_and_community(grid, roster, street):
    admin = make_user("roster-admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)

    found = client.get("/admin/public/rosterentry/", {"q": grid.code})
    by_street = client.get("/admin/public/rosterentry/", {"grid__community__street__id__exact": street.pk})
    by_community = client.get("/admin/public/rosterentry/", {"grid__community__id__exact": grid.community_id})

    for response in (found, by_street, by_community):
        assert response.status_code == 200
        assert "张卫东" in response.content.decode()
    assert client.get(f"/admin/public/rosterentry/{roster[0].pk}/change/").status_code == 200


def test_the_roster_page_and_the_outlines_read_in_a_fixed_number_of_queries(visitor, grid, roster,
                                                                            django_assert_max_num_queries):
    visitor.get("/grids/outlines.geojson")  # built once, then served from the cache

    with django_assert_max_num_queries(2):  # the grid with its community and street, its roster
        visitor.get(f"/grids/{grid.code}/")
    with django_assert_max_num_queries(1):  # whether the grids changed
        visitor.get("/grids/outlines.geojson")
