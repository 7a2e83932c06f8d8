from django import forms

from awsomeshop.forms import WholeNumberField
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH


class RedeemForm(forms.Form):
    """The confirmation of a redemption. The key is made when the page is shown, so a double
    click or a resubmitted form repeats the same redemption instead of making a second one; the
    price is the one the page showed, so a price changed since is never charged."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    expected_points_cost = WholeNumberField(widget=forms.HiddenInput)
