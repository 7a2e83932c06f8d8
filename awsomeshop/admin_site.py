"""The admin site: Django's, except that no change list answers a lookup it does not offer, and
no form saved twice at once, nor an action posted with ids that are not ids, answers with a 500.

Django's ModelAdmin accepts any lookup on a model's own fields in the query string, so
`?password__startswith=pbkdf2` on the employee list answered "1 employee" or "0 employees", one
character of a hash at a time. Every ModelAdmin registered here (ours and the libraries') takes
only its own list filters, date hierarchy and search; anything else is a 400.
"""

import logging
import random
import time
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError
from django.db.models.constants import LOOKUP_SEP
from django.forms.utils import pretty_name
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from awsomeshop.db import in_a_transaction, is_retryable

logger = logging.getLogger(__name__)

# What Django's own list filters and date drill-down add to a field's name in the query string.
# `isempty`: Django's EmptyFieldListFilter ("order" on the voucher codes).
FILTER_SUFFIXES = frozenset({"exact", "iexact", "isnull", "isempty", "gte", "gt", "lte", "lt", "in", "id", "pk"})
# The date drill-down's, on its own field only (`?at__year=0` elsewhere was a 500, not a filter).
DATE_PART_SUFFIXES = frozenset({"year", "month", "day"})


if TYPE_CHECKING:
    from django.contrib.admin.models import LogEntry

if TYPE_CHECKING:  # mixed into ModelAdmins only
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class FilterLookupsOnlyMixin(_AdminBase):
    """Query-string lookups limited to the change list's own filters, plus the names a ModelAdmin
    lists in `extra_lookups` (for links into a filtered list)."""

    def _offered_lookups(self, request) -> set[str]:
        offered = set(getattr(self, "extra_lookups", ()))
        if self.date_hierarchy:
            offered.add(self.date_hierarchy)
        for item in self.get_list_filter(request) if request is not None else self.list_filter:
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered.add(item.parameter_name)
            elif isinstance(item, list | tuple):
                offered.add(item[0])
            else:
                offered.add(item)
        return offered

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:
        offered = self._offered_lookups(request)
        parts = lookup.split(LOOKUP_SEP)

        def suffixes(field: str) -> frozenset[str]:
            return FILTER_SUFFIXES | DATE_PART_SUFFIXES if field == self.date_hierarchy else FILTER_SUFFIXES

        return any(
            LOOKUP_SEP.join(parts[:end]) in offered and set(parts[end:]) <= suffixes(LOOKUP_SEP.join(parts[:end]))
            for end in range(len(parts), 0, -1)
        )


def _is_duplicate_key(error: IntegrityError) -> bool:
    """A unique key refused the row: MySQL's 1062, SQLite's "UNIQUE constraint failed"."""
    return (bool(error.args) and error.args[0] == 1062) or "UNIQUE constraint failed" in str(error)


class ConcurrentSaveMixin(_AdminBase):
    """A form saved twice at the same moment (a double click, a retry): both pass the form's own
    uniqueness check, and the database's unique key refuses the second insert, or MySQL aborts one
    of the waiting inserts as a deadlock victim (two saves waiting on a third's row that rolls
    back). Either way the admin's transaction rolled back and nothing of it was saved, so the save
    is run again: its form, now seeing the other one's row, answers as any duplicate would (the
    normal page with the field's error), never a 500."""

    SAVE_ATTEMPTS = 3

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # MySQL rolls back the whole transaction of a deadlock victim: inside a caller's
        # transaction that one is gone too, and only its owner could run it again.
        outermost = not in_a_transaction()
        for attempt in range(1, self.SAVE_ATTEMPTS + 1):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except (IntegrityError, OperationalError) as error:
                if request.method != "POST" or not _lost_a_race(error, outermost=outermost):
                    raise  # any other refusal (a foreign key, a CHECK) is a bug to see, not a race
                logger.warning("%s: a concurrent save (%s); running the form again", request.path, error.args[0])
                if attempt < self.SAVE_ATTEMPTS:
                    time.sleep(random.uniform(0.005, 0.02) * attempt)  # noqa: S311 - jitter, not security
        self.message_user(
            request,
            gettext(
                "This was changed by someone else at the same moment, so nothing was saved. Check it and save again."
            ),
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())


def _lost_a_race(error: IntegrityError | OperationalError, *, outermost: bool) -> bool:
    if isinstance(error, OperationalError):
        return outermost and is_retryable(error)
    return _is_duplicate_key(error)


class SelectedIdsOnlyMixin(_AdminBase):
    """An action runs on the ticked rows' ids, and only ids of this model reach it: anything else
    posted as `_selected_action` (`abc`, a NUL, a number past the column's range) is dropped
    before Django filters `pk__in` with it, which answered 500. With nothing left, it says that
    items must be selected and changes nothing, "select all" or not."""

    def response_action(self, request, queryset):
        posted = request.POST.getlist(ACTION_CHECKBOX_NAME)
        ids = [v for v in posted if self._is_an_id(v)]
        if posted and not ids:
            # Not even with "select all": Django would run it on every row of the list.
            # Django's own words (and their translations) for an action with nothing selected.
            message = gettext("Items must be selected in order to perform actions on them. No items have been changed.")
            self.message_user(request, message, messages.WARNING)
            return None
        post = request.POST.copy()
        post.setlist(ACTION_CHECKBOX_NAME, ids)
        request.POST = post
        return super().response_action(request, queryset)

    def _is_an_id(self, value: str) -> bool:
        pk = self.model._meta.pk
        if "\x00" in value:
            return False
        try:
            pk.run_validators(pk.to_python(value))
        except ValidationError:
            return False
        return True


