"""One way to build the pages that act on an object in steps (a case, a letter, a meeting, a work
access request, an appointment): the detail page shows the object and a form for each step this
person may take now; each form posts to the same service the API calls; a refusal shows the page
again with the reason — 403 wrong person, 409 wrong moment, 400 bad input with the field errors next
to their fields (`haidian.errors.http_status` / `put_on_form`) — and nothing is half done.

    PAGE = StepPage(template="x/detail.html", find=lambda user, pk: scoped(user).filter(pk=pk).first(),
                    forms={"answer": lambda obj, **kw: AnswerForm(**kw), "close": None},
                    steps=lambda user, obj: services.x_steps(user, obj), take=_take, done=lambda obj: url)

A step's form factory gets the object, the person (`user`) and the form's keyword arguments (`data`,
`files`, `prefix`);
`None` means the step needs no form. `take(request, obj, step, data, form)` calls the service (it may
return a response of its own, e.g. a redirect after a refusal that is itself on record).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form

REFUSALS = (ActionForbidden, ActionConflict, InvalidInput)


@dataclass(frozen=True)
class StepPage:
    template: str
    find: Callable[[Any, Any], Any]  # (user, key) → the object in the user's scope, or None (404)
    forms: Mapping[str, Callable[..., Any] | None]  # step → form factory (object, **form kwargs), in page order
    steps: Callable[[Any, Any], Iterable[str]]  # (user, object) → the steps this person may take now
    take: Callable[[HttpRequest, Any, str, dict, Any], Any]  # (request, object, step, data, form): the service
    done: Callable[[Any], str]  # where to go after a step
    extra: Callable[[HttpRequest, Any, dict], dict] = lambda request, obj, bound: {}  # the page's own context
    object_name: str = "object"
    forms_name: str = "step_forms"

    def visible(self, user, key):
        obj = self.find(user, key)
        if obj is None:
            raise Http404
        return obj

    def form(self, step: str, obj, user, data=None, files=None):
        factory = self.forms[step]
        return factory(obj, user=user, data=data, files=files, prefix=step) if factory is not None else None

    def context(self, request: HttpRequest, obj, bound: dict | None = None, error: str = "") -> dict:
        bound = bound or {}
        allowed = set(self.steps(request.user, obj))
        step_forms = {step: bound.get(step) or self.form(step, obj, request.user)
                      for step in self.forms if step in allowed}
        return {self.object_name: obj, self.forms_name: step_forms, "error": error,
                **self.extra(request, obj, bound)}

    def detail(self, request: HttpRequest, key) -> HttpResponse:
        return render(request, self.template, self.context(request, self.visible(request.user, key)))

    def act(self, request: HttpRequest, key, step: str) -> HttpResponse:
        """One step from the page's form of the same name, all in one transaction."""
        obj = self.visible(request.user, key)
        if step not in self.forms:
            raise Http404
        bound: dict = {}
        try:
            form = self.form(step, obj, request.user, request.POST, request.FILES)  # may refuse (409) itself
            bound = {step: form} if form is not None else {}
            if form is not None and not form.is_valid():
                raise InvalidInput({})
            with transaction.atomic():
                answer = self.take(request, obj, step, form.cleaned_data if form is not None else {}, form)
        except REFUSALS as exc:
            return self.refused(request, key, bound, exc)
        if isinstance(answer, HttpResponse):
            return answer
        messages.success(request, answer if isinstance(answer, str) else _("Done."))
        return redirect(self.done(obj))

    def refused(self, request: HttpRequest, key, bound: dict, exc: Exception) -> HttpResponse:
        """The page again, as it is now, with the reason and the person's input kept in its forms."""
        status = http_status(exc)
        if isinstance(exc, InvalidInput):
            for form in bound.values():
                if form is not None:
                    put_on_form(form, exc)
        message = _("Please correct the errors below.") if status == 400 else str(exc)
        return render(request, self.template, self.context(request, self.visible(request.user, key), bound, message),
                      status=status)
