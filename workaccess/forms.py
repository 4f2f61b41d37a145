"""Forms of the work access pages: they validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Department, Street
from workaccess.models import AccessRequest, DelegatedMatter


class RequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["department", "title", "description", "powers", "budget_yuan", "staff_count"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "powers": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()


class DecisionForm(forms.Form):
    meeting_reference = forms.CharField(label=_("Meeting reference"), max_length=80,
                                        help_text=_("e.g. 区委常委会〔2026〕12号"))


class AssignForm(forms.Form):
    streets = forms.ModelMultipleChoiceField(label=_("Streets"), queryset=Street.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, district_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = Street.objects.filter(district_id=district_id).order_by("code")


class MatterForm(forms.ModelForm):
    class Meta:
        model = DelegatedMatter
        fields = ["department", "code", "title", "legal_basis", "valid_from", "valid_until"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}),
                   "valid_until": forms.DateInput(attrs={"type": "date"}),
                   "legal_basis": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, district_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(district_id__in=district_ids)

    def validate_unique(self):
        pass  # the service answers a duplicate code


class ActionForm(forms.Form):
    matter = forms.ModelChoiceField(label=_("Catalogue entry"), queryset=DelegatedMatter.objects.none())
    street = forms.ModelChoiceField(label=_("Street"), queryset=Street.objects.none())
    description = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    case_number = forms.CharField(label=_("Case number (optional)"), max_length=20, required=False)

    def __init__(self, *args, matters, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters
        self.fields["street"].queryset = streets
        if streets.count() == 1:
            self.fields["street"].initial = streets.first()
