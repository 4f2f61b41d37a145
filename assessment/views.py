"""The assessment's pages for people signed in: my evaluation forms, and the district's round page
(weights, open / close / compute / publish, progress of the computation and of the raters, results)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.models import Agency
from assessment import report, scoring, selectors, services
from assessment.compute import KINDS
from assessment.models import Round, RoundStatus, UnitKind
from haidian import reform
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput, http_status, put_on_form, reason
from people.selectors import staff_streets


class EvaluationForm(forms.Form):
    """The four criteria, 0–100 each, and a comment."""

    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in reversed(services.CRITERIA.items()):
            self.fields = {code: forms.IntegerField(label=label, min_value=0, max_value=100), **self.fields}


class WeightsForm(forms.Form):
    weight_objective = forms.IntegerField(label=gettext_lazy("Objective indicators (percent)"), min_value=0,
                                          max_value=100)
    weight_upward = forms.IntegerField(label=gettext_lazy("Upward ratings (percent)"), min_value=0, max_value=100)
    weight_downward = forms.IntegerField(label=gettext_lazy("Downward ratings (percent)"), min_value=0, max_value=100)
    weight_satisfaction = forms.IntegerField(label=gettext_lazy("Public satisfaction (percent)"), min_value=0,
                                             max_value=100)
    weight_oversight = forms.IntegerField(label=gettext_lazy("Supervision committee (percent)"), min_value=0,
                                          max_value=100)
    callback_share = forms.IntegerField(
        label=gettext_lazy("Share of staff call-backs in public satisfaction (percent)"), min_value=0, max_value=100)
    deputy_street_weight = forms.IntegerField(label=gettext_lazy("Street's weight for the squad deputy (percent)"),
                                              min_value=reform.SQUAD_DEPUTY_MIN_STREET_WEIGHT, max_value=100)


def indicator_table(round_: Round) -> list[dict]:
    """The round's indicator weights as rows for the page: kind, then each weighable rate."""
    table = round_.indicator_weights or scoring.default_indicator_weights()
    return [{"kind": kind, "label": UnitKind(kind).label,
             "rates": [{"name": name, "label": scoring.RATE_LABELS.get(name, name), "field": f"iw-{kind}-{name}",
                        "weight": (table.get(kind) or {}).get(name, 0),
                        "lower": name in scoring.LOWER_IS_BETTER}
                       for name in scoring.weighable(kind)]}
            for kind in scoring.DEFAULT_INDICATOR_WEIGHTS]


def _posted_indicator_weights(data) -> dict:
    """`iw-<kind>-<rate>` fields → the table; a field that is not a whole number is a 400."""
    table: dict[str, dict[str, int]] = {}
    errors = {}
    for kind in scoring.DEFAULT_INDICATOR_WEIGHTS:
        for name in scoring.weighable(kind):
            raw = data.get(f"iw-{kind}-{name}")
            if raw is None:
                continue
            try:
                table.setdefault(kind, {})[name] = int(raw)
            except ValueError:
                errors[f"indicator_weights.{kind}"] = [_("A whole number of percent from 0 to 100.")]
    if errors:
        raise InvalidInput(errors)
    return table


@login_required
def my_forms(request):
    """考核评价: the forms my rating units fill, round by round."""
    forms_ = list(services.my_evaluations(user=request.user).exclude(round__status=RoundStatus.DRAFT)
                  .order_by("-round__period", "ratee_kind", "ratee_name")[:500])
    own = selectors.own_results(user=request.user)
    return render(request, "assessment/my_forms.html", {
        "forms": forms_, "rounds": Round.objects.all() if selectors.sees_drafts(request.user) else [],
        "own": own,
    })


