"""Admin plumbing shared by the apps: read-only histories, CSV export of the filtered list,
and business refusals shown as admin messages."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters, csrf_protect_m
from django.contrib.admin.utils import model_ngettext
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.utils.translation import ngettext

from awsomeshop.csv_export import csv_response
from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

if TYPE_CHECKING:  # these mixins are only ever mixed into ModelAdmins
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class ReadOnlyAdminMixin(_AdminBase):
    """History (ledger rows, orders) is viewed and exported, never edited or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CsvExportMixin(_AdminBase):
    """An "Export CSV" link on the change list that downloads exactly the filtered list."""

    change_list_template = "admin/change_list_with_export.html"
    export_filename: str
    export_header: Sequence[str]

    def export_row(self, obj) -> Sequence[object]:
        raise NotImplementedError

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        export = path("export/", self.admin_site.admin_view(self.export_view), name=f"{info[0]}_{info[1]}_export")
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # What the list itself does with a filter value it cannot use.
            changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")
        rows = (self.export_row(obj) for obj in queryset.iterator(chunk_size=2000))
        return csv_response(filename=self.export_filename, header=self.export_header, rows=rows)


class ShopErrorAsMessageMixin(_AdminBase):
    """A business refusal raised while saving becomes an error on the same page; the service's
    transaction has rolled back, so nothing was saved. A refused form comes back with what the
    person typed and the refusal beside its field; a stock level that redemptions changed comes
    back with the new level as the one seen, so saving again sets the typed number knowingly."""

    def _refusal_redirect(self, request: HttpRequest, refusal: ShopError) -> HttpResponse:
        self.message_user(request, refusal.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ShopError as refusal:
            if request.method != "POST":
                return self._refusal_redirect(request, refusal)
            request._shop_refusal = refusal
            if "stock_quantity" in refusal.details and "initial-stock_quantity" in request.POST:
                request.POST = request.POST.copy()
                request.POST["initial-stock_quantity"] = str(refusal.details["stock_quantity"])
            # The same view again: the form, bound to what was posted, is now invalid with the refusal.
            return super().changeform_view(request, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal: ShopError | None = getattr(request, "_shop_refusal", None)
        if refusal is None:
            return form_class
        field = "stock_quantity" if "stock_quantity" in refusal.details else refusal.details.get("field")
        message = refusal.message

        class RefusedForm(form_class):  # type: ignore[valid-type, misc]
            def clean(self):
                cleaned = super().clean()
                self.add_error(field if field in self.fields else None, message)
                return cleaned

        return RefusedForm

    def changelist_view(self, request, *args, **kwargs):
        try:
            return super().changelist_view(request, *args, **kwargs)
        except ShopError as refusal:
            return self._refusal_redirect(request, refusal)


class ServicesOwnTheirTransactionsMixin(_AdminBase):
    """Django's admin saves and deletes inside a transaction of its own. Our services own theirs
    (durable, and run again after a deadlock), and every write this admin makes goes through a
    service, so its forms run outside the admin's transaction: a service would refuse to nest.
    The services record the audit trail too, in their own transactions."""

    audited_by_services = True

    @csrf_protect_m
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django's own view body, without the transaction its public view wraps it in (the
        # stubs do not list private methods).
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined]

    @csrf_protect_m
    def delete_view(self, request, object_id, extra_context=None):
        return self._delete_view(request, object_id, extra_context)  # type: ignore[attr-defined]

    def changelist_view(self, request, extra_context=None):
        """The list's editable columns, saved by one service call (`save_list_edits`) instead of
        Django's per-row saves inside its transaction. An invalid form goes to Django's view,
        which shows the errors."""
        if request.method == "POST" and self.list_editable and "_save" in request.POST:
            if not self.has_change_permission(request):
                raise PermissionDenied
            FormSet = self.get_changelist_formset(request)
            queryset = self._get_list_editable_queryset(request, FormSet.get_default_prefix())
            formset = FormSet(request.POST, request.FILES, queryset=queryset)
            if formset.is_valid():
                if any(form.has_changed() for form in formset.extra_forms):
                    raise BadRequest("The list edits the products it shows; it does not add any.")
                changed = [form for form in formset.initial_forms if form.has_changed()]
                if changed:
                    self.save_list_edits(request, changed)
                    for form in changed:
                        message = self.construct_change_message(request, form, [])  # type: ignore[arg-type]
                        self.log_change(request, form.instance, message)
                    count = len(changed)
                    # Django's own pattern (its "%(count)s %(name)s were changed successfully."): this
                    # mixin serves any model, so the model's translated name stands in the sentence.
                    said = ngettext("%(count)s %(name)s changed.", "%(count)s %(name)s changed.", count) % {
                        "count": number(count),
                        "name": model_ngettext(self.opts, count),
                    }
                    self.message_user(request, said, messages.SUCCESS)
                return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def save_list_edits(self, request: HttpRequest, forms: list) -> None:
        raise NotImplementedError("A ModelAdmin with list_editable saves its rows through a service.")


def related_as_text(model, field_name: str):
    """A change page's read-only relation (`fields = [..., "product_shown"]`) as its name, without
    the link Django adds to the related object's page: that page is often another role's (a
    product's is the catalog manager's), where a link would only lead to a 403."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def shown(model_admin, obj) -> str:
        related = getattr(obj, field_name)
        return str(related) if related is not None else model_admin.get_empty_value_display()

    return shown
