"""Headers and transport (等保 通信传输, 入侵防范): production settings send the Content-Security-Policy,
HSTS, an HTTPS redirect that spares /healthz, secure HttpOnly cookies, nosniff, frame denial, the
referrer and permissions policies, and `manage.py check --deploy` has nothing to say about them.

Production's defaults are read in a subprocess started with HAIDIAN_ENV=production, as a deployment
starts; the other tests read the test settings, which keep the same policy over plain HTTP."""

import base64
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from haidian.env import url_origin
from tests.conftest import test_database_url

ROOT = Path(__file__).resolve().parents[2]
HOST = "grid.example.gov.cn"

SITE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def production_env(**extra) -> dict[str, str]:
    """What a production deployment behind HTTPS sets (README "Production"), on the test database."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "HAIDIAN_", "SECURE_", "CSP_", "SESSION_", "CSRF_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "haidian.settings",
        "HAIDIAN_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "ALLOWED_HOSTS": HOST,
        "HTTPS_BEHIND_PROXY": "true",
        "SMS_BACKEND": "notifications.sms.HttpGatewayBackend",
        "SMS_GATEWAY_URL": "https://sms.example.gov.cn/send",
        "SMS_GATEWAY_KEY": "k" * 32,
        "PERSONAL_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "PERSONAL_DATA_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        **extra,
    }


def policy(header: str) -> dict[str, str]:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in header.split(";"))}


# Requests through Django's test client inside a production process; prints what came back as JSON.
PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory

host = settings.ALLOWED_HOSTS[0]
out = {}
plain = Client(HTTP_HOST=host)
for path in ("/login/", "/healthz", "/report/", "/api/v1/cases/"):
    r = plain.get(path)
    out[path] = {"status": r.status_code, "location": r.headers.get("Location", "")}
proxied = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")
r = proxied.get("/login/")
out["https"] = {"status": r.status_code, "headers": dict(r.headers),
                "cookies": {name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]),
                                   "samesite": m["samesite"]} for name, m in r.cookies.items()}}
request = RequestFactory().get("/", secure=True, HTTP_HOST=host)
middleware = SessionMiddleware(lambda req: HttpResponse())
middleware.process_request(request)
request.session["probe"] = 1
response = middleware.process_response(request, HttpResponse())
morsel = response.cookies[settings.SESSION_COOKIE_NAME]
out["session"] = {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
request.session.delete()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production(django_db_setup):
    """The production process's answers (the test database is only read, never written)."""
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=production_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_has_no_warning_in_production_settings(django_db_setup):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_redirects_plain_http_to_https_except_the_health_check(production):
    for path in ("/login/", "/report/", "/api/v1/cases/"):
        assert production[path] == {"status": 301, "location": f"https://{HOST}{path}"}, path
    assert production["/healthz"]["status"] in (200, 503) and not production["/healthz"]["location"]


