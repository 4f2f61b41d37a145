"""The admin shows cases and their events but cannot change or delete an event; failed emails are
listed and can be sent again."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory

from dispatch.models import CaseEvent
from dispatch.services import case_create
from notifications.models import EmailStatus, Notification
from notifications.services import send_pending_emails


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


def test_failed_notification_emails_are_listed_and_can_be_sent_again(db, street_staff, client,
                                                                     django_capture_on_commit_callbacks):
    street_staff.email = "staff@haidian.invalid"
    street_staff.save()
    note = Notification.objects.create(user=street_staff, key="k", kind="red_card", title="案件已超期", body="…",
                                       created_at="2026-11-20T10:00+08:00", email_status=EmailStatus.FAILED,
                                       email_attempts=5)
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    client.force_login(root)

    listing = client.get("/admin/notifications/notification/?email_status__exact=failed")
    assert listing.status_code == 200 and "案件已超期" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/admin/notifications/notification/", {"action": "send_again", "_selected_action": [note.pk]})
    note.refresh_from_db()
    assert note.email_status == EmailStatus.PENDING and note.email_attempts == 0
    assert len(callbacks) == 1  # the email task is queued once the change commits
    assert send_pending_emails() == 1 and mail.outbox[0].subject == "案件已超期"
