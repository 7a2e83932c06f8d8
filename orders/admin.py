from collections.abc import Callable
from functools import partial
from itertools import chain

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awsomeshop.admin_tools import CsvExportMixin, ReadOnlyAdminMixin, ShopErrorAsMessageMixin, related_as_text
from awsomeshop.csv_export import csv_response
from awsomeshop.exceptions import ShopError
from awsomeshop.text import moment, number
from shop.models import DeliveryMethod, Product

from .csv_codes import code_file_read
from .models import OPEN_STATUSES, FulfilmentOrder, Order, OrderStatus, VoucherCode
from .selectors import order_code_get, order_pick_totals
from .services import (
    CANCEL_REASON_MAX_LENGTH,
    CodeImportOutcome,
    StatusChangeOutcome,
    order_cancel,
    order_cancellable,
    order_code_attach,
    order_code_attachable,
    order_status_change,
    order_step_refusal,
    voucher_codes_import,
)

# What an empty value reads as on the order admins' pages, lists and columns alike (Django's
# own is "-", which sat beside our "—").
EMPTY = "—"


@admin.register(Order)
class OrderAdmin(CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders are history: read-only here (HR's view); filter, search and export them. Codes of
    digital rewards are not shown: only the employee and fulfilment staff see those."""

    list_display = ["short_number", "created_at", "user_email", "product", "option", "points", "status"]
    list_filter = ["status", "delivery_method", "created_at", "product__category"]
    search_fields = ["id", "user__email", "user__first_name", "user__last_name", "product__name"]
    list_select_related = ["user", "product", "option"]
    list_per_page = 100
    empty_value_display = EMPTY
    export_filename = "orders.csv"
    export_header = [
        "order_id",
        "created_at",
        "user_id",
        "email",
        "product_id",
        "product",
        "option",
        "points_used",
        "status",
        "delivery_method",
    ]
    # The detail page links only where HR may go: the portal's order page is the employee's own
    # (a 404 for anyone else), and the product and user admins are other roles'.
    view_on_site = False
    fields = [
        "id",
        "short_number",
        "created_at",
        "employee",
        "product_name",
        "option_shown",
        "points",
        "status",
        "delivery_method",
        "history",
    ]
    readonly_fields = fields
    option_shown = related_as_text(Order, "option")

    @admin.display(description=gettext_lazy("points"), ordering="points_used")
    def points(self, order: Order) -> str:
        return number(order.points_used)

    @admin.display(description=gettext_lazy("order"), ordering="id")
    def short_number(self, order: Order) -> str:
        return order.short_number

    @admin.display(description=gettext_lazy("employee"), ordering="user__email")
    def user_email(self, order: Order) -> str:
        return format_html("{}<br><small>{}</small>", order.user.get_full_name() or order.user.email, order.user.email)

    @admin.display(description=gettext_lazy("employee"))
    def employee(self, order: Order) -> str:
        ledger = reverse("admin:points_pointstransaction_changelist") + f"?user={order.user_id}"
        return format_html('{} · <a href="{}">{}</a>', order.user.email, ledger, _("Ledger"))

    @admin.display(description=gettext_lazy("product"))
    def product_name(self, order: Order) -> str:
        # The portal's page of the product: every signed-in person may see it (the product admin
        # is the catalog managers').
        return format_html('<a href="{}">{}</a>', order.product.get_absolute_url(), order.product.name)

    @admin.display(description=gettext_lazy("history"))
    def history(self, order: Order) -> str:
        changes = order.status_changes.select_related("changed_by")
        rows = [(_history_line(change),) for change in changes]
        if not rows:
            return _("Placed; no change since.")
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", rows))

    def export_row(self, order: Order) -> list[object]:
        return [
            order.pk,
            order.created_at.isoformat(),
            order.user_id,
            order.user.email,
            order.product_id,
            order.product.name,
            order.option.name if order.option_id else "",
            order.points_used,
            order.status,
            order.delivery_method or "",
        ]


def _history_line(change) -> str:
    """One step of the order's history as a sentence (escaped where it is shown)."""
    values = {
        "when": moment(change.created_at),
        "before": change.get_from_status_display(),
        "after": change.get_to_status_display(),
        "note": change.note_shown,
    }
    if change.changed_by_id:
        return _("%(when)s: %(before)s → %(after)s by %(who)s %(note)s") % {**values, "who": change.changed_by.email}
    return _("%(when)s: %(before)s → %(after)s by the system %(note)s") % values


class QueueStatusFilter(admin.SimpleListFilter):
    """The queue shows the orders still to act on unless asked for another status."""

    title = gettext_lazy("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("To do (not delivered or cancelled)")), *OrderStatus.choices, ("all", _("All"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value in OrderStatus.values:
            return queryset.filter(status=value)
        return queryset.none()


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=CANCEL_REASON_MAX_LENGTH,
        label=gettext_lazy("Reason (the employee sees it)"),
        widget=forms.TextInput(attrs={"size": 60}),
    )


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=100, label=gettext_lazy("Carrier"))


class CodeFileForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(delivery_method=DeliveryMethod.DIGITAL).order_by("name"),
        label=gettext_lazy("Product"),
        help_text=gettext_lazy("Only digital rewards take codes."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV or text: one code or link per line, in the first column."),
    )


def _step_fits(to_status: OrderStatus) -> Callable[[Order], bool]:
    return lambda order: order_step_refusal(order, to_status) is None


# The queue's actions that the order's own page offers, as the page words them, each with whether
# it fits the order's status now (the services' own rules). The pick list is left out: it is for
# many orders, and the page shows all one order has.
ORDER_PAGE_STEPS = {
    "mark_processing": (gettext_lazy("Mark processing"), _step_fits(OrderStatus.PROCESSING)),
    "mark_shipped": (gettext_lazy("Mark shipped…"), _step_fits(OrderStatus.SHIPPED)),
    "mark_ready_for_pickup": (gettext_lazy("Mark ready for pickup"), _step_fits(OrderStatus.READY_FOR_PICKUP)),
    "mark_delivered": (gettext_lazy("Mark delivered"), _step_fits(OrderStatus.DELIVERED)),
    "attach_codes": (gettext_lazy("Attach a code…"), order_code_attachable),
    "cancel_orders": (gettext_lazy("Cancel and refund…"), partial(order_cancellable, by_staff=True)),
}


# What a step says about the orders it moved, left alone or refused: a whole sentence for each
# step, as a language other than English may place the status elsewhere in it.
def _step_changed(to_status: str, count: int) -> str:
    """'%(count)s marked …: %(numbers)s.'"""
    if to_status == OrderStatus.PROCESSING:
        return ngettext("%(count)s marked processing: %(numbers)s.", "%(count)s marked processing: %(numbers)s.", count)
    if to_status == OrderStatus.SHIPPED:
        return ngettext("%(count)s marked shipped: %(numbers)s.", "%(count)s marked shipped: %(numbers)s.", count)
    if to_status == OrderStatus.READY_FOR_PICKUP:
        return ngettext(
            "%(count)s marked ready for pickup: %(numbers)s.", "%(count)s marked ready for pickup: %(numbers)s.", count
        )
    return ngettext("%(count)s marked delivered: %(numbers)s.", "%(count)s marked delivered: %(numbers)s.", count)


def _step_already(to_status: str) -> str:
    """'Already …, left as they were: %(numbers)s.'"""
    return {
        OrderStatus.PROCESSING: _("Already processing, left as they were: %(numbers)s."),
        OrderStatus.SHIPPED: _("Already shipped, left as they were: %(numbers)s."),
        OrderStatus.READY_FOR_PICKUP: _("Already ready for pickup, left as they were: %(numbers)s."),
    }.get(to_status) or _("Already delivered, left as they were: %(numbers)s.")


def _step_refused(to_status: str) -> str:
    """'Order %(number)s not marked …: %(reason)s.'"""
    return {
        OrderStatus.PROCESSING: _("Order %(number)s not marked processing: %(reason)s."),
        OrderStatus.SHIPPED: _("Order %(number)s not marked shipped: %(reason)s."),
        OrderStatus.READY_FOR_PICKUP: _("Order %(number)s not marked ready for pickup: %(reason)s."),
    }.get(to_status) or _("Order %(number)s not marked delivered: %(reason)s.")


def _cancel_too_late(order: Order) -> str:
    """Why fulfilment can no longer cancel the order: it has gone out already."""
    return {
        OrderStatus.SHIPPED: _("Order %(number)s cannot be cancelled: it is shipped."),
        OrderStatus.READY_FOR_PICKUP: _("Order %(number)s cannot be cancelled: it is ready for pickup."),
        OrderStatus.DELIVERED: _("Order %(number)s cannot be cancelled: it is delivered."),
    }.get(order.status, _("Order %(number)s cannot be cancelled now.")) % {"number": order.short_number}


def _codes_loaded(outcome: CodeImportOutcome, product: Product) -> str:
    values = {
        "added": number(outcome.added),
        "product": product.name,
        "already": number(outcome.already_loaded),
        "handed": number(outcome.handed_out),
    }
    if outcome.already_loaded:
        return (
            ngettext(
                "%(added)s new code loaded for “%(product)s”, %(already)s already there and left out; "
                "%(handed)s handed out to orders that were waiting.",
                "%(added)s new codes loaded for “%(product)s”, %(already)s already there and left out; "
                "%(handed)s handed out to orders that were waiting.",
                outcome.added,
            )
            % values
        )
    return (
        ngettext(
            "%(added)s new code loaded for “%(product)s”; %(handed)s handed out to orders that were waiting.",
            "%(added)s new codes loaded for “%(product)s”; %(handed)s handed out to orders that were waiting.",
            outcome.added,
        )
        % values
    )


@admin.register(FulfilmentOrder)
class FulfilmentOrderAdmin(ShopErrorAsMessageMixin, CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The fulfilment queue: open orders oldest first, with the steps that move them on. Every
    step is a service call that locks the orders and reads their status again, so a repeated or
    raced step happens once; a cancellation refunds through the ledger."""

    # Short columns, so the whole row fits a laptop's screen: the order page has the rest.
    list_display = ["short_number", "placed", "employee_name", "what", "delivery", "destination", "status", "tracking"]
    list_filter = [QueueStatusFilter, "delivery_method", "product"]
    search_fields = ["id", "user__email", "user__first_name", "user__last_name", "product__name", "tracking_number"]
    list_select_related = ["user", "product", "option"]
    list_per_page = 100
    ordering = ["created_at", "id"]
    actions = [
        "mark_processing",
        "mark_shipped",
        "mark_ready_for_pickup",
        "mark_delivered",
        "attach_codes",
        "cancel_orders",
        "pick_list",
    ]
    view_on_site = False
    empty_value_display = EMPTY
    export_filename = "packing-list.csv"
    export_header = [
        "order",
        "placed",
        "employee",
        "email",
        "product",
        "option",
        "quantity",
        "delivery",
        "address",
        "pickup_location",
        "note",
        "status",
        "carrier",
        "tracking_number",
    ]
    # The order as staff know it, by its short number: the raw id is the database's.
    fields = [
        "short_number",
        "created_at",
        "user_email",
        "product_shown",
        "option_shown",
        "status",
        "delivery_method",
        "delivery_address",
        "pickup_location",
        "note",
        "carrier",
        "tracking_number",
        "code",
        "history",
    ]
    readonly_fields = fields
    product_shown = related_as_text(Order, "product")
    option_shown = related_as_text(Order, "option")

    def has_fulfil_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("orders.fulfil_order")

    @admin.display(description=gettext_lazy("order"), ordering="id")
    def short_number(self, order: Order) -> str:
        return order.short_number

    @admin.display(description=gettext_lazy("employee"), ordering="user__email")
    def user_email(self, order: Order) -> str:
        return f"{order.user.get_full_name()} <{order.user.email}>".strip()

    @admin.display(description=gettext_lazy("placed"), ordering="created_at")
    def placed(self, order: Order) -> str:
        return moment(order.created_at)

    @admin.display(description=gettext_lazy("employee"), ordering="user__last_name")
    def employee_name(self, order: Order) -> str:
        return format_html(
            '<span title="{}">{}</span>', order.user.email, order.user.get_full_name() or order.user.email
        )

    @admin.display(description=gettext_lazy("product"), ordering="product__name")
    def what(self, order: Order) -> str:
        return f"{order.product.name} · {order.option.name}" if order.option_id else order.product.name

    @admin.display(description=gettext_lazy("delivery"), ordering="delivery_method")
    def delivery(self, order: Order) -> str:
        return {"shipped": _("Ship"), "pickup": _("Pickup"), "digital": _("Digital")}.get(
            order.delivery_method or "", EMPTY
        )

    @admin.display(description=gettext_lazy("deliver to"))
    def destination(self, order: Order) -> str:
        text = (order.delivery_address or order.pickup_location or EMPTY).replace("\n", ", ")
        return text if len(text) <= 48 else text[:47] + "…"

    @admin.display(description=gettext_lazy("tracking"))
    def tracking(self, order: Order) -> str:
        return f"{order.carrier} {order.tracking_number}" if order.tracking_number else EMPTY

    @admin.display(description=gettext_lazy("code or link"))
    def code(self, order: Order) -> str:
        return order_code_get(order=order) or EMPTY

    history = OrderAdmin.history

    def export_row(self, order: Order) -> list[object]:
        return [
            order.short_number,
            order.created_at.isoformat(),
            order.user.get_full_name(),
            order.user.email,
            order.product.name,
            order.option.name if order.option_id else "",
            1,
            order.delivery_method or "",
            order.delivery_address or "",
            order.pickup_location or "",
            order.note or "",
            order.status,
            order.carrier or "",
            order.tracking_number or "",
        ]

    # --- The order's page: the steps that fit it, and back to it after one -----------------
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["order_steps"] = self._order_steps(request, obj)
            context["changelist"] = reverse("admin:orders_fulfilmentorder_changelist")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _order_steps(self, request: HttpRequest, order: Order) -> list[tuple[str, str]]:
        """The queue's actions that this person may take and that fit the order's status now."""
        allowed = self.get_actions(request)
        return [(name, label) for name, (label, fits) in ORDER_PAGE_STEPS.items() if name in allowed and fits(order)]

    def _from_order(self, request: HttpRequest) -> str | None:
        """The order whose page started this step (it alone selected), to go back to after it."""
        order_id = request.POST.get("from_order")
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        if order_id and selected == [order_id] and request.POST.get("select_across") != "1":
            return order_id
        return None

    def _order_url(self, order_id: str) -> str:
        return reverse("admin:orders_fulfilmentorder_change", args=[quote(order_id)])

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        response = super().response_action(request, queryset)
        # A step done (or refused) from an order's page goes back to that page, its message there.
        if isinstance(response, HttpResponseRedirect) and (order_id := self._from_order(request)):
            return HttpResponseRedirect(self._order_url(order_id))
        return response

    # --- The steps ------------------------------------------------------------------------
    def _selected(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """The orders the person ticked, whatever the list's status filter now hides: a second
        submit of a step finds them moved on and says so, instead of doing nothing in silence."""
        if request.POST.get("select_across") == "1":
            return queryset
        ids = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        return self.get_queryset(request).filter(pk__in=ids)

    def _ids(self, queryset: QuerySet) -> list[str]:
        return list(queryset.values_list("pk", flat=True))

    def _report(self, request: HttpRequest, outcome: StatusChangeOutcome, to_status: str) -> None:
        if not (outcome.changed or outcome.already or outcome.refused):
            self.message_user(request, _("No order matched the selection; nothing changed."), messages.WARNING)
        if outcome.changed:
            numbers = ", ".join(order.short_number for order in outcome.changed)
            changed = _step_changed(to_status, len(outcome.changed))
            self.message_user(
                request, changed % {"count": number(len(outcome.changed)), "numbers": numbers}, messages.SUCCESS
            )
        if outcome.already:
            numbers = ", ".join(order.short_number for order in outcome.already)
            self.message_user(request, _step_already(to_status) % {"numbers": numbers}, messages.INFO)
        for order, reason in outcome.refused:
            refused = _step_refused(to_status) % {"number": order.short_number, "reason": reason}
            self.message_user(request, refused, messages.WARNING)

    def _step(self, request: HttpRequest, queryset: QuerySet, to_status: str) -> None:
        ids = self._ids(self._selected(request, queryset))
        outcome = order_status_change(order_ids=ids, to_status=to_status, changed_by_id=request.user.pk)
        self._report(request, outcome, to_status)

    @admin.action(description=gettext_lazy("Mark selected orders processing"), permissions=["fulfil"])
    def mark_processing(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._step(request, queryset, OrderStatus.PROCESSING)

    @admin.action(description=gettext_lazy("Mark selected orders ready for pickup"), permissions=["fulfil"])
    def mark_ready_for_pickup(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._step(request, queryset, OrderStatus.READY_FOR_PICKUP)

    @admin.action(description=gettext_lazy("Mark selected orders delivered"), permissions=["fulfil"])
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._step(request, queryset, OrderStatus.DELIVERED)

    @admin.action(description=gettext_lazy("Mark selected orders shipped…"), permissions=["fulfil"])
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        orders = list(self._selected(request, queryset).select_related("user", "product", "option"))
        # Say what cannot be shipped before asking for a carrier and tracking numbers to type.
        refused = [
            (order, reason)
            for order in orders
            if order.status != OrderStatus.SHIPPED and (reason := order_step_refusal(order, OrderStatus.SHIPPED))
        ]
        if refused:
            for order, reason in refused:
                refused = _("Order %(number)s cannot be shipped: %(reason)s.") % {
                    "number": order.short_number,
                    "reason": reason,
                }
                self.message_user(request, refused, messages.WARNING)
            return None
        form = ShipForm(request.POST if "apply" in request.POST else None)
        tracking = {order.pk: request.POST.get(f"tracking-{order.pk}", "") for order in orders}
        # A refusal about one order's tracking number goes beside that order's box.
        tracking_errors: dict[str, str] = {}
        if form.is_valid():
            try:
                outcome = order_status_change(
                    order_ids=[order.pk for order in orders],
                    to_status=OrderStatus.SHIPPED,
                    changed_by_id=request.user.pk,
                    carrier=form.cleaned_data["carrier"],
                    tracking_numbers=tracking,
                )
            except ShopError as refusal:
                if refusal.details.get("order_id") in tracking:
                    tracking_errors[refusal.details["order_id"]] = refusal.message
                else:
                    field = refusal.details.get("field")
                    form.add_error(field if field in form.fields else None, refusal.message)
            else:
                self._report(request, outcome, OrderStatus.SHIPPED)
                return None
        rows = [(order, tracking.get(order.pk, ""), tracking_errors.get(order.pk)) for order in orders]
        errors = len(form.errors) + len(tracking_errors)
        return self._action_page(
            request, "ship.html", _("Mark orders shipped"), "mark_shipped", orders, form, rows=rows, errors=errors
        )

    @admin.action(description=gettext_lazy("Attach codes to selected digital orders…"), permissions=["fulfil"])
    def attach_codes(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        orders = list(self._selected(request, queryset).select_related("user", "product"))
        codes = {order.pk: request.POST.get(f"code-{order.pk}", "").strip() for order in orders}
        if "apply" in request.POST:
            attached, unchanged = [], []
            for order in orders:
                if not codes[order.pk]:
                    continue
                try:
                    outcome = order_code_attach(order_id=order.pk, code=codes[order.pk], attached_by_id=request.user.pk)
                except ShopError as refusal:
                    refused = _("Order %(number)s: %(reason)s") % {
                        "number": order.short_number,
                        "reason": refusal.message,
                    }
                    self.message_user(request, refused, messages.WARNING)
                    continue
                (attached if outcome.attached_now else unchanged).append(order)
            for order in unchanged:
                self.message_user(
                    request,
                    _("Order %(number)s has this code already; nothing changed.") % {"number": order.short_number},
                )
            if attached:
                numbers = ", ".join(order.short_number for order in attached)
                self.message_user(
                    request,
                    _("Codes attached, orders delivered: %(numbers)s.") % {"numbers": numbers},
                    messages.SUCCESS,
                )
            elif not unchanged:
                self.message_user(request, _("No code was attached."), messages.WARNING)
            return None
        rows = [(order, codes.get(order.pk, "")) for order in orders]
        return self._action_page(
            request, "attach_codes.html", _("Attach codes"), "attach_codes", orders, None, rows=rows
        )

    @admin.action(description=gettext_lazy("Cancel selected orders and refund…"), permissions=["fulfil"])
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        orders = list(self._selected(request, queryset).select_related("user", "product"))
        # Say what can no longer be cancelled before asking for a reason (a repeat of a cancel is fine).
        too_late = [o for o in orders if o.status != OrderStatus.CANCELLED and not order_cancellable(o, by_staff=True)]
        if too_late:
            for order in too_late:
                self.message_user(request, _cancel_too_late(order), messages.WARNING)
            return None
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for order in orders:
                self._cancel_one(request, order, form.cleaned_data["reason"])
            if not orders:
                self.message_user(request, _("No order matched the selection; nothing changed."), messages.WARNING)
            return None
        return self._action_page(request, "cancel.html", _("Cancel orders"), "cancel_orders", orders, form)

    def _cancel_one(self, request: HttpRequest, order: Order, reason: str) -> None:
        try:
            outcome = order_cancel(order_id=order.pk, cancelled_by_id=request.user.pk, reason=reason, by_staff=True)
        except ShopError as refusal:
            self.message_user(request, refusal.message, messages.WARNING)
            return
        if outcome.cancelled_now:
            refunded = ngettext(
                "Order %(number)s cancelled: %(points)s point refunded to %(email)s.",
                "Order %(number)s cancelled: %(points)s points refunded to %(email)s.",
                order.points_used,
            ) % {"number": order.short_number, "points": number(order.points_used), "email": order.user.email}
            self.message_user(request, refunded, messages.SUCCESS)
        else:
            self.message_user(
                request, _("Order %(number)s was already cancelled.") % {"number": order.short_number}, messages.INFO
            )

    @admin.action(description=gettext_lazy("Download a pick list of selected orders (CSV)"), permissions=["fulfil"])
    def pick_list(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        orders = (
            self._selected(request, queryset)
            .select_related("user", "product", "option")
            .order_by("product__name", "option__position", "option__name")
        )
        # After the orders, an empty line, then how many of each product and option to fetch,
        # under the orders' own product, option and quantity headings (one header for the file).
        label = _("Total to pick")
        totals = [
            self._in_columns(order=label, product=total.product, option=total.option, quantity=total.quantity)
            for total in order_pick_totals(orders=orders)
        ]
        rows = chain((self.export_row(o) for o in orders), [[]] if totals else [], totals)
        return csv_response(filename="pick-list.csv", header=self.export_header, rows=rows)

    def _in_columns(self, **values: object) -> list[object]:
        return [values.get(column, "") for column in self.export_header]

    def _action_page(self, request, template, title, action, orders, form, rows=None, **extra) -> TemplateResponse:
        changelist = reverse("admin:orders_fulfilmentorder_changelist")
        from_order = self._from_order(request)
        context = {
            **extra,
            "from_order": from_order,
            "back_url": self._order_url(from_order) if from_order else changelist,
            "back_label": _("Back to the order") if from_order else _("Back to the queue"),
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "orders": orders,
            "rows": rows,
            "action": action,
            "changelist": changelist,
        }
        return TemplateResponse(request, f"admin/orders/fulfilmentorder/{template}", context)


@admin.register(VoucherCode)
class VoucherCodeAdmin(admin.ModelAdmin):
    """Codes and links of digital rewards, for fulfilment staff: "Add" loads a file of codes for
    a product, handed out one per order (orders waiting for one get theirs at once)."""

    list_display = ["product", "code", "order_link", "created_at", "assigned_at"]
    list_filter = ["product", ("order", admin.EmptyFieldListFilter)]
    search_fields = ["code", "order__id"]
    list_select_related = ["product", "order"]
    fields = ["product_shown", "code", "order_link", "added_by_shown", "created_at", "assigned_at"]
    readonly_fields = fields
    product_shown = related_as_text(VoucherCode, "product")
    added_by_shown = related_as_text(VoucherCode, "added_by")

    @admin.display(description=gettext_lazy("order"))
    def order_link(self, voucher: VoucherCode) -> str:
        if not voucher.order_id:
            return _("unused")
        url = reverse("admin:orders_fulfilmentorder_change", args=[voucher.order_id])
        return format_html('<a href="{}">{}</a>', url, voucher.order.short_number)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CodeFileForm(request.POST or None, request.FILES or None)
        if form.is_valid():
            try:
                codes = code_file_read(form.cleaned_data["file"])
                outcome = voucher_codes_import(
                    product_id=form.cleaned_data["product"].pk, codes=codes, added_by_id=request.user.pk
                )
            except ShopError as refusal:
                form.add_error("file", refusal.message)
            else:
                self.message_user(request, _codes_loaded(outcome, form.cleaned_data["product"]), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:orders_vouchercode_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Load codes"),
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/orders/vouchercode/load.html", context)
