"""Forms of the appointment pages: they validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Street
from appointments.models import Position, Verdict
from appointments.services import STREET_KINDS


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class AppointmentForm(forms.Form):
    """A proposal by the department, or the street's direct appointment (local-mode agencies)."""

    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), to_field_name="code")
    street = forms.ModelChoiceField(label=_("Street"), queryset=Street.objects.all(), to_field_name="code",
                                    required=False, help_text=_("Leave empty when the agency serves one street."))
    candidate_name = forms.CharField(label=_("Candidate"), max_length=50)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)

    def __init__(self, *args, department_ids=(), street_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.order_by("code")
        if street_ids:  # the street appoints its local-mode agencies
            agencies = agencies.filter(streets__in=street_ids, kind__in=STREET_KINDS).distinct()
            self.fields["street"].queryset = Street.objects.filter(id__in=street_ids)
        else:
            agencies = agencies.filter(department_id__in=department_ids).exclude(kind__in=STREET_KINDS)
        self.fields["agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        agency = data.get("agency")
        if agency is not None and data.get("street") is None:
            streets = list(agency.streets.all()[:2])
            if len(streets) != 1:
                self.add_error("street", _("Name the street: the agency serves several."))
            else:
                data["street"] = streets[0]
        return data


class DocumentForm(forms.Form):
    """The street party committee's written opinion or consent."""

    verdict = forms.ChoiceField(label=_("The committee"), choices=Verdict.choices)
    text = forms.CharField(label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    upload = forms.FileField(label=_("Signed document (PDF or photo)"))


class FileForm(forms.Form):
    hr_reference = forms.CharField(label=_("HR bureau reference"), max_length=50, required=False)
