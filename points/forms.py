import functools
import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awsomeshop.exceptions import ShopError, rule_applied
from awsomeshop.forms import WholeNumberField
from awsomeshop.text import number

from .budgets import budget_periods_check
from .models import PointsBudget, PointsBudgetLimit
from .services import points_amount_from_text, points_reason_clean

ONE_TIME_KEY_MISSING = _("This form has no valid one-time key; open it again from the employee list.")


class AwardForm(forms.Form):
    """An award of the same amount, for one reason, to one or more employees. The one-time key is
    made when the form is shown, so submitting it twice (a double click, a reload) awards once."""

    amount = forms.CharField(required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}), label=_("Amount"))
    # Required and length are the service's rules (points_reason_clean), in its words.
    reason = forms.CharField(required=False, label=_("Reason"), help_text=_("The employee sees this in their history."))
    key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": ONE_TIME_KEY_MISSING, "invalid": ONE_TIME_KEY_MISSING},
    )
    # Set when the person saw that they gave the same award lately and asked for it again.
    repeat = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"key": uuid.uuid4()})
        super().__init__(*args, **kwargs)
        # Here, not at import, so the limit follows the setting.
        self.fields["amount"].help_text = gettext("Whole points, at most %(most)s per award.") % {
            "most": number(settings.POINTS_MAX_AWARD)
        }

    def clean_amount(self) -> int:
        return rule_applied(points_amount_from_text, self.cleaned_data["amount"], invalid=forms.ValidationError)

    def clean_reason(self) -> str:
        return rule_applied(points_reason_clean, self.cleaned_data["reason"], invalid=forms.ValidationError)

    def asking_to_repeat(self) -> "AwardForm":
        """The same form, to be sent once more to award again what was given lately."""
        return AwardForm({**{name: self.data.get(name) for name in ("amount", "reason", "key")}, "repeat": "True"})


class AwardFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Header line employee,amount,reason; employee is an e-mail address or user id. UTF-8, up to 2 MB."),
    )


class EmployeeForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("E-mail address"), help_text=_("They sign in with it."))
    first_name = forms.CharField(max_length=150, required=False, label=_("First name"))
    last_name = forms.CharField(max_length=150, required=False, label=_("Last name"))


class ReversalForm(forms.Form):
    """A correction of one award: how much to take back and why, with a one-time key made when
    the form is shown (a double submit reverses once)."""

    amount = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}), label=_("Points to take back")
    )
    reason = forms.CharField(
        required=False, label=_("Reason"), help_text=_("The employee sees this in their history and in an e-mail.")
    )
    key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": ONE_TIME_KEY_MISSING, "invalid": ONE_TIME_KEY_MISSING},
    )

    def __init__(self, *args, reversible: int | None = None, **kwargs):
        kwargs.setdefault("initial", {"key": uuid.uuid4(), "amount": reversible})
        super().__init__(*args, **kwargs)
        if reversible is not None:
            self.fields["amount"].help_text = gettext("At most %(points)s points can be taken back now.") % {
                "points": number(reversible)
            }

    def clean_amount(self) -> int:
        return rule_applied(points_amount_from_text, self.cleaned_data["amount"], invalid=forms.ValidationError)

    def clean_reason(self) -> str:
        return rule_applied(
            functools.partial(points_reason_clean, what="correction"),
            self.cleaned_data["reason"],
            invalid=forms.ValidationError,
        )


class RejectionForm(forms.Form):
    note = forms.CharField(required=False, label=_("Why not"), help_text=_("The HR user who asked sees this."))

    def clean_note(self) -> str:
        return rule_applied(
            functools.partial(points_reason_clean, what="rejection"),
            self.cleaned_data["note"],
            invalid=forms.ValidationError,
        )


class BudgetForm(forms.ModelForm):
    """A budget's period is checked against the others by the service's rule, in its words."""

    points = WholeNumberField(
        min_value=1, label=_("Points"), help_text=_("What HR may award in the period, all givers together.")
    )

    class Meta:
        model = PointsBudget
        fields = ["starts_on", "ends_on", "points", "note"]
        # The model's fields have no verbose names of their own (one would need a migration).
        labels = {"starts_on": _("Starts on"), "ends_on": _("Ends on"), "note": _("Note")}

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on:
            try:
                budget_periods_check(starts_on=starts_on, ends_on=ends_on, budget_id=self.instance.pk)
            except ShopError as refusal:
                raise forms.ValidationError(refusal.message) from refusal
        return cleaned


class BudgetLimitForm(forms.ModelForm):
    points = WholeNumberField(min_value=1, label=_("Points"))

    class Meta:
        model = PointsBudgetLimit
        fields = ["giver", "points"]
