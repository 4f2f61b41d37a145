"""The pages' forms; the rules live in the services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from agencies.models import Street
from whistle import selectors
from whistle.models import MAX_MINUTES


class SummonsForm(forms.Form):
    """吹哨: the units serving the street and the district's departments as checkboxes, the minutes, a note."""

    units = forms.MultipleChoiceField(label=gettext_lazy("Summon"), widget=forms.CheckboxSelectMultiple)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes to report on site"), min_value=1, max_value=MAX_MINUTES)
    note = forms.CharField(label=gettext_lazy("What they should do on site"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, street: Street, **kwargs):
        super().__init__(*args, **kwargs)
        agencies, departments = selectors.summonable_units(street=street)
        self.fields["units"].choices = [
            (gettext_lazy("Agencies serving the street"), [(agency.code, agency.name) for agency in agencies]),
            (gettext_lazy("District departments"), [(department.code, department.name) for department in departments]),
        ]
        self.fields["minutes"].initial = settings.WHISTLE_MINUTES


class CheckInForm(forms.Form):
    """报到 from the phone page: the phone's point, or none (location refused) and the reason why."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    unit = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    location_note = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise forms.ValidationError(gettext_lazy("Give both latitude and longitude, or neither."))
        return data
