"""The admin shows cases and their events but cannot change or delete an event."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from dispatch.models import CaseEvent
from dispatch.services import case_create


def test_the_admin_cannot_add_change_or_delete_case_events(db, grid, grid_worker, client):
    case = case_create(actor=grid_worker, title="井盖缺失", lat=grid.centroid_lat, lng=grid.centroid_lng,
                       source="grid_patrol")
    event = CaseEvent.objects.get(case=case)
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin.site._registry[CaseEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)

    client.force_login(root)
    assert client.get(f"/admin/dispatch/case/{case.pk}/change/").status_code == 200
    assert client.post(f"/admin/dispatch/caseevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CaseEvent.objects.filter(pk=event.pk).exists()
