"""Form fields shared by the portal and the admin."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DIGITS = re.compile(r"[0-9]{1,10}")


class WholeNumberField(forms.IntegerField):
    """A whole number typed in a form: ASCII digits only. Django's IntegerField also takes `+7`,
    `5.0`, `1_000` and the digits of other scripts, which for points, prices and stock are typos
    to point out, not numbers to guess at."""

    default_error_messages = {"invalid": _("Enter a whole number in the digits 0–9.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not DIGITS.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)
