"""The pages' forms; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from committees.models import MeetingKind
from dispatch import selectors as dispatch_selectors
from dispatch.models import Category
from haidian.inputs import check_visible


class _StreetAgencies:
    """Agency choices: the agencies serving the street (the service checks again)."""

    def _agencies(self, street):
        self.agencies = {agency.code: agency for agency in Agency.objects.filter(streets=street).order_by("code")}
        return [(code, str(agency)) for code, agency in self.agencies.items()]


class MeetingForm(_StreetAgencies, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, validators=[check_visible])
    held_at = forms.DateTimeField(label=_("Date and time"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    agencies = forms.MultipleChoiceField(label=_("Agencies required to attend"),
                                         widget=forms.CheckboxSelectMultiple)
    optional_agencies = forms.MultipleChoiceField(label=_("Agencies invited (optional)"), required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        choices = self._agencies(street)
        self.fields["agencies"].choices = choices
        self.fields["optional_agencies"].choices = choices

    def clean_agencies(self):
        return [self.agencies[code] for code in self.cleaned_data["agencies"]]

    def clean_optional_agencies(self):
        return [self.agencies[code] for code in self.cleaned_data["optional_agencies"]]


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))


class AttendanceForm(forms.Form):
    """One checkbox and one reason per invited agency: attended_<id>, reason_<id>."""

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = list(invitations)
        for invitation in self.invitations:
            self.fields[f"attended_{invitation.agency_id}"] = forms.BooleanField(
                label=invitation.agency.name, required=False, initial=bool(invitation.attended))
            self.fields[f"reason_{invitation.agency_id}"] = forms.CharField(
                label=_("Reason for absence"), required=False, max_length=200, initial=invitation.absence_reason)

    def attendance(self) -> dict[int, tuple[bool, str]]:
        data = self.cleaned_data
        return {i.agency_id: (data[f"attended_{i.agency_id}"], data[f"reason_{i.agency_id}"])
                for i in self.invitations}


class DecisionForm(_StreetAgencies, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    responsible_agency = forms.ChoiceField(label=_("Responsible agency"))

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_agency"].choices = self._agencies(street)

    def clean_responsible_agency(self):
        return self.agencies[self.cleaned_data["responsible_agency"]]


class CreateCaseForm(forms.Form):
    title = forms.CharField(label=_("Case title"), max_length=200, validators=[check_visible])
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    category = forms.ModelChoiceField(label=_("Category"), to_field_name="code",
                                      queryset=Category.objects.filter(parent__isnull=False).order_by("code"))


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100, required=False)


class MemberForm(_StreetAgencies, forms.Form):
    agency = forms.ChoiceField(label=_("Agency"))
    person_name = forms.CharField(label=_("Name"), max_length=50)

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = self._agencies(street)

    def clean_agency(self):
        return self.agencies[self.cleaned_data["agency"]]


class OperationForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200, validators=[check_visible])
    participants = forms.ModelMultipleChoiceField(label=_("Participants"), queryset=None,
                                                  widget=forms.CheckboxSelectMultiple)
    cases = forms.CharField(label=_("Linked case numbers"), required=False,
                            help_text=_("Separated by spaces or commas."))
    result = forms.CharField(label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, team, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = team.members.select_related("agency")
        self.user = user

    def clean_cases(self):
        numbers = self.cleaned_data["cases"].replace(",", " ").replace("，", " ").split()
        cases, missing = dispatch_selectors.cases_by_number(user=self.user, numbers=numbers)
        if missing:
            raise forms.ValidationError(_("No such case in your area: %(numbers)s") % {"numbers": ", ".join(missing)})
        return cases
