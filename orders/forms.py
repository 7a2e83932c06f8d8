from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awsomeshop.forms import WholeNumberField
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from awsomeshop.text import number
from shop.models import DeliveryMethod, Product, ProductOption

from .models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, PICKUP_LOCATION_MAX_LENGTH
from .services import (
    CANCEL_REASON_MAX_LENGTH,
    OrderDetails,
    address_missing,
    note_missing,
    pickup_location_missing,
)


class RedeemForm(forms.Form):
    """The confirmation of a redemption, asking only what the product needs: an option, where
    it goes (an address or a pickup place), the answer to its question. The key is made when the
    page is shown, so a double click or a resubmitted form repeats the same redemption instead of
    making a second one; the price is the one the page showed, so a price changed since is never
    charged. The rules for the details are the service's (orders.services.order_details_clean);
    its refusals come back here as field errors."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    expected_points_cost = WholeNumberField(widget=forms.HiddenInput)
    # Set when the employee saw that they ordered this product minutes ago and asked for another.
    repeat = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, product: Product, options: list[ProductOption], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.product = product
        if options:
            self.fields["option_id"] = forms.ChoiceField(
                label=product.options_name,
                choices=[("", _("Choose…"))] + [(o.pk, _option_label(o)) for o in options],
                widget=_OptionSelect(sold_out={o.pk for o in options if not o.in_stock}),
                error_messages={"required": _("Choose an option of “%(product)s”.") % {"product": product.name}},
            )
        method = product.delivery
        if method == DeliveryMethod.SHIPPED:
            self.fields["delivery_address"] = forms.CharField(
                label=_("Deliver to"),
                max_length=ADDRESS_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "shipping street-address"}),
                help_text=_("Your name and the full postal address."),
                error_messages={"required": address_missing(product)},
            )
        elif method == DeliveryMethod.PICKUP:
            self.fields["pickup_location"] = forms.CharField(
                label=_("Pick up at"),
                max_length=PICKUP_LOCATION_MAX_LENGTH,
                help_text=_("Your office, floor and desk: we bring it there."),
                error_messages={"required": pickup_location_missing(product)},
            )
        if product.note_prompt:
            self.fields["note"] = forms.CharField(
                label=product.note_prompt,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": note_missing(product)},
            )

    def details(self) -> OrderDetails:
        data = self.cleaned_data
        return OrderDetails(
            option_id=data.get("option_id") or None,
            delivery_address=data.get("delivery_address"),
            pickup_location=data.get("pickup_location"),
            note=data.get("note"),
        )

    def refusal_field(self, field: str | None) -> str | None:
        """The form's field for a service refusal's `field` (None: a message for the whole form)."""
        name = {"address": "delivery_address", "option": "option_id"}.get(field or "", field)
        return name if name in self.fields else None


def _option_label(option: ProductOption) -> str:
    if not option.in_stock:
        return _("%(option)s (sold out)") % {"option": option.name}
    if option.stock_quantity <= 5:
        left = option.stock_quantity
        return ngettext("%(option)s (only %(left)s left)", "%(option)s (only %(left)s left)", left) % {
            "option": option.name,
            "left": number(left),
        }
    return option.name


class _OptionSelect(forms.Select):
    """A select whose sold-out options show but cannot be picked."""

    def __init__(self, *args, sold_out: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sold_out = sold_out

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.sold_out:
            option["attrs"]["disabled"] = True
        return option


class CancelOrderForm(forms.Form):
    """The employee's cancellation of their own order; the reason is optional for them."""

    reason = forms.CharField(
        required=False,
        max_length=CANCEL_REASON_MAX_LENGTH,
        label=gettext_lazy("Why are you cancelling? (optional)"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Ordered the wrong size")}),
    )
