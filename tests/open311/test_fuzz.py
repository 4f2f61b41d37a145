"""Random arguments on every endpoint are answered deliberately — a result or the specification's
error — never a server error nor the catch-all "General service error" (the client fails on both)."""

import random
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

PIECES = ["", "0", "-1", "1e9", "nan", "\x00", "\x1f", "é", "王", "%", "&", "=", ",", ",,", "open", "closed",
          "2026-11-26", "2026-11-26T10:00:00Z", "T", "[]", "attribute[x]", "../", "A05-01", "HD20261126000001",
          " ", "\n", "9" * 30, "<x>", "]]>", "'", '"']
NAMES = ["service_request_id", "service_code", "start_date", "end_date", "status", "page", "page_size",
         "jurisdiction_id", "lat", "long", "address_string", "address_id", "description", "first_name", "last_name",
         "phone", "email", "media_url", "attribute[SIZE]", "attribute[TIMES][]", "attribute[", "device_id",
         "account_id", "api_key"]
PATHS = ["requests.json", "requests.xml", "services.json", "services/T9902.xml", "discovery.json",
         "requests/HD1.json", "tokens/x.xml"]


def test_fuzzed_arguments_never_cause_a_server_error(georeport, report_form, questioned_category, settings):
    settings.OPEN311_POSTS_PER_MINUTE = 0
    chance = random.Random(311)

    def junk() -> str:
        return "".join(chance.choice(PIECES) for _ in range(chance.randint(0, 4)))

    answered = set()
    for _ in range(150):
        params = {chance.choice(NAMES): junk() for _ in range(chance.randint(0, 6))}
        answered.add(georeport.get(chance.choice(PATHS), params).status_code)
        form = {**report_form, "service_code": chance.choice(["T9901", "T9902", junk()]), **params}
        response = georeport.post(chance.choice(["requests.json", "requests.xml"]), form)
        answered.add(response.status_code)
        if response["Content-Type"].startswith("text/xml"):
            ET.fromstring(response.content)
    assert answered <= {200, 400, 403, 404} and {200, 400} <= answered
