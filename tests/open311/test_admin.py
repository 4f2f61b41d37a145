"""API keys are issued per client in the admin: shown once, stored hashed, replaceable; service
definitions are edited there and checked; posted requests are read-only."""

import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import RequestFactory

from open311.models import ApiClient, ServiceDefinition, ServiceRequest, key_digest
from tests.open311.conftest import QUESTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client):
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    client.force_login(root)
    client.cookies["django_language"] = "en"
    return client


def shown_key(response) -> str:
    (message,) = [str(m) for m in get_messages(response.wsgi_request) if "copy it now" in str(m)]
    return message.split(" is ", 1)[1].split(" —", 1)[0]


def test_a_new_clients_key_is_shown_once_and_only_its_hash_is_kept(root_client, georeport, report_form):
    cache.clear()
    response = root_client.post("/admin/open311/apiclient/add/", {"name": "城市服务 app", "contact": "ops@x.invalid",
                                                                   "active": "on"}, follow=True)
    key = shown_key(response)
    client = ApiClient.objects.get(name="城市服务 app")
    assert client.key_hash == key_digest(key) and key not in client.key_hash
    assert client.key_prefix == key[:8] and len(key) >= 40
    assert key not in root_client.get(f"/admin/open311/apiclient/{client.pk}/change/").content.decode()
    assert georeport.post("requests.json", {**report_form, "api_key": key}).status_code == 200


def test_issuing_a_new_key_retires_the_old_one(root_client, georeport, report_form, api_client_and_key):
    cache.clear()
    client, old_key = api_client_and_key
    response = root_client.post("/admin/open311/apiclient/",
                                {"action": "issue_new_keys", "_selected_action": [client.pk]}, follow=True)
    new_key = shown_key(response)
    assert new_key != old_key
    assert georeport.post("requests.json", {**report_form, "api_key": old_key}).status_code == 403
    assert georeport.post("requests.json", {**report_form, "api_key": new_key}).status_code == 200


def test_a_service_definition_with_bad_attributes_is_refused_in_the_admin(root_client, category):
    form = {"category": category.pk, "published": "on", "description": "", "keywords": "", "service_notice": "",
            "attributes": json.dumps([{"code": "SIZE", "datatype": "colour"}])}
    response = root_client.post("/admin/open311/servicedefinition/add/", form)
    assert response.status_code == 200 and "needs a datatype" in response.content.decode()
    assert not ServiceDefinition.objects.exists()
    response = root_client.post("/admin/open311/servicedefinition/add/", {**form, "attributes": json.dumps(QUESTIONS)})
    assert response.status_code == 302
    assert ServiceDefinition.objects.get(category=category).attributes == QUESTIONS


def test_posted_requests_are_read_only_in_the_admin(root_client):
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username="root")
    model_admin = admin.site._registry[ServiceRequest]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert root_client.get("/admin/open311/servicerequest/").status_code == 200
