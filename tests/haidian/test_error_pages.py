"""Error pages speak Chinese and give nothing away (no URL patterns, no path echoed back)."""

import pytest
from django.template import loader


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/nowhere/", "/follow/%00/", "/cases/HD00000000000000/"])
def test_a_missing_page_is_a_chinese_404_that_lists_no_url_patterns(client, street_staff, path):
    client.force_login(street_staff)
    response = client.get(path)

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面没有找到" in page or "未找到" in page
    assert "URLconf" not in page and "api/v1/" not in page


def test_the_server_error_page_needs_no_request_context():
    page = loader.get_template("500.html").render({})
    assert "系统出错了" in page


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_404(client, street_staff):
    client.force_login(street_staff)
    response = client.get("/api/v1/nowhere/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
