"""The header's links to each person's workplaces, gathered from the apps.

Each app lists its own workplaces as `nav` on its AppConfig (`NavLink`s); this module knows no app.
A link shows to people who hold one of its roles (a superuser holds no role, so has no workplace
pages); links are ordered by `order`, then by install order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from haidian.permissions import scope_for


@dataclass(frozen=True)
class NavLink:
    url_name: str
    label: str  # a lazy translation
    roles: frozenset[str]
    order: int = 1000


def nav_links() -> list[NavLink]:
    links = [link for config in apps.get_app_configs() for link in getattr(config, "nav", ())]
    return sorted(links, key=lambda link: link.order)  # stable: install order breaks ties


def landing_url(user) -> str:
    """Where a person lands after signing in: their first workplace (the lowest `order` among their
    roles' links), else the home page (a superuser, or someone with no role yet)."""
    roles = scope_for(user).roles
    first = next((link for link in nav_links() if link.roles & roles), None)
    return reverse(first.url_name) if first is not None else reverse("home")


def workplaces(request) -> dict:
    """Context processor: `workplaces` as (url, label) pairs for the person, and the map tile setting."""
    context = {"MAP_TILE_URL": settings.MAP_TILE_URL}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    roles = scope_for(user).roles  # held roles only
    context["workplaces"] = [(reverse(link.url_name), link.label) for link in nav_links() if link.roles & roles]
    return context
