"""The reporter's rating page `/rate/<token>/`: no login, made for a phone, Chinese first.

The token is the only credential, so the page shows nothing personal: the case's number, title and
closing date, nothing about who reported it or where they live. Answers: 200 the form (or the
thanks), 400 a bad form, 404 an unknown link, 409 a link already used (or a case already rated on a
call-back), shown as "already rated" with nothing changed, 429 past the rating limit per address.
"""

from __future__ import annotations

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessment import satisfaction as public_satisfaction
from assessment.models import RatingInvitation
from dispatch.models import Satisfaction
from haidian.errors import ActionConflict, InvalidInput
from haidian.throttling import HOUR, RateLimit, client_ip, setting_limit

TEMPLATE = "assessment/rate.html"


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("How satisfied are you with how your report was handled?"),
                                     choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything you want to add (optional)"), required=False,
                              max_length=public_satisfaction.MAX_COMMENT_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 3}))


# Ratings sent per client address and clock hour (PUBLIC_RATINGS_PER_HOUR): each link rates one case
# once, so many from one address in an hour are a script, not reporters.
RATINGS = RateLimit("public-rate", setting_limit("PUBLIC_RATINGS_PER_HOUR", 20), HOUR)


def _too_many(request):
    response = render(request, "assessment/rate_too_many.html", status=429)
    response["Retry-After"] = str(RATINGS.retry_after())
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, token: str):
    ip = client_ip(request)
    if RATINGS.exceeded(ip):
        return _too_many(request)
    if request.method == "POST" and not RATINGS.hit(ip):  # every try counts, whatever the link
        return _too_many(request)
    invitation = RatingInvitation.objects.select_related("case").filter(token=token).first()
    if invitation is None:
        raise Http404
    case = invitation.case
    already = {"case": case, "state": "already"}
    if invitation.used_at is not None or case.satisfaction:
        return render(request, TEMPLATE, already, status=409)
    form = RateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = public_satisfaction.invitation_rate(invitation=invitation, **form.cleaned_data)
            except ActionConflict:  # the same link submitted twice at once: the other one counted
                return render(request, TEMPLATE, already, status=409)
            except InvalidInput as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return render(request, TEMPLATE, {"case": case, "state": "rated"})
        status = 400
    return render(request, TEMPLATE, {"case": case, "state": "form", "form": form}, status=status)
