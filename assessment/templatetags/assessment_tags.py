"""Template tags other apps' pages use to show assessment things without importing this app."""

from django import template

from assessment.satisfaction import invitation_url
from dispatch.selectors import sees_reporter_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def rating_link(context, case) -> str:
    """The reporter's rating link, absolute, for the people who see the reporter's phone (they text it
    or read it out on a call-back); empty for everyone else or once rated."""
    request = context.get("request")
    if request is None or not case.closed_at or not sees_reporter_phone(user=request.user, case=case):
        return ""
    path = invitation_url(case)
    return request.build_absolute_uri(path) if path else ""
