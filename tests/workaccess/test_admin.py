"""The admin lists every work access model; requests are records, not edited there."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def admin_client_(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["accessrequest", "streetassignment", "delegatedmatter", "delegatedaction"])
def test_the_admin_lists(admin_client_, assignment, model):
    assert admin_client_.get(f"/admin/workaccess/{model}/").status_code == 200


def test_a_request_opens_read_only_with_its_streets(admin_client_, assignment):
    page = admin_client_.get(f"/admin/workaccess/accessrequest/{assignment.request_id}/change/")
    assert page.status_code == 200 and assignment.street.name in page.content.decode()
    assert admin_client_.get("/admin/workaccess/accessrequest/add/").status_code == 403
