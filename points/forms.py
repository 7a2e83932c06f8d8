from django import forms
from django.conf import settings

from .services import REASON_MAX_LENGTH


class AwardForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, help_text="The employee sees this in their history.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, not at import, so the limit follows the setting.
        self.fields["amount"] = forms.IntegerField(
            min_value=1,
            max_value=settings.POINTS_MAX_AWARD,
            help_text=f"Whole points, at most {settings.POINTS_MAX_AWARD:,} per award.",
        )
        self.order_fields(["amount", "reason"])


class AwardFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Header line employee,amount,reason; employee is an e-mail address or user id. UTF-8, up to 2 MB.",
    )


class EmployeeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="E-mail address", help_text="They sign in with it.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
