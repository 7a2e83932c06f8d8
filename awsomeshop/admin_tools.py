"""Admin plumbing shared by the apps: read-only histories, CSV export of the filtered list,
and business refusals shown as admin messages."""

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path

from awsomeshop.csv_export import csv_response
from awsomeshop.exceptions import ShopError


class ReadOnlyAdminMixin:
    """History (ledger rows, orders) is viewed and exported, never edited or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CsvExportMixin:
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

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)
        rows = (self.export_row(obj) for obj in queryset.iterator(chunk_size=2000))
        return csv_response(filename=self.export_filename, header=self.export_header, rows=rows)


class ShopErrorAsMessageMixin:
    """A business refusal raised while saving becomes an error message on the same page;
    the admin's transaction has rolled back, so nothing was saved."""

    def _refusal_redirect(self, request: HttpRequest, refusal: ShopError) -> HttpResponse:
        self.message_user(request, refusal.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ShopError as refusal:
            return self._refusal_redirect(request, refusal)

    def changelist_view(self, request, *args, **kwargs):
        try:
            return super().changelist_view(request, *args, **kwargs)
        except ShopError as refusal:
            return self._refusal_redirect(request, refusal)
