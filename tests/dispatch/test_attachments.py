"""Photos and documents on a case: the type comes from the bytes, never from the name; photos get
a thumbnail; anything over 10 MB or that is neither a photo nor a PDF is refused with a 400."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dispatch import services
from dispatch.models import Attachment
from haidian.uploads import MAX_UPLOAD_BYTES
from tests.dispatch.conftest import lead_task


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def a_photo(name: str = "井盖.jpg", image_format: str = "JPEG", size=(1200, 900)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def a_pdf(size: int | None = None, name: str = "整改报告.pdf") -> SimpleUploadedFile:
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    body = head if size is None else head + b"\0" * (size - len(head))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def upload(client, case, file, **fields):
    return client.post(f"/api/v1/cases/{case.number}/attachments/", {"file": file, **fields}, format="multipart")


def test_a_photo_is_stored_with_its_type_and_a_thumbnail(api, reported_case, grid_worker, media_root):
    response = upload(api.as_user(grid_worker), reported_case, a_photo(), kind="before")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["content_type"], body["task"]) == ("before", "image/jpeg", None)
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.size == body["size"] > 0
    assert attachment.thumbnail
    assert Path(attachment.thumbnail.path).is_relative_to(media_root)
    with Image.open(attachment.thumbnail.path) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert max(thumbnail.size) == 320
    assert Path(attachment.file.path).read_bytes()[:2] == b"\xff\xd8"


def test_a_pdf_is_stored_without_a_thumbnail(api, reported_case, street_staff):
    response = upload(api.as_user(street_staff), reported_case, a_pdf(), kind="document")

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "application/pdf"
    assert response.json()["thumbnail"] is None
    assert not Attachment.objects.get(pk=response.json()["id"]).thumbnail


def test_a_png_is_recognised_whatever_its_name(api, reported_case, grid_worker):
    response = upload(api.as_user(grid_worker), reported_case, a_photo(name="scan.pdf", image_format="PNG"))
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"


def test_a_text_file_named_like_a_photo_is_refused(api, reported_case, grid_worker):
    fake = SimpleUploadedFile("现场.jpg", "这不是照片".encode(), content_type="image/jpeg")
    response = upload(api.as_user(grid_worker), reported_case, fake)
    assert response.status_code == 400
    assert response.json() == {"file": ["Only photos (JPEG, PNG, WebP, GIF) and PDF documents can be attached."]}
    assert not Attachment.objects.exists()


def test_a_file_over_10_mb_is_refused(api, reported_case, grid_worker):
    response = upload(api.as_user(grid_worker), reported_case, a_pdf(size=MAX_UPLOAD_BYTES + 1))
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 10 MB."]}
    assert not Attachment.objects.exists()


def test_a_file_of_exactly_10_mb_is_accepted(api, reported_case, grid_worker):
    response = upload(api.as_user(grid_worker), reported_case, a_pdf(size=MAX_UPLOAD_BYTES))
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == 10 * 1024 * 1024


def test_an_upload_without_a_file_names_the_field(api, reported_case, grid_worker):
    response = api.as_user(grid_worker).post(f"/api/v1/cases/{reported_case.number}/attachments/",
                                             {"kind": "before"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_the_agency_attaches_evidence_to_its_task(api, dispatched_case, agency_head):
    task = lead_task(dispatched_case)
    response = upload(api.as_user(agency_head), dispatched_case, a_photo(name="整改后.jpg"), kind="after",
                      task=task.pk)
    assert response.status_code == 201, response.json()
    assert (response.json()["task"], response.json()["kind"]) == (task.pk, "after")
    assert dispatched_case.events.last().task == task


def test_a_task_of_another_case_is_refused(api, dispatched_case, make_case, workflow, agency_head):
    other = workflow.dispatch(make_case(title="另一案卷"))
    response = upload(api.as_user(agency_head), dispatched_case, a_photo(), task=lead_task(other).pk)
    assert response.status_code == 400
    assert response.json() == {"task": ["This case has no such task."]}


def test_a_closed_case_takes_no_more_attachments(api, closed_case, street_staff):
    response = upload(api.as_user(street_staff), closed_case, a_pdf())
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot add an attachment: the case is closed."


def test_attachments_show_in_the_case_detail(api, reported_case, grid_worker, street_staff):
    upload(api.as_user(grid_worker), reported_case, a_photo(), kind="before")
    upload(api.as_user(street_staff), reported_case, a_pdf(), kind="document")

    detail = api.as_user(street_staff).get(f"/api/v1/cases/{reported_case.number}/").json()

    assert [(row["kind"], row["content_type"]) for row in detail["attachments"]] == [
        ("before", "image/jpeg"), ("document", "application/pdf")]
    photo = detail["attachments"][0]
    assert photo["thumbnail"] == f"http://testserver/cases/{reported_case.number}/attachments/{photo['id']}/thumbnail/"
    assert [event["action"] for event in detail["events"]][-2:] == ["attach", "attach"]


def test_storing_a_photo_leaves_no_file_open(reported_case, grid_worker):
    attachment = services.case_attach(case=reported_case, actor=grid_worker, upload=a_photo(), kind="before")
    assert attachment.thumbnail
    assert attachment.file.closed
