"""Forms of the public pages. They validate input; the services and guards decide the rest."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from dispatch.forms import leaf_categories
from haidian import uploads
from haidian.errors import InvalidInput
from haidian.inputs import check_visible
from public import guards

PHONE = re.compile(r"^(\+?86)?(\d{7,12})$")


def grouped_categories(empty_label: str) -> list:
    """Leaf categories under their work area, by name only (codes mean nothing to a resident)."""
    groups: dict[str, list] = {}
    for category in leaf_categories():
        groups.setdefault(category.parent.name, []).append((category.pk, category.name))
    return [("", empty_label), *groups.items()]


class ReportForm(forms.Form):
    """A resident's report. `website` is a honeypot (hidden from people, filled by robots) and
    `stamp` the signed moment the form was handed out."""

    title = forms.CharField(
        label=_("What is the problem?"), max_length=200, validators=[check_visible],
        widget=forms.TextInput(attrs={
            "hx-get": reverse_lazy("public:suggest"), "hx-trigger": "input changed delay:400ms",
            "hx-target": "#category-suggestion", "autocomplete": "off"}))
    description = forms.CharField(label=_("Details"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=leaf_categories(), required=False,
                                      empty_label=_("— let the sub-center decide —"))
    lat = forms.FloatField(min_value=-90, max_value=90, widget=forms.HiddenInput,
                           error_messages={"required": _("Tap the map where the problem is, or use your location.")})
    lng = forms.FloatField(min_value=-180, max_value=180, widget=forms.HiddenInput,
                           error_messages={"required": _("Tap the map where the problem is, or use your location.")})
    address = forms.CharField(label=_("Landmark or address (optional)"), max_length=200, required=False,
                              help_text=_("e.g. the east gate of the residential compound"))
    photo = forms.FileField(label=_("Photo (optional)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    reporter_phone = forms.CharField(
        label=_("Your phone (optional)"), max_length=20, required=False,
        help_text=_("Lets you follow the report by its number and lets the sub-center call you back. "
                    "It is never shown on the public pages."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    reporter_email = forms.EmailField(
        label=_("Your email (optional)"), max_length=254, required=False,
        help_text=_("We also write to it at each step of your report."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    # Why a report was refused as a robot's ("honeypot", "too_fast", "stale", "invalid"), or "".
    refusal = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.widget.choices = grouped_categories(field.empty_label)

    def clean_reporter_phone(self) -> str:
        phone = re.sub(r"[\s()-]", "", self.cleaned_data["reporter_phone"])
        if not phone:
            return ""
        match = PHONE.match(phone)
        if match is None:
            raise forms.ValidationError(_("Enter a mobile or landline number, e.g. 13812345678 or 010-62345678."))
        return match.group(2)

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        if not photo:
            return None
        try:
            uploads.check_photo(photo)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.errors["photo"]) from None
        return photo

    def clean(self):
        data = super().clean()
        if data.get("website"):
            self.refusal = "honeypot"
        else:
            self.refusal = guards.stamp_refusal(data.get("stamp", "")) or ""
        if self.refusal:
            raise forms.ValidationError(REFUSALS[self.refusal], code=self.refusal)
        return data


REFUSALS = {
    "honeypot": _("Your report could not be accepted. Please call the 12345 hotline instead."),
    "too_fast": _("That was quicker than anyone can fill in the form. Please check your report and send it again."),
    "stale": _("This form was opened too long ago. Please check your report and send it again."),
    "invalid": _("This form was opened too long ago. Please check your report and send it again."),
}


class FollowForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=30,
                             widget=forms.TextInput(attrs={"placeholder": "HD20261126000123", "autocomplete": "off",
                                                           "autocapitalize": "characters"}))
    last_four = forms.RegexField(label=_("Last four digits of the phone you gave"), regex=r"^\d{4}$",
                                 error_messages={"invalid": _("Enter four digits.")},
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4",
                                                               "autocomplete": "off"}))


class GridLookupForm(forms.Form):
    code = forms.RegexField(label=_("Grid code"), regex=r"^\s*\d{15}\s*$",
                            error_messages={"invalid": _("A grid code has 15 digits.")},
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "110108007012003"}))
