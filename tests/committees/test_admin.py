import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from committees import services
from tests.dispatch.conftest import shanghai


@pytest.fixture
def admin_client_en(client, db):
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client.force_login(admin)
    return client


def test_the_admin_lists_and_opens_meetings_teams_and_operations(admin_client_en, decision, member, team,
                                                                street_staff):
    operation = services.operation_record(team=team, actor=street_staff, date=shanghai(2026, 10, 12).date(),
                                          title="联合整治", participants=[member])
    for model, pk in (("meeting", decision.meeting_id), ("jointteam", team.pk), ("jointoperation", operation.pk)):
        assert admin_client_en.get(reverse(f"admin:committees_{model}_changelist")).status_code == 200
        assert admin_client_en.get(reverse(f"admin:committees_{model}_change", args=[pk])).status_code == 200
