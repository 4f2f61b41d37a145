"""The public pages' settings: a Django setting of the same name wins, else the environment, else
the default here (tests change them with pytest-django's `settings`).

    PUBLIC_REPORTS_PER_HOUR       reports one client address may send per clock hour (5)
    PUBLIC_FOLLOW_TRIES_PER_HOUR  look-ups by number and phone digits per address per hour (10)
    PUBLIC_REPORT_MIN_SECONDS     a report sent sooner after the form was opened is a robot's (3)
    PUBLIC_REPORT_MAX_SECONDS     a form older than this is refused as stale (7200)
    PUBLIC_TRUSTED_PROXIES        reverse proxies in front of the site that append the client's
                                  address to X-Forwarded-For (0: trust only REMOTE_ADDR)
    PUBLIC_BASE_URL               the site's public address for printed QR codes and for the links
                                  in messages to reporters, e.g. https://wgh.bjhd.gov.cn (empty: the
                                  address of the request on posters; in messages, which no request
                                  makes, the demo's http://127.0.0.1:8000)
"""

from __future__ import annotations

from django.conf import settings

from haidian.env import env_str, setting_int

INT_DEFAULTS = {
    "PUBLIC_REPORTS_PER_HOUR": 5,
    "PUBLIC_FOLLOW_TRIES_PER_HOUR": 10,
    "PUBLIC_REPORT_MIN_SECONDS": 3,
    "PUBLIC_REPORT_MAX_SECONDS": 2 * 60 * 60,
    "PUBLIC_TRUSTED_PROXIES": 0,
}


def int_setting(name: str) -> int:
    return setting_int(name, INT_DEFAULTS[name])


def base_url() -> str:
    value = getattr(settings, "PUBLIC_BASE_URL", None)
    if value is None:
        value = env_str("PUBLIC_BASE_URL", "")
    return value.rstrip("/")


# Where the links in SMS and emails lead when PUBLIC_BASE_URL is not set: `make demo`'s site.
DEMO_BASE_URL = "http://127.0.0.1:8000"


def link_base_url() -> str:
    """The site's address for links that leave it in a message (there is no request to ask)."""
    return base_url() or DEMO_BASE_URL
