"""Settings from the environment that fail loudly on a bad value (healthchecks' hc/settings.py)."""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def setting_int(name: str, default: int) -> int:
    """An integer read at each use: the Django setting `name` if there is one (tests override it), else
    the environment, else `default`. Only at run time: settings.py itself uses env_int."""
    if hasattr(settings, name):
        return int(getattr(settings, name))
    return env_int(name, default)


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def url_origin(name: str, url: str) -> str:
    """The CSP source of an absolute http(s) URL (scheme://host[:port]), '' for an empty or same-site
    path. Leaflet's `{s}` subdomain placeholder becomes a `*.` wildcard. `name` is the setting, for the
    error message."""
    if not url or url.startswith("/") and not url.startswith("//"):
        return ""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    wildcard_ok = "*" not in host or (host.startswith("*.") and "*" not in host[1:])
    if parts.scheme not in {"http", "https"} or not host or "{" in host or "@" in host or not wildcard_ok:
        raise ImproperlyConfigured(f"{name} must be an http(s) URL or a path on this site, not {url!r}")
    return f"{parts.scheme}://{host}"
