"""The admin shows appointments without changing them (they move only through their services, each
step on the timeline), and links the signed document through the page that checks who may read it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from appointments import services
from appointments.models import Verdict
from tests.appointments.conftest import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw"))
    return client


def test_an_appointment_opens_read_only_with_the_gated_document_link(root, proposed, street_staff):
    services.appointment_attach_document(appointment=proposed, actor=street_staff, verdict=Verdict.AGREE,
                                         text="同意。", upload=pdf())

    page = root.get(f"/admin/appointments/appointment/{proposed.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/appointments/{proposed.pk}/document/"' in html
    assert "/media/" not in html and 'type="file"' not in html
    assert root.post(f"/admin/appointments/appointment/{proposed.pk}/change/", {}).status_code == 403
    assert root.get("/admin/appointments/appointment/add/").status_code == 403
