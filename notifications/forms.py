from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    awards_email = forms.BooleanField(required=False, label=_("E-mail me when I am given points"))
    orders_email = forms.BooleanField(required=False, label=_("E-mail me when my orders move on"))
    wishlist_email = forms.BooleanField(
        required=False, label=_("E-mail me when something on my wishlist is back in stock or within my points")
    )
