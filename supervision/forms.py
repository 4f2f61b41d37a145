"""The pages' forms; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Department, Street
from haidian.inputs import check_visible
from supervision import selectors
from supervision.models import SupervisoryBody, Verdict


class InquiryForm(forms.Form):
    """质询: the body asking (of those the person may ask for), whom, what, and by when (optional)."""

    body = forms.ChoiceField(label=_("Body"))
    target = forms.ChoiceField(label=_("Put to"), help_text=_("The body's street, or an agency serving it."))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(label=_("Question in full"), widget=forms.Textarea(attrs={"rows": 5}))
    answer_due_at = forms.DateTimeField(label=_("Answer by"), required=False,
                                        help_text=_("Leave empty for the usual number of working days."),
                                        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, bodies: list[SupervisoryBody], **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = {str(body.pk): body for body in bodies}
        self.fields["body"].choices = [(pk, body.name) for pk, body in self.bodies.items()]
        groups, seen = [], set()
        for body in bodies:
            if body.street_id in seen:
                continue
            seen.add(body.street_id)
            street, agencies = selectors.inquiry_targets(body)
            groups.append((street.name, [(street.code, street.name)]
                           + [(agency.code, agency.name) for agency in agencies]))
        self.fields["target"].choices = groups

    def clean_body(self):
        return self.bodies[self.cleaned_data["body"]]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))


class TaskForm(forms.Form):
    """A 折子工程 task: its year and code, what it is, the clause it comes from, its owner and deadline."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    code = forms.CharField(label=_("Code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=200, validators=[check_visible])
    clause = forms.CharField(label=_("Clause of the implementation opinions"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(label=_("Owner unit"))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, district_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        departments = Department.objects.filter(district_id__in=district_ids).order_by("code")
        streets = Street.objects.filter(district_id__in=district_ids).order_by("code")
        self.fields["owner"].choices = [
            (_("Departments"), [(department.code, department.name) for department in departments]),
            (_("Streets and towns"), [(street.code, street.name) for street in streets]),
        ]


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)


class InspectionForm(forms.Form):
    finding = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 4}))
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices)
    rectify_by = forms.DateField(label=_("Rectify by"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
