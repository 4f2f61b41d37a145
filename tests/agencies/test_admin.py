"""The Django admin shows the organisation without N+1 queries and imports and exports it."""

import tablib
from django.contrib.auth import get_user_model

from agencies.admin import StreetResource
from agencies.models import Street


def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    client.force_login(user)
    return client


def test_admin_lists_the_29_streets_and_towns(client, db):
    response = admin_client(client).get("/admin/agencies/street/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 29
    assert "学院路街道" in response.content.decode()


def test_admin_lists_keep_a_constant_number_of_queries(client, db, django_assert_max_num_queries):
    c = admin_client(client)
    for url in ["/admin/agencies/agency/", "/admin/grids/gridcell/", "/admin/grids/community/",
                "/admin/people/membership/"]:
        with django_assert_max_num_queries(15):
            assert c.get(url).status_code == 200, url


def test_street_export_round_trips_through_import(db):
    exported = StreetResource().export(Street.objects.filter(code="110108009"))
    row = exported.dict[0]
    assert row["name"] == "学院路街道" and row["district"] == "110108"
    edited = tablib.Dataset(headers=exported.headers)
    edited.append([{**row, "short_name": "学院路"}[header] for header in exported.headers])
    result = StreetResource().import_data(edited, dry_run=False)
    assert not result.has_errors()
    assert Street.objects.get(code="110108009").short_name == "学院路"
    assert Street.objects.count() == 29
