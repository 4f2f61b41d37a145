"""Survey imports (第三方满意度调查): the survey firm's respondent-level answers, from CSV or .xlsx, for one
round; a file with any bad row is refused whole, naming every bad line."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from agencies.models import Agency, Department
from assessment import satisfaction
from assessment.models import Round, RoundStatus, SurveyImport, SurveyResponse, UnitKind
from grids.models import Community
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from tests.conftest import HOME_STREET, make_user

HEADER_ZH = "单位类型,单位编码,受访者编号,满意度"
HEADER_EN = "unit_kind,unit_code,respondent,answer"


@pytest.fixture
def round_(db):
    return Round.objects.create(period="2026H1", status=RoundStatus.CLOSED)


@pytest.fixture
def operator(district):
    return make_user("survey-operator", Role.SURVEY_OPERATOR, [district])


@pytest.fixture
def units(street, grid_worker):
    """The units the sample files talk about, as (kind, code, id)."""
    community = Community.objects.filter(street=street).order_by("code").first()
    agency = Agency.objects.get(code=f"{HOME_STREET}-pcs")
    department = Department.objects.get(code="110108-cg")
    return {
        "street": (street.code, street.pk),
        "community": (community.code, community.pk),
        "agency": (agency.code, agency.pk),
        "department": (department.code, department.pk),
        "grid_worker": (grid_worker.username, grid_worker.pk),
    }


def csv_bytes(header: str, rows: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def good_rows(units) -> list[str]:
    """Six answers about five units, in Chinese; R1 answers about two units."""
    return [
        f"街道,{units['street'][0]},R1,满意",
        f"社区,{units['community'][0]},R1,基本满意",
        f"街道,{units['street'][0]},R2,不满意",
        f"派驻机构,{units['agency'][0]},R3,满意",
        f"职能部门,{units['department'][0]},R4,基本满意",
        f"网格员,{units['grid_worker'][0]},R5,满意",
    ]


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(api_client, round_period: str, name: str, data: bytes):
    return api_client.post("/api/v1/surveys/import/",
                           {"round": round_period, "file": SimpleUploadedFile(name, data)}, format="multipart")


def stored(survey: SurveyImport) -> list[tuple]:
    return list(survey.responses.order_by("line").values_list("line", "unit_kind", "unit_id", "respondent", "answer"))


# --- good files ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_good_csv_with_chinese_headers_is_imported_row_by_row(round_, operator, units):
    survey = satisfaction.import_survey(round=round_, actor=operator, filename="2026H1.csv",
                                        data=csv_bytes(HEADER_ZH, good_rows(units)))

    assert (survey.round, survey.filename, survey.rows, survey.imported_by) == (round_, "2026H1.csv", 6, operator)
    assert stored(survey) == [
        (2, "street", units["street"][1], "R1", "satisfied"),
        (3, "community", units["community"][1], "R1", "basically_satisfied"),
        (4, "street", units["street"][1], "R2", "dissatisfied"),
        (5, "agency", units["agency"][1], "R3", "satisfied"),
        (6, "department", units["department"][1], "R4", "basically_satisfied"),
        (7, "grid_worker", units["grid_worker"][1], "R5", "satisfied"),
    ]


@pytest.mark.django_db
def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(round_, operator, units):
    survey = satisfaction.import_survey(round=round_, actor=operator, filename="调查.csv",
                                        data=csv_bytes(HEADER_ZH, good_rows(units), encoding="gb18030"))
    assert survey.rows == 6
    assert stored(survey)[0] == (2, "street", units["street"][1], "R1", "satisfied")


@pytest.mark.django_db
def test_a_good_xlsx_with_english_headers_and_numeric_cells_is_imported_through_the_api(api, round_, operator, units):
    data = xlsx_bytes([
        ["Unit kind", "Unit code", "Respondent", "Answer"],
        ["street", int(units["street"][0]), 1001, "satisfied"],  # Excel keeps codes and ids as numbers
        [None, None, None, None],  # a blank row is no answer
        ["agency", units["agency"][0], 1002, "basically_satisfied"],
        ["grid_worker", units["grid_worker"][0], 1003, "Dissatisfied"],
    ])

    response = upload(api.as_user(operator), "2026H1", "survey.xlsx", data)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rows"] == 3
    assert body["round"] == "2026H1"
    survey = SurveyImport.objects.get(pk=body["id"])
    assert stored(survey) == [
        (2, "street", units["street"][1], "1001", "satisfied"),
        (4, "agency", units["agency"][1], "1002", "basically_satisfied"),
        (5, "grid_worker", units["grid_worker"][1], "1003", "dissatisfied"),
    ]


# --- bad files -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_file_with_several_bad_rows_names_every_bad_line_and_imports_nothing(round_, operator, units, street_staff):
    rows = [
        f"街道,{units['street'][0]},R1,满意",  # line 2: good
        f"大队,{units['street'][0]},R2,满意",  # line 3: unknown kind
        "街道,999999999,R3,满意",  # line 4: no such street
        f"社区,{units['community'][0]},,非常满意",  # line 5: no respondent, unknown answer
        f"网格员,{street_staff.username},R5,满意",  # line 6: not a grid worker
        f"街道,{units['street'][0]},R1,不满意",  # line 7: R1 answered about this street on line 2
        f"派驻机构,{units['agency'][0]},R7,满意",  # line 8: good
    ]

    # The messages are read in English, whatever language an earlier test left active in this thread.
    with pytest.raises(InvalidInput) as refused, translation.override("en"):
        satisfaction.import_survey(round=round_, actor=operator, filename="bad.csv", data=csv_bytes(HEADER_ZH, rows))

    messages = refused.value.errors["file"]
    assert [message.split(":")[0] for message in messages] == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert "大队" in messages[0]
    assert "999999999" in messages[1]
    assert "respondent is missing" in messages[2] and "非常满意" in messages[2]
    assert street_staff.username in messages[3]
    assert "R1" in messages[4] and "line 2" in messages[4]
    assert not SurveyImport.objects.exists()
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_400_with_the_bad_lines_under_file(api, round_, operator, units):
    rows = [f"street,{units['street'][0]},R1,satisfied", "street,,R2,satisfied", "town,1,R3,so-so"]

    response = upload(api.as_user(operator), "2026H1", "bad.csv", csv_bytes(HEADER_EN, rows))

    assert response.status_code == 400
    assert [message.split(":")[0] for message in response.json()["file"]] == ["Line 3", "Line 4"]
    assert not SurveyImport.objects.exists()


@pytest.mark.django_db
def test_a_header_without_the_needed_columns_is_refused_naming_them(round_, operator):
    with pytest.raises(InvalidInput) as refused:
        satisfaction.import_survey(round=round_, actor=operator, filename="x.csv",
                                   data=csv_bytes("单位类型,编号,评价", ["街道,110108007,满意"]))
    [message] = refused.value.errors["file"]
    assert "unit_code" in message and "respondent" in message
    assert "unit_kind" not in message and "answer" not in message
    assert not SurveyImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name, data", [
    ("empty.csv", b""),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook"),
    ("binary.csv", bytes(range(128, 256)) * 4),
    ("header-only.csv", HEADER_EN.encode()),
])
def test_a_file_that_cannot_be_read_is_400_not_500(api, round_, operator, name, data):
    response = upload(api.as_user(operator), "2026H1", name, data)
    assert response.status_code == 400
    assert response.json()["file"]
    assert not SurveyImport.objects.exists()


@pytest.mark.django_db
def test_importing_the_same_answers_twice_is_refused(round_, operator, units):
    data = csv_bytes(HEADER_ZH, good_rows(units))
    satisfaction.import_survey(round=round_, actor=operator, filename="wave1.csv", data=data)

    with pytest.raises(InvalidInput) as refused:
        satisfaction.import_survey(round=round_, actor=operator, filename="wave1-again.csv", data=data)

    assert len(refused.value.errors["file"]) == 6
    assert "wave1.csv" in refused.value.errors["file"][0]
    assert SurveyImport.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_round_is_400(api, operator, units):
    response = upload(api.as_user(operator), "2031H1", "a.csv", csv_bytes(HEADER_ZH, good_rows(units)))
    assert response.status_code == 400
    assert "round" in response.json()


# --- who and when --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_only_a_survey_operator_of_the_district_or_a_superuser_may_import(
        api, round_, operator, units, street_staff, district_command):
    data = csv_bytes(HEADER_ZH, good_rows(units))

    assert upload(api, "2026H1", "a.csv", data).status_code == 401
    for wrong_role in (street_staff, district_command, make_user("nobody")):
        response = upload(api.as_user(wrong_role), "2026H1", "a.csv", data)
        assert response.status_code == 403, wrong_role
        assert "survey operator" in response.json()["detail"]
    assert not SurveyImport.objects.exists()

    assert upload(api.as_user(operator), "2026H1", "a.csv", data).status_code == 201
    admin = make_user("root")
    admin.is_superuser = True
    admin.save()
    second = csv_bytes(HEADER_ZH, [f"街道,{units['street'][0]},R9,满意"])
    assert upload(api.as_user(admin), "2026H1", "b.csv", second).status_code == 201


@pytest.mark.django_db
def test_the_service_refuses_the_wrong_role_too(round_, units, street_staff):
    with pytest.raises(ActionForbidden):
        satisfaction.import_survey(round=round_, actor=street_staff, filename="a.csv",
                                   data=csv_bytes(HEADER_ZH, good_rows(units)))


@pytest.mark.django_db
def test_a_published_round_takes_no_more_answers(api, round_, operator, units):
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.PUBLISHED)
    data = csv_bytes(HEADER_ZH, good_rows(units))

    response = upload(api.as_user(operator), "2026H1", "late.csv", data)

    assert response.status_code == 409
    assert "published" in response.json()["detail"]
    with pytest.raises(ActionConflict):
        satisfaction.import_survey(round=round_, actor=operator, filename="late.csv", data=data)
    assert not SurveyImport.objects.exists()


# --- counting ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_survey_satisfaction_counts_the_rounds_answers_per_unit_in_one_query(
        round_, operator, units, django_assert_num_queries):
    satisfaction.import_survey(round=round_, actor=operator, filename="a.csv",
                               data=csv_bytes(HEADER_ZH, good_rows(units)))
    satisfaction.import_survey(round=round_, actor=operator, filename="b.csv", data=csv_bytes(HEADER_ZH, [
        f"街道,{units['street'][0]},R6,满意",
        f"社区,{units['community'][0]},R6,不满意",
    ]))
    other = Round.objects.create(period="2025H2")
    satisfaction.import_survey(round=other, actor=operator, filename="old.csv", data=csv_bytes(HEADER_ZH, [
        f"街道,{units['street'][0]},R1,不满意",
    ]))

    with django_assert_num_queries(1):
        counts = satisfaction.survey_satisfaction(round_)

    assert counts == {
        UnitKind.STREET: {units["street"][1]: (2, 0, 1)},
        UnitKind.COMMUNITY: {units["community"][1]: (0, 1, 1)},
        UnitKind.AGENCY: {units["agency"][1]: (1, 0, 0)},
        UnitKind.DEPARTMENT: {units["department"][1]: (0, 1, 0)},
        UnitKind.GRID_WORKER: {units["grid_worker"][1]: (1, 0, 0)},
    }
    assert satisfaction.survey_satisfaction(Round.objects.create(period="2027H1")) == {}
