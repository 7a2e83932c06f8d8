"""The audit log in the admin, and the mixin every ModelAdmin gets (`ShopAdminSite.register`):
Django's add, change and delete views record what they changed, before and after, through
`audit.services`; what a custom view or action changes is recorded by the service it calls."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from awsomeshop.admin_tools import CsvExportMixin, ReadOnlyAdminMixin

from .models import AuditEntry
from .readable import action_label, change_lines, model_of
from .selectors import audit_entries_for, audit_filter_actions, audit_filter_actors, audit_filter_object_types
from .services import Change, audit_record, audit_record_many, audit_value

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object

_SECRET_FIELD_WORDS = ("password", "secret", "token")
# An object's trail and the log both show this many entries a page: a screen or two, not 11,000 px.
AUDIT_PAGE_SIZE = 50


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
        entries = Paginator(audit_entries_for(obj=obj, object_types=types), AUDIT_PAGE_SIZE)
        page = entries.get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": _("Audit trail: %(object)s") % {"object": obj},
            "page": page,
            "entries": [
                (entry, action_label(action=entry.action, object_type=entry.object_type), changes_html(entry))
                for entry in page
            ],
        }
        return TemplateResponse(request, "admin/audit/object_history.html", context)

    def log_deletions(self, request, queryset):
        if self._by_services:
            return
        action = f"{self.opts.app_label}.{self.opts.model_name}_delete"
        with transaction.atomic():
            changes = [Change(obj, before={"object": audit_value(obj)}) for obj in queryset]
            audit_record_many(action=action, changes=changes, actor_id=request.user.pk)


class ActorFilter(admin.SimpleListFilter):
    """Who made the change: the staff who appear in the log (a link may name anyone)."""

    title = gettext_lazy("who")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        return audit_filter_actors()

    def queryset(self, request, queryset):
        return queryset.filter(actor_id=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    """What was done, in words; the query string keeps the recorded action (`?action=points.award`)."""

    title = gettext_lazy("what was done")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        labelled = [(action, action_label(action=action)) for action in audit_filter_actions()]
        return sorted(labelled, key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """What kind of object was changed, by its name."""

    title = gettext_lazy("kind of object")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        named = []
        for object_type in audit_filter_object_types():
            model = model_of(object_type)
            named.append((object_type, str(model._meta.verbose_name).capitalize() if model else object_type))
        return sorted(named, key=lambda choice: choice[1])

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


def _titled(list_filter: type[admin.FieldListFilter], title: str | Promise) -> type[admin.FieldListFilter]:
    """A field's filter under a plainer title than the field's name."""

    class Titled(list_filter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


def changes_html(entry: AuditEntry) -> str:
    """An entry's changes as a short list, one "field: before → after" a line."""
    lines = change_lines(entry)
    if not lines:
        return ""
    # Its own margins: the admin's list spacing would double each row's height (admin.css is shared).
    return format_html(
        '<ul class="audit-changes">{}</ul>',
        format_html_join("", "<li>{}</li>", ((str(line),) for line in lines)),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Everything staff changed, newest first, in words: filter by who, through what, when, what
    was done or to what kind of object, or one object (the links from each object's page and
    each employee). The CSV export keeps the raw actions, ids and values."""

    list_display = ["at", "who", "through", "what_was_done", "object_link", "changes"]
    list_filter = [
        ActorFilter,
        ("source", _titled(admin.ChoicesFieldListFilter, gettext_lazy("through"))),
        ("at", _titled(admin.DateFieldListFilter, gettext_lazy("when"))),
        ActionFilter,
        ObjectTypeFilter,
    ]
    search_fields = ["actor_email", "object_repr", "object_id"]
    list_per_page = AUDIT_PAGE_SIZE
    # No date_hierarchy: it groups by day in the reader's zone in SQL, which on MySQL needs the
    # server's time-zone tables; the "at" filter's ranges are computed here and need none.
    extra_lookups = ("object_id", "employee")
    export_filename = "audit-log.csv"
    export_header = ["at", "actor", "source", "action", "object_type", "object_id", "object", "before", "after"]

    def get_list_display(self, request):
        return [self._object_link_for(request) if name == "object_link" else name for name in self.list_display]

    def get_fields(self, request, obj=None):
        return self.get_list_display(request)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def _object_link_for(self, request: HttpRequest):
        """The "to what" column, made per request: linked to the object's page when this reader
        may open it, which is a question for the request."""

        @admin.display(description=gettext_lazy("to what"), ordering="object_repr")
        def object_link(entry: AuditEntry) -> str:
            return _object_html(entry, url=_object_url(request, self.admin_site, entry))

        return object_link

    @admin.display(description=gettext_lazy("to what"), ordering="object_repr")
    def object_link(self, entry: AuditEntry) -> str:
        return _object_html(entry, url=None)

    @admin.display(description=gettext_lazy("who"), ordering="actor_email")
    def who(self, entry: AuditEntry) -> str:
        return entry.actor_email or "AWSomeShop"

    @admin.display(description=gettext_lazy("through"), ordering="source")
    def through(self, entry: AuditEntry) -> str:
        return entry.get_source_display()

    @admin.display(description=gettext_lazy("what was done"), ordering="action")
    def what_was_done(self, entry: AuditEntry) -> str:
        return action_label(action=entry.action, object_type=entry.object_type)

    @admin.display(description=gettext_lazy("before → after"))
    def changes(self, entry: AuditEntry) -> str:
        return changes_html(entry)

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


def _object_html(entry: AuditEntry, *, url: str | None) -> str:
    """The object's name (a link, given its page), over what kind of object it is."""
    model = model_of(entry.object_type)
    shown = format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr
    return format_html("{}<br><small>{}</small>", shown, model._meta.verbose_name) if model else shown


def _object_url(request: HttpRequest | None, site: admin.AdminSite, entry: AuditEntry) -> str | None:
    """The admin page of the entry's object, when it still has one this reader may open."""
    model = model_of(entry.object_type)
    if model is None or request is None or entry.action.endswith("_delete") or ":" in entry.object_id:
        return None
    return site.change_url_for(request, model, entry.object_id)


def audit_log_url(*, object_type: str | None = None, object_id: str | None = None, employee_id=None) -> str:
    """The audit log filtered to one object, or to everything about one employee."""
    url = reverse("admin:audit_auditentry_changelist")
    if employee_id is not None:
        return f"{url}?employee={employee_id}"
    return f"{url}?object_type={object_type}&object_id={object_id}"
