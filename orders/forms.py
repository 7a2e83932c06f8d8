from django import forms

from .models import Order


class RedeemForm(forms.Form):
    """The confirmation of a redemption. The key is made when the page is shown, so a double
    click or a resubmitted form repeats the same redemption instead of making a second one."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=Order._meta.get_field("idempotency_key").max_length
    )
