"""通知: what concerns me, newest first; opening one marks it read and leads to what it is about."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications import selectors, services


@login_required
def inbox(request):
    notes = list(selectors.notifications(user=request.user)[:100])
    return render(request, "notifications/notifications.html", {"notes": notes})


@login_required
@require_POST
def open_note(request, pk: int):
    note = selectors.notifications(user=request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    services.notification_read(notification=note, user=request.user)
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None):
        return redirect(note.link)
    return redirect("notifications:inbox")
