"""The audit log in the admin, and the mixin every ModelAdmin gets (`ShopAdminSite.register`):
Django's add, change and delete views record what they changed, before and after, through
`audit.services`; what a custom view or action changes is recorded by the service it calls."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from awsomeshop.admin_tools import CsvExportMixin, ReadOnlyAdminMixin

from .models import AuditEntry
from .selectors import audit_entries_for
from .services import Change, audit_record, audit_record_many, audit_value

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object

_SECRET_FIELD_WORDS = ("password", "secret", "token")


def _field_value(form: forms.BaseForm, name: str, value: Any) -> Any:
    """An initial value as the person saw it: the object, not its id, for choices of objects."""
    field = form.fields.get(name)
    if isinstance(field, forms.ModelMultipleChoiceField) and value is not None:
        return list(field.queryset.filter(pk__in=[getattr(item, "pk", item) for item in value]))
    if isinstance(field, forms.ModelChoiceField) and value is not None and not hasattr(value, "pk"):
        return field.queryset.filter(pk=value).first()
    return value


def form_changes(form: forms.BaseForm, formsets=()) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a saved admin form changed: the changed fields before and after, secrets as
    "changed" only, and what its inlines added, changed and deleted."""
    before, after = {}, {}
    for name in form.changed_data:
        if any(word in name for word in _SECRET_FIELD_WORDS):
            before[name], after[name] = "…", "changed"
            continue
        before[name] = audit_value(_field_value(form, name, form.initial.get(name)))
        after[name] = audit_value(form.cleaned_data.get(name))
    for formset in formsets or ():
        rows = []
        for inline_form in formset.forms:
            deleted = inline_form in getattr(formset, "deleted_forms", [])
            if not (inline_form.has_changed() or deleted):
                continue
            old, new = form_changes(inline_form) if not deleted else ({}, {})
            if deleted:
                old = {
                    name: audit_value(_field_value(inline_form, name, inline_form.initial.get(name)))
                    for name in inline_form.initial
                    if name in inline_form.fields and name != "id"
                }
            adding = inline_form.instance._state.adding or not inline_form.initial
            rows.append(
                {"change": "deleted" if deleted else "added" if adding else "changed", "before": old, "after": new}
            )
        if rows:
            after[formset.prefix] = rows
    return before, after


class AuditedAdminMixin(_AdminBase):
    """Django's admin writes a LogEntry for each add, change and delete; here each one is an
    audit entry (which writes the LogEntry too) with the values before and after. An admin whose
    saves go through services (`audited_by_services`) leaves the recording to them."""

    def construct_change_message(self, request, form, formsets, add=False):
        if not self._by_services:
            pending = request.__dict__.setdefault("_audit_forms", {})
            # Model forms change their instance; the password form, its user.
            changed = getattr(form, "instance", None) or getattr(form, "user", None)
            pending[id(changed)] = form_changes(form, formsets)
        return super().construct_change_message(request, form, formsets, add)

    @property
    def _by_services(self) -> bool:
        # Read from the admin class itself: this mixin comes first in the MRO.
        return getattr(self, "audited_by_services", False)

    def _audit(self, request: HttpRequest, obj, verb: str) -> None:
        if self._by_services:
            return
        before, after = request.__dict__.get("_audit_forms", {}).pop(id(obj), (None, None))
        action = f"{self.opts.app_label}.{self.opts.model_name}_{verb}"
        with transaction.atomic():  # joins the admin's own transaction when there is one
            audit_record(action=action, target=obj, before=before, after=after, actor_id=request.user.pk)

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "add")

    def log_change(self, request, obj, message):
        self._audit(request, obj, "change")

    def log_deletion(self, request, obj, object_repr):
        self._audit(request, obj, "delete")

    def history_view(self, request, object_id, extra_context=None):
        """The object's audit trail, before and after, instead of Django's bare log; for anyone
        who may see the object."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        concrete = self.opts.concrete_model._meta
        types = [f"{self.opts.app_label}.{self.opts.model_name}", f"{concrete.app_label}.{concrete.model_name}"]
        entries = audit_entries_for(obj=obj, object_types=types)[:500]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": f"Audit trail: {obj}",
            "entries": [(entry, _changes_text(entry.before, entry.after)) for entry in entries],
        }
        return TemplateResponse(request, "admin/audit/object_history.html", context)

    def log_deletions(self, request, queryset):
        if self._by_services:
            return
        action = f"{self.opts.app_label}.{self.opts.model_name}_delete"
        with transaction.atomic():
            changes = [Change(obj, before={"object": audit_value(obj)}) for obj in queryset]
            audit_record_many(action=action, changes=changes, actor_id=request.user.pk)


@admin.register(AuditEntry)
class AuditEntryAdmin(CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Everything staff changed, newest first: filter by who, what kind of change, what kind of
    object, or one object (the links from each object's page and each employee)."""

    list_display = ["at", "actor_email", "source", "action", "object_link", "changes"]
    list_filter = ["action", "object_type", "source", "at"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    list_per_page = 100
    # No date_hierarchy: it groups by day in the reader's zone in SQL, which on MySQL needs the
    # server's time-zone tables; the "at" filter's ranges are computed here and need none.
    extra_lookups = ("object_id", "employee", "actor")
    fields = ["at", "actor_email", "source", "action", "object_type", "object_id", "object_repr", "before", "after"]
    readonly_fields = fields
    export_filename = "audit-log.csv"
    export_header = ["at", "actor", "source", "action", "object_type", "object_id", "object", "before", "after"]

    @admin.display(description="what", ordering="object_repr")
    def object_link(self, entry: AuditEntry):
        return format_html("{}<br><small>{}</small>", entry.object_repr, entry.object_type)

    @admin.display(description="before → after")
    def changes(self, entry: AuditEntry) -> str:
        return _changes_text(entry.before, entry.after)

    def export_row(self, entry: AuditEntry) -> list[object]:
        import json

        return [
            entry.at.isoformat(),
            entry.actor_email,
            entry.source,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            json.dumps(entry.before, ensure_ascii=False) if entry.before is not None else "",
            json.dumps(entry.after, ensure_ascii=False) if entry.after is not None else "",
        ]


def _changes_text(before: Any, after: Any) -> str:
    if isinstance(after, dict):
        old = before if isinstance(before, dict) else {}
        parts = []
        for field, value in after.items():
            if value in ("", None, [], {}) and field not in old:
                continue  # an empty note says nothing
            parts.append(f"{field}: {old[field]} → {value}" if field in old else f"{field}: {value}")
        return "; ".join(parts)[:500]
    if after is None and isinstance(before, dict):
        return "removed: " + "; ".join(f"{k}: {v}" for k, v in before.items())[:500]
    return "" if after is None else str(after)[:500]


def audit_log_url(*, object_type: str | None = None, object_id: str | None = None, employee_id=None) -> str:
    """The audit log filtered to one object, or to everything about one employee."""
    url = reverse("admin:audit_auditentry_changelist")
    if employee_id is not None:
        return f"{url}?employee={employee_id}"
    return f"{url}?object_type={object_type}&object_id={object_id}"