@login_required
def fill(request, pk: int):
    evaluation = services.my_evaluations(user=request.user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404
    initial = {**evaluation.scores, "comment": evaluation.comment}
    form = EvaluationForm(request.POST or None, initial=initial)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            comment = data.pop("comment")
            try:
                services.evaluation_submit(evaluation=evaluation, actor=request.user, scores=data, comment=comment)
            except (ActionForbidden, ActionConflict, InvalidInput) as exc:
                status, error = http_status(exc), reason(exc)
            else:
                messages.success(request, _("Form submitted."))
                return redirect("assessment:mine")
        else:
            status = 400
    return render(request, "assessment/fill.html", {"evaluation": evaluation, "form": form, "error": error,
                                                     "open": evaluation.round.status == RoundStatus.OPEN},
                  status=status)


def _district_round(request, period: str) -> Round:
    if not selectors.sees_drafts(request.user):
        raise Http404
    round_ = Round.objects.filter(period=period).first()
    if round_ is None:
        raise Http404
    return round_


@login_required
def round_page(request, period: str):
    """The district's page of one round."""
    round_ = _district_round(request, period)
    kind = request.GET.get("kind", UnitKind.STREET)
    if kind not in UnitKind.values:
        kind = UnitKind.STREET
    version = round_.version or None
    rater_kind = request.GET.get("rater_kind") or None
    if rater_kind not in UnitKind.values:
        rater_kind = None
    return render(request, "assessment/round.html", {
        "round": round_, "kind": kind,
        "kinds": [(k, UnitKind(k).label) for k in (*KINDS, UnitKind.SQUAD_DEPUTY, UnitKind.CO_MANAGER)],
        "results": list(selectors.results(round=round_, version=version, kind=kind)[:500]) if version else [],
        "raters": (selectors.progress_of_raters(round=round_, rater_kind=rater_kind)[:200]
                   if round_.status != RoundStatus.DRAFT else []),
        "rater_kind": rater_kind, "rater_kinds": [(k, UnitKind(k).label) for k in UnitKind.values],
        "sanity": report.sanity(round_, version) if version else [],
        "indicator_table": indicator_table(round_),
        "weights_form": WeightsForm(initial={f: getattr(round_, f) for f in WeightsForm.base_fields}),
        "runs": services.runs_rounds(request.user),
        "timeline": services.ROUNDS.timeline(round_),
    })


@login_required
def result_page(request, period: str, kind: str, unit_id: int):
    """One result, drilled down: its components, each indicator's numerator, denominator, sample,
    district mean, shrinkage and points, and the cases behind them. The district and auditors see
    any version; others the published one, and a person's result only if it is theirs or their
    unit rated them."""
    round_ = Round.objects.filter(period=period).first()
    if round_ is None:
        raise Http404
    version = selectors.result_version(round=round_, user=request.user)
    if version is None:
        raise Http404
    result = selectors.results(round=round_, version=version, user=request.user).filter(
        kind=kind, unit_id=unit_id).first()
    if result is None:
        raise Http404
    return render(request, "assessment/result.html", {
        "round": round_, "result": result, "version": version, "public": False,
        "runs": selectors.sees_drafts(request.user),
        "components": component_rows(result), "indicators": selectors.cases_behind(round=round_, result=result),
    })


def component_rows(result) -> list[dict]:
    """The result's components in a fixed order, labelled, for the page."""
    labels = component_labels()
    detail = (result.breakdown or {}).get("components", {})
    return [{"name": name, "label": labels.get(name, name), **detail[name]} for name in labels if name in detail]


def component_labels() -> dict[str, str]:
    return {"objective": _("Objective indicators"), "upward": _("Upward ratings"),
            "downward": _("Downward ratings"), "satisfaction": _("Public satisfaction"),
            "oversight": _("Supervision committee"), "street": _("The street's rating"),
            "squad": _("The squad's own appraisal (城管大队)")}


@login_required
def progress(request, period: str):
    """The computation's progress bar (htmx polls it while it runs)."""
    round_ = _district_round(request, period)
    return render(request, "assessment/_progress.html", {"round": round_})


@login_required
@require_POST
def round_act(request, period: str, step: str):
    round_ = _district_round(request, period)
    user = request.user
    try:
        if step == "weights":
            form = WeightsForm(request.POST)
            if not form.is_valid():
                raise InvalidInput({field: [str(e) for e in errors] for field, errors in form.errors.items()})
            services.round_set_weights(round=round_, actor=user, **form.cleaned_data,
                                       indicator_weights=_posted_indicator_weights(request.POST) or None)
        elif step == "open":
            services.round_open(round=round_, actor=user)
        elif step == "close":
            services.round_close(round=round_, actor=user)
        elif step == "compute":
            services.round_compute(round=round_, actor=user)
        elif step == "annotate":
            services.round_annotate(round=round_, actor=user, annotation=request.POST.get("annotation", ""))
        elif step == "publish":
            services.round_publish(round=round_, actor=user)
        else:
            raise Http404
    except (ActionForbidden, ActionConflict, InvalidInput) as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("assessment:round", period=round_.period)


class AwardForm(forms.Form):
    agency = forms.ChoiceField(label=gettext_lazy("Agency"))
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {a.code: a for a in Agency.objects.filter(streets=street).order_by("code")}
        self.fields["agency"].choices = [(code, str(agency)) for code, agency in self.agencies.items()]


@login_required
def awards(request):
    """统筹激励: a street's awards of the year (record, approve), and the yearly totals per street."""
    street_ids = selectors.award_street_ids(user=request.user)
    streets = list(staff_streets(user=request.user))
    if street_ids is not None and not streets:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    street = streets[0] if streets else None
    form = AwardForm(request.POST or None, street=street) if street else None
    status = 200
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.award_record(actor=request.user, street=street, agency=form.agencies[data["agency"]],
                                      amount=data["amount"], reason=data["reason"], year=year)
            except (ActionForbidden, ActionConflict, InvalidInput) as exc:
                status = http_status(exc)
                put_on_form(form, exc)
            else:
                messages.success(request, _("Award recorded; it counts once another staff member approves it."))
                return redirect(f"{request.path}?year={year}")
    rows = list(selectors.awards(user=request.user).filter(year=year)
                .select_related("street", "agency", "recorded_by").order_by("-recorded_at")[:200])
    return render(request, "assessment/awards.html", {
        "year": year, "form": form, "awards": rows, "street": street,
        "totals": services.award_totals(year=year, street_ids=street_ids),
    }, status=status)


@login_required
@require_POST
def award_decide(request, pk: int, verdict: str):
    award = selectors.awards(user=request.user).filter(pk=pk).first()
    if award is None or verdict not in ("approve", "refuse"):
        raise Http404
    try:
        services.award_decide(award=award, actor=request.user, approve=verdict == "approve")
    except (ActionForbidden, ActionConflict) as exc:
        messages.error(request, reason(exc))
    else:
        messages.success(request, _("Done."))
    return redirect(f"/assessment/awards/?year={award.year}")