def test_production_sends_hsts_csp_and_the_other_security_headers(production):
    answer = production["https"]
    assert answer["status"] == 200
    headers = answer["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert policy(headers["Content-Security-Policy"]) == SITE_POLICY
    assert "Content-Security-Policy-Report-Only" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Permissions-Policy"].startswith("geolocation=(self), camera=(self), microphone=()")


def test_production_cookies_are_secure_and_http_only(production):
    csrf = production["https"]["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    assert production["session"] == {"secure": True, "httponly": True}


def test_demo_and_test_settings_keep_plain_http_but_send_the_same_policy(db, client):
    response = client.get("/login/")
    assert response.status_code == 200  # no redirect, no HSTS over plain HTTP
    assert "Strict-Transport-Security" not in response.headers
    assert policy(response.headers["Content-Security-Policy"]) == SITE_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert not response.cookies["csrftoken"]["secure"] and response.cookies["csrftoken"]["httponly"]


def test_a_map_tile_server_is_allowed_as_an_image_source_only():
    result = subprocess.run(
        [sys.executable, "-c", "import json, haidian.settings as s; print(json.dumps(s.CONTENT_SECURITY_POLICY))"],
        cwd=ROOT, env=production_env(MAP_TILE_URL="https://{s}.tiles.bjhd.gov.cn:8443/{z}/{x}/{y}.png"),
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    directives = json.loads(result.stdout)["DIRECTIVES"]
    assert directives["img-src"] == ["'self'", "data:", "blob:", "https://*.tiles.bjhd.gov.cn:8443"]
    assert directives["connect-src"] == ["'self'"] and directives["script-src"] == ["'self'"]


@pytest.mark.parametrize(("url", "origin"), [
    ("", ""), ("/tiles/{z}/{x}/{y}.png", ""), ("http://gis.bjhd:8080/t/{z}/{x}/{y}.png", "http://gis.bjhd:8080"),
    ("https://{s}.tile.example/{z}/{x}/{y}.png", "https://*.tile.example"),
])
def test_the_tile_origin_is_read_from_the_tile_url(url, origin):
    assert url_origin("MAP_TILE_URL", url) == origin


@pytest.mark.parametrize("url", ["ftp://tiles/{z}.png", "//tiles/{z}.png", "tiles/{z}.png", "https://t{s}.x/",
                                 "https://user@tiles/{z}.png"])
def test_a_tile_url_that_is_no_http_url_is_refused_with_its_name(url):
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_URL"):
        url_origin("MAP_TILE_URL", url)


def test_report_only_sends_the_policy_without_enforcing_it():
    result = subprocess.run(
        [sys.executable, "-c", "import haidian.settings as s; print(hasattr(s, 'CONTENT_SECURITY_POLICY'), "
                               "'DIRECTIVES' in s.CONTENT_SECURITY_POLICY_REPORT_ONLY)"],
        cwd=ROOT, env=production_env(CSP_REPORT_ONLY="true"), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_swagger_ui_alone_gets_a_nonce_for_its_inline_script(client, street_staff):
    client.force_login(street_staff)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    directives = policy(response.headers["Content-Security-Policy"])
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9+/=]+)'", directives["script-src"]).group(1)
    assert directives["style-src"] == f"'self' 'nonce-{nonce}'"
    html = response.content.decode()
    assert html.count(f'nonce="{nonce}"') == 2  # its one <script> and its one <style>
    assert len(re.findall(r"<script(?![^>]*\bsrc=)", html)) == 1

    other = client.get("/workbench/")
    assert "nonce-" not in other.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_only_the_admins_export_page_may_run_its_own_inline_handler_and_styles(client, settings):
    settings.ADMIN_REQUIRE_OTP = False  # the second factor has its own tests
    client.force_login(get_user_model().objects.create_superuser("installer", password="pw-installer"))

    export = policy(client.get("/admin/agencies/street/export/").headers["Content-Security-Policy"])
    assert export["script-src"] == "'self' 'unsafe-hashes' 'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
    assert export["style-src"] == ("'self' 'unsafe-hashes' 'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA=' "
                                   "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='")
    for path in ("/admin/", "/admin/agencies/street/", "/admin/agencies/street/import/"):
        assert policy(client.get(path).headers["Content-Security-Policy"]) == SITE_POLICY, path


# Pages rendered to PDF by WeasyPrint, never served as HTML: their <style> is not under the CSP.
PDF_TEMPLATES = {"dispatch/letter_pdf.html", "public/poster_pdf.html"}


def _templates():
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in folder.parts or "node_modules" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            name = path.relative_to(folder).as_posix()
            if name not in PDF_TEMPLATES and not name.startswith("drf_spectacular/"):
                yield name, path.read_text(encoding="utf-8")


def test_no_template_has_an_inline_script_handler_or_style():
    found = []
    for name, text in _templates():
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{name}: inline script {tag}")
        found += [f"{name}: handler {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        found += [f"{name}: style attribute" for _ in re.findall(r"\sstyle\s*=", text)]
        found += [f"{name}: <style> block" for _ in re.findall(r"<style\b", text)]
        found += [f"{name}: javascript: URL" for _ in re.findall(r"javascript:", text, re.IGNORECASE)]
    assert found == []


def test_no_template_uses_htmx_attributes_that_need_eval():
    found = [f"{name}: {m}" for name, text in _templates()
             for m in re.findall(r"hx-on\S*|hx-vals=['\"]\s*(?:js|javascript):|hx-trigger=\"[^\"]*\[", text)]
    assert found == []
