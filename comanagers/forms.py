"""Forms of the co-manager pages. They validate input; the services decide everything else."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agencies.models import Street
from comanagers.models import Deployment, Placement, Post
from grids.models import GridCell
from haidian.inputs import MAX_INT
from haidian.permissions import Role


class GridChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, grid: GridCell) -> str:
        return f"{grid.code} {grid.name}"


class HireForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[\d\- ]{5,20}$", max_length=20)
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.order_by("code"))
    hired_at = forms.DateField(label=_("Hired on"), required=False, help_text=_("Empty: today."),
                               widget=forms.DateInput(attrs={"type": "date"}))
    placement = forms.ChoiceField(label=_("Placement"), choices=Placement.choices, initial=Placement.NORMAL)
    placement_reason = forms.CharField(label=_("Placement reason"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=_("Policy placements only: the person's employment difficulty."))
    placement_approver = forms.ModelChoiceField(label=_("Placement approved by"), required=False, queryset=None,
                                                help_text=_("Policy placements only: a district commander."))
    deployment = forms.ChoiceField(label=_("Deployment"), choices=Deployment.choices, initial=Deployment.GRIDS)
    grids = GridChoice(label=_("Grids"), required=False, queryset=None,
                       widget=forms.SelectMultiple(attrs={"size": 8}))
    central_reason = forms.CharField(label=_("Reason for central deployment"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("E.g. mediator of the joint mediation room."))
    extra_duties = forms.CharField(label=_("Extra duties"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("Not for one-post-one-duty posts."))

    def __init__(self, *args, street: Street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grids"].queryset = GridCell.objects.filter(community__street=street).defer("boundary") \
            .order_by("code")
        self.fields["placement_approver"].queryset = get_user_model().objects.filter(
            memberships__role=Role.DISTRICT_COMMAND, memberships__district_id=street.district_id, is_active=True,
        ).distinct().order_by("username")


class LeaveForm(forms.Form):
    left_at = forms.DateField(label=_("Left on"), required=False, help_text=_("Empty: today."),
                              widget=forms.DateInput(attrs={"type": "date"}))


class QuotaForm(forms.Form):
    street = forms.ModelChoiceField(label=_("Street"), queryset=None, to_field_name="code")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, initial=lambda: dt.date.today().year)
    count = forms.IntegerField(label=_("Quota"), min_value=0, max_value=MAX_INT)  # the column's range

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets


class PayForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.order_by("code"), to_field_name="code")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    monthly_amount = forms.DecimalField(label=_("Monthly pay (yuan)"), max_digits=9, decimal_places=2, min_value=0)

