"""Forms of the workflow pages. They validate input; the services decide everything else."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from dispatch import selectors
from dispatch.models import Case, Category, Priority, Satisfaction, Source
from haidian.inputs import check_visible
from haidian.uploads import MAX_UPLOAD_BYTES


class PhotoField(forms.FileField):
    """A photo or PDF; the service sniffs the bytes, this only bounds the size early."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and value.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))


def leaf_categories():
    return Category.objects.filter(parent__isnull=False).select_related("parent").order_by("code")


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return f"{category.code} {category.name}"


class ReportForm(forms.Form):
    """A grid worker's (or staff member's) report from the field."""

    title = forms.CharField(
        label=_("What is the problem?"), max_length=200, validators=[check_visible],
        widget=forms.TextInput(attrs={
            "hx-get": reverse_lazy("dispatch:suggest"), "hx-trigger": "input changed delay:400ms",
            "hx-target": "#category-suggestion", "autocomplete": "off"}))
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    category = CategoryChoice(label=_("Category"), queryset=leaf_categories(), required=False,
                              empty_label=_("— let the sub-center decide —"))
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180,
                           widget=forms.NumberInput(attrs={"step": "any"}))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    photo = PhotoField(label=_("Photo"))


class FileForm(forms.Form):
    category = CategoryChoice(label=_("Category"), queryset=leaf_categories())
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    duplicate_of = forms.CharField(label=_("Duplicate of case number"), max_length=20, required=False)

    def __init__(self, *args, visible_cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible_cases = visible_cases if visible_cases is not None else Case.objects.none()

    def clean_duplicate_of(self):
        number = self.cleaned_data["duplicate_of"].strip()
        if not number:
            return None
        case = self.visible_cases.filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case with this number in your area."))
        return case


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What was done on site"), widget=forms.Textarea(attrs={"rows": 2}))
    before = PhotoField(label=_("Photo before"))
    after = PhotoField(label=_("Photo after"))


class DispatchForm(forms.Form):
    """Lead and co-operating units: agencies covering the case's street, or the district's
    departments for a district-tier case; the category's default unit first and chosen."""

    lead = forms.ChoiceField(label=_("Lead unit"))
    cooperating = forms.MultipleChoiceField(label=_("Co-operating units"), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        units = selectors.units_for_case(case)  # the default first, then its department's, then the rest
        choices = [(unit["code"], unit["name"]) for unit in units]
        self.fields["lead"].choices = choices
        self.fields["cooperating"].choices = choices
        self.fields["lead"].initial = next((unit["code"] for unit in units if unit["default"]), None)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalCommentForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class PublicResultForm(forms.Form):
    text = forms.CharField(label=_("Result shown to the reporter and the public"),
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].initial = case.public_result


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Result of the check"), coerce=lambda value: value == "1",
                                    choices=[("1", _("Solved: close the case")),
                                             ("0", _("Not solved: send back for rework"))],
                                    widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    photo = PhotoField(label=_("Photo"))


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RespondForm(forms.Form):
    result = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = PhotoField(label=_("Photo"))


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(label=_("New due time"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class QueueFilterForm(forms.Form):
    """The street workbench's filters; every field optional."""

    q = forms.CharField(label=_("Number or words"), required=False)
    grid = forms.CharField(label=_("Grid code"), required=False)
    community = forms.CharField(label=_("Community code"), required=False)
    category = forms.CharField(label=_("Category code"), required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("any"))] + list(Source.choices), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    reported_from = forms.DateField(label=_("Reported from"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    reported_to = forms.DateField(label=_("Reported until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))



class LetterForm(forms.Form):
    """问题限期受理函告: to an agency serving the street, about one or more of its cases."""

    agency = forms.ChoiceField(label=_("To agency"))
    cases = forms.CharField(label=_("Case numbers"), help_text=_("Separated by spaces or commas."))
    requirement = forms.CharField(label=_("Requirement"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateTimeField(label=_("Answer by"), required=False,
                                   help_text=_("Empty: the default number of working days."),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, street, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = {agency.code: agency for agency in Agency.objects.filter(streets=street).order_by("code")}
        self.fields["agency"].choices = [(code, str(agency)) for code, agency in self.agencies.items()]
        self.user = user

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]

    def clean_cases(self):
        numbers = self.cleaned_data["cases"].replace(",", " ").replace("，", " ").split()
        cases, missing = selectors.cases_by_number(user=self.user, numbers=numbers)
        if missing:
            raise forms.ValidationError(_("No such case in your area: %(numbers)s") % {"numbers": ", ".join(missing)})
        return cases


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Measures taken and result"), widget=forms.Textarea(attrs={"rows": 4}))


class LetterCloseForm(forms.Form):
    """Closing a letter: a reason for each of its cases still open (none when all are closed)."""

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_numbers = list(letter.cases.exclude(status__in=["closed", "rejected"]).order_by("number")
                                 .values_list("number", flat=True))
        for number in self.open_numbers:
            self.fields[f"reason_{number}"] = forms.CharField(
                label=_("Case %(number)s is still open: why close the letter anyway?") % {"number": number},
                widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        return {"reasons": {number: data.get(f"reason_{number}", "") for number in self.open_numbers}}


class FeedbackForm(forms.Form):
    note = forms.CharField(label=_("Feedback given to the reporters (how, when)"),
                           widget=forms.Textarea(attrs={"rows": 3}))
