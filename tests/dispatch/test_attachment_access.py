"""Case photos and documents are served only through the permission gate: a view that finds the case
in the reader's scope, never a public /media/ path, in any mode."""

from importlib import import_module, reload
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import clear_url_caches
from PIL import Image

from dispatch import services
from dispatch.models import Attachment
from tests.dispatch.conftest import signed_in


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (1200, 900), (40, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


PHOTO = photo_bytes()


def attach(case, actor, body: bytes, name: str = "井盖.jpg", kind: str = "before") -> Attachment:
    upload = SimpleUploadedFile(name, body, content_type="application/octet-stream")
    return services.case_attach(case=case, actor=actor, upload=upload, kind=kind)


def photo_url(attachment: Attachment) -> str:
    return f"/cases/{attachment.case.number}/attachments/{attachment.pk}/"


def thumbnail_url(attachment: Attachment) -> str:
    return photo_url(attachment) + "thumbnail/"


def body_of(response) -> bytes:
    """The whole body, streamed or not (a streamed body can be read once)."""
    return response.getvalue() if response.streaming else response.content


@pytest.fixture
def photo(reported_case, grid_worker) -> Attachment:
    return attach(reported_case, grid_worker, PHOTO)


@pytest.fixture
def urls_built_with(settings):
    """Rebuild the project's URLs as if the process had started with DEBUG on or off (the URLconf
    is read once, at start-up), and put them back afterwards."""
    debug = settings.DEBUG

    def build(*, debug: bool) -> None:
        settings.DEBUG = debug
        reload(import_module(settings.ROOT_URLCONF))
        clear_url_caches()

    yield build
    build(debug=debug)


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
def test_no_media_path_serves_a_photo_in_any_mode(urls_built_with, photo, debug):
    urls_built_with(debug=debug)

    for name in (photo.file.name, photo.thumbnail.name):
        assert Path(photo.file.storage.path(name)).is_file()
        assert Client().get(f"/media/{name}").status_code == 404


def test_the_case_street_staff_get_the_photo_exactly_as_uploaded(photo, street_staff):
    response = signed_in(street_staff).get(photo_url(photo))

    assert response.status_code == 200
    assert body_of(response) == PHOTO
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'inline; filename="attachment-{photo.pk}.jpg"'


def test_the_thumbnail_url_gives_a_jpeg(photo, street_staff):
    response = signed_in(street_staff).get(thumbnail_url(photo))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(body_of(response))) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) == 320


def test_a_document_is_served_with_its_type_and_has_no_thumbnail(reported_case, street_staff):
    document = attach(reported_case, street_staff, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", name="整改报告.pdf",
                      kind="document")
    client = signed_in(street_staff)

    response = client.get(photo_url(document))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert body_of(response).startswith(b"%PDF-")
    assert client.get(thumbnail_url(document)).status_code == 404


def test_another_streets_staff_get_404_for_the_same_urls(photo, other_street_staff):
    client = signed_in(other_street_staff)
    assert client.get(photo_url(photo)).status_code == 404
    assert client.get(thumbnail_url(photo)).status_code == 404


def test_an_anonymous_request_is_sent_to_log_in(settings, photo):
    for url in (photo_url(photo), thumbnail_url(photo)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_an_attachment_of_another_case_under_this_case_number_is_404(photo, make_case, grid_worker, street_staff):
    other_case = make_case(title="另一案卷")
    other_photo = attach(other_case, grid_worker, PHOTO)
    client = signed_in(street_staff)
    assert client.get(photo_url(other_photo)).status_code == 200  # staff may see it under its own case

    assert client.get(f"/cases/{photo.case.number}/attachments/{other_photo.pk}/").status_code == 404
    assert client.get(f"/cases/{photo.case.number}/attachments/{other_photo.pk}/thumbnail/").status_code == 404
    assert client.get(f"/cases/{photo.case.number}/attachments/999999999/").status_code == 404


def test_the_agency_head_sees_the_photo_once_the_case_is_dispatched_to_the_agency(photo, workflow, agency_head):
    client = signed_in(agency_head)
    assert client.get(photo_url(photo)).status_code == 404

    workflow.dispatch(photo.case)

    response = client.get(photo_url(photo))
    assert response.status_code == 200
    assert body_of(response) == PHOTO


def test_with_accel_redirect_set_nginx_is_told_the_stored_name_and_no_body_is_sent(settings, photo, street_staff):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    client = signed_in(street_staff)

    response = client.get(photo_url(photo))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.file.name}"
    assert body_of(response) == b""
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert "private" in response["Cache-Control"]

    thumbnail = client.get(thumbnail_url(photo))
    assert thumbnail["X-Accel-Redirect"] == f"/protected-media/{photo.thumbnail.name}"
    assert body_of(thumbnail) == b""


def test_an_api_client_fetches_the_gated_urls_of_the_case_detail_with_its_token(api, photo, street_staff,
                                                                              other_street_staff):
    client = api.as_user(street_staff)
    row = client.get(f"/api/v1/cases/{photo.case.number}/").json()["attachments"][0]

    assert row["file"] == f"http://testserver{photo_url(photo)}"
    assert row["thumbnail"] == f"http://testserver{thumbnail_url(photo)}"
    assert body_of(client.get(row["file"])) == PHOTO
    assert api.as_user(other_street_staff).get(row["file"]).status_code == 404


def test_stored_names_do_not_contain_the_case_number(photo):
    assert photo.case.number not in photo.thumbnail.name
    assert photo.case.number not in photo.file.name
    assert "井盖" not in photo.file.name


def test_the_case_page_links_the_gated_urls_and_no_media_path(photo, reported_case, street_staff):
    document = attach(reported_case, street_staff, b"%PDF-1.4\n", name="整改报告.pdf", kind="document")

    html = signed_in(street_staff).get(f"/cases/{reported_case.number}/").content.decode()

    assert f'href="{photo_url(photo)}"' in html
    assert f'src="{thumbnail_url(photo)}"' in html
    assert f'href="{photo_url(document)}"' in html
    assert "/media/" not in html


def test_the_admin_links_the_gated_view_not_a_media_path(client, photo):
    root = get_user_model().objects.create_superuser("root", "root@haidian.invalid", "pw")
    client.force_login(root)

    html = client.get(f"/admin/dispatch/attachment/{photo.pk}/change/").content.decode()

    assert f'href="{photo_url(photo)}"' in html
    assert f'href="{thumbnail_url(photo)}"' in html
    assert "/media/" not in html
    assert client.get(photo_url(photo)).status_code == 200


def test_a_photo_whose_file_is_gone_is_404_not_a_server_error(photo, street_staff):
    Path(photo.file.path).unlink()
    assert signed_in(street_staff).get(photo_url(photo)).status_code == 404
