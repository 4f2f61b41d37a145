"""Back to where the form was (`next`), but only to a page of this site: a task accepted from the inbox
returns to the inbox, and a `next` that points anywhere else lands on the case page instead."""

import pytest
from django.urls import reverse

from dispatch.models import TaskStatus
from tests.dispatch.conftest import lead_task, signed_in

pytestmark = pytest.mark.django_db

INBOX = "/inbox/?bucket=pending"


def accept(client, case, next_url: str):
    task = lead_task(case)
    response = client.post(reverse("dispatch:task-act", args=[task.pk, "accept"]), {"next": next_url})
    task.refresh_from_db()
    assert task.status == TaskStatus.ACCEPTED  # wherever it lands, the action was done
    return response


def test_accepting_a_task_from_the_inbox_goes_back_to_the_inbox(dispatched_case, agency_head):
    client = signed_in(agency_head)
    inbox = client.get(INBOX).content.decode()
    assert f'name="next" value="{INBOX}"' in inbox  # the inbox's accept form asks to come back

    response = accept(client, dispatched_case, INBOX)

    assert response.status_code == 302 and response["Location"] == INBOX


def test_a_full_address_of_this_site_is_still_this_site(dispatched_case, agency_head):
    response = accept(signed_in(agency_head), dispatched_case, f"http://testserver{INBOX}")

    assert response["Location"] == f"http://testserver{INBOX}"


@pytest.mark.parametrize("next_url", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",  # browsers read a backslash as a slash: //evil.example/
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    "",
], ids=["another-site", "scheme-relative", "backslash", "javascript", "look-alike-host", "none"])
def test_a_next_outside_this_site_lands_on_the_case_page_instead(dispatched_case, agency_head, next_url):
    response = accept(signed_in(agency_head), dispatched_case, next_url)

    assert response.status_code == 302
    assert response["Location"] == f"/cases/{dispatched_case.number}/"
