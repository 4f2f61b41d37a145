"""The cast of the appointment tests: the police station's department (公安分局) and the home street,
the housing office's department (房管局, consent needed), and the street's judicial office (司法所,
appointed by the street)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from agencies.models import Agency, Department
from appointments import services
from appointments.models import Position
from haidian.permissions import Role
from tests.conftest import HOME_STREET, make_user

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "opinion.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def housing_office(street):
    return Agency.objects.get(code=f"{HOME_STREET}-fgs")


@pytest.fixture
def housing_admin(housing_office):
    return make_user("housing-admin", Role.DEPARTMENT_ADMIN, [housing_office.department])


@pytest.fixture
def justice_office(street):
    return Agency.objects.get(code=f"{HOME_STREET}-sfs")


@pytest.fixture
def justice_admin(justice_office):
    return make_user("justice-admin", Role.DEPARTMENT_ADMIN, [justice_office.department])


@pytest.fixture
def other_department_admin(district):
    return make_user("market-admin", Role.DEPARTMENT_ADMIN, [Department.objects.get(code="110108-gs")])


@pytest.fixture
def proposed(agency, street, department_admin):
    """A proposal for the home street's police station head."""
    return services.appointment_propose(actor=department_admin, agency=agency, street=street,
                                        candidate_name="王建国", position=Position.HEAD)


@pytest.fixture
def consent_proposed(housing_office, street, housing_admin):
    return services.appointment_propose(actor=housing_admin, agency=housing_office, street=street,
                                        candidate_name="李红", position=Position.HEAD)


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English: requests without a language choice get English here, and
    another test's request may have left Chinese active in this thread."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
