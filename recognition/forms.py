from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import new_id
from awsomeshop.text import number

from .models import MESSAGE_MAX_LENGTH


class GiveForm(forms.Form):
    """What the give page posts. The rules are the service's; the form only gives the fields
    their labels and types. `key` is made when the page is shown, so a double submit or a reload
    of the POST gives once (`recognition_give(client_key=…)`)."""

    receivers = forms.MultipleChoiceField(label=_("Who do you want to thank?"), choices=())
    value = forms.ChoiceField(label=_("Which value did they show?"), choices=())
    points = forms.IntegerField(label=_("Points for each of them"), min_value=1, initial=10)
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
        help_text=_("Say what they did and why it mattered. Mention a colleague with @ and their e-mail's first part."),
    )
    is_public = forms.BooleanField(label=_("Show it in the feed to everyone"), required=False, initial=True)
    key = forms.CharField(widget=forms.HiddenInput, initial=new_id)

    def __init__(self, *args, colleagues, values, most_points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receivers"].choices = [
            (user.pk, f"{user.get_full_name() or user.email} ({user.email})") for user in colleagues
        ]
        self.fields["receivers"].widget.attrs["size"] = 8
        self.fields["value"].choices = [(value.pk, value.name) for value in values]
        self.fields["points"].widget.attrs["max"] = most_points
        self.fields["points"].help_text = gettext("From 1 to %(most)s points each, from your allowance.") % {
            "most": number(most_points)
        }


class AddPointsForm(forms.Form):
    points = forms.IntegerField(label=_("Add points for each receiver"), min_value=1, initial=5)
    key = forms.CharField(widget=forms.HiddenInput, initial=new_id)