def _label_by_row(form, row: str) -> None:
    """Name each visible input of a form shown as a table row for its column and its row."""
    for name, field in form.fields.items():
        if not field.widget.is_hidden:
            label = capfirst(field.label or pretty_name(name))
            # A foreign key's select sits inside the admin's wrapper (its add and change links).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", f"{label}, {row}")


class LabelledTableRowsMixin(_AdminBase):
    """The inputs of a change list's editable cells and of a tabular inline's rows are named for
    who cannot see the column's header above them: "Stock quantity, Mug". A header names no
    input, so each one was unlabelled (axe's label rule, 68 on the product list)."""

    def get_changelist_form(self, request, **kwargs):
        form_class = super().get_changelist_form(request, **kwargs)

        class LabelledForm(form_class):  # type: ignore[valid-type, misc]
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                _label_by_row(self, str(self.instance))

        return LabelledForm

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        for formset, inline in zip(formsets, inline_instances, strict=True):
            if isinstance(inline, admin.TabularInline):
                name = capfirst(inline.model._meta.verbose_name)
                for number, form in enumerate(formset.forms, start=1):
                    _label_by_row(form, f"{name} {number}")
        return super().get_inline_formsets(request, formsets, inline_instances, obj)


class ShopAdminSite(admin.AdminSite):
    """Django's admin site, with two hooks the apps use instead of this module importing them:
    `model_admin_mixins` (what every ModelAdmin gets) and `register_page` (a page of the site's
    own, like the programme dashboard)."""

    site_header = gettext_lazy("AWSomeShop administration")
    site_title = gettext_lazy("AWSomeShop admin")
    # The lists need the width (every column visible at 1280 px); the breadcrumbs and the index
    # lead everywhere the sidebar did.
    enable_nav_sidebar = False
    # One mark for "nothing here" on every page (Django's is "-", which sat beside our "—").
    empty_value_display = "—"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[tuple[str, object, str]] = []

    def login(self, request, extra_context=None):
        # The portal's words, "Sign in" (Django's title says "Log in"); the form says so too
        # (templates/admin/login.html).
        return super().login(request, {"title": gettext("Sign in"), **(extra_context or {})})

    def change_url_for(self, request, model, object_id: str) -> str | None:
        """The page of one object that this reader may open: its model's own, else another page of
        the same rows the reader's role has (an order is a fulfilment order to fulfilment staff),
        else None. A link to a page of another role would only lead to a 403."""
        concrete = model._meta.concrete_model
        admins = sorted(
            (m for m in self._registry.values() if m.model._meta.concrete_model is concrete),
            key=lambda m: m.model is not model,  # the model's own page first
        )
        for model_admin in admins:
            if model_admin.has_view_or_change_permission(request):
                opts = model_admin.model._meta
                try:
                    return reverse(f"{self.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(object_id)])
                except NoReverseMatch:
                    continue
        return None

    def index(self, request, extra_context=None):
        return super().index(request, {"recent_actions": self._recent_actions(request), **(extra_context or {})})

    def _recent_actions(self, request) -> list[tuple["LogEntry", str | None]]:
        """The reader's last ten actions, each linked to a page they may open (Django links each to
        its model's page, which may be another role's)."""
        from django.contrib.admin.models import LogEntry

        entries = LogEntry.objects.filter(user_id=request.user.pk).select_related("content_type")[:10]
        return [(entry, self._entry_url(request, entry)) for entry in entries]

    def _entry_url(self, request, entry: "LogEntry") -> str | None:
        content_type = entry.content_type
        model = content_type.model_class() if content_type is not None else None  # type: ignore[attr-defined]
        if entry.is_deletion() or model is None:
            return None
        return self.change_url_for(request, model, entry.object_id)

    def model_admin_mixins(self) -> tuple[type, ...]:
        """What every ModelAdmin registered here is given, ours and the libraries'."""
        return (ConcurrentSaveMixin, FilterLookupsOnlyMixin, SelectedIdsOnlyMixin, LabelledTableRowsMixin)

    def register_page(self, route: str, view, *, name: str) -> None:
        """A page of the site (`view(request, site)`), behind the admin's sign-in like the rest."""
        self._pages.append((route, view, name))

    def get_urls(self):
        from django.urls import path

        def page(view):
            return self.admin_view(lambda request: view(request, self))

        pages = [path(route, page(view), name=name) for route, view, name in self._pages]
        return [*pages, *super().get_urls()]

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(m for m in self.model_admin_mixins() if not issubclass(admin_class, m))
        if missing:
            admin_class = type(admin_class.__name__, (*missing, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
