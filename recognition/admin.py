"""HR's side of recognition: the company values, the giving allowances, and moderation. Every
write goes through `recognition.services`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awsomeshop.admin_tools import (
    ReadOnlyAdminMixin,
    ServicesOwnTheirTransactionsMixin,
    ShopErrorAsMessageMixin,
    related_as_text,
)
from awsomeshop.exceptions import ShopError
from awsomeshop.text import moment, number

from .models import AllowanceOverride, AllowancePolicy, CompanyValue, MilestoneDates, MilestoneRule, Recognition
from .selectors import recognition_reversible_now
from .services import (
    HIDE_REASON_MAX_LENGTH,
    allowance_override_delete,
    allowance_override_save,
    allowance_policy_save,
    company_value_save,
    milestone_dates_import,
    milestone_dates_save,
    milestone_rule_save,
    recognition_hide,
)


@admin.register(CompanyValue)
class CompanyValueAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    list_display = ["name", "description", "is_active", "position"]
    list_filter = ["is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # recognitions keep their value: unset "active" instead

    def save_model(self, request, obj: CompanyValue, form, change: bool) -> None:
        data = form.cleaned_data
        saved = company_value_save(
            value_id=obj.pk if change else None,
            name=data["name"],
            description=data.get("description", ""),
            is_active=data.get("is_active", True),
            position=data.get("position", 0),
        )
        obj.__dict__.update(saved.__dict__)


def _policy_defaults() -> dict[str, int]:
    policy = AllowancePolicy()
    return {"monthly_points": policy.monthly_points, "most_per_receiver": policy.most_per_receiver}


@admin.register(AllowancePolicy)
class AllowancePolicyAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """One row: the list opens it."""

    list_display = ["__str__", "most_per_receiver", "updated_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if request.GET:  # the list itself, which answers a lookup that is not its own as every list does
            return super().changelist_view(request, extra_context)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if not AllowancePolicy.objects.filter(pk=1).exists():
            allowance_policy_save(**_policy_defaults())
        return HttpResponseRedirect(reverse("admin:recognition_allowancepolicy_change", args=[1]))

    def save_model(self, request, obj: AllowancePolicy, form, change: bool) -> None:
        saved = allowance_policy_save(
            monthly_points=form.cleaned_data["monthly_points"],
            most_per_receiver=form.cleaned_data["most_per_receiver"],
        )
        obj.__dict__.update(saved.__dict__)


@admin.register(AllowanceOverride)
class AllowanceOverrideAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    list_display = ["user", "monthly_points", "note"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]

    def save_model(self, request, obj: AllowanceOverride, form, change: bool) -> None:
        saved = allowance_override_save(
            user_id=form.cleaned_data["user"].pk if not change else obj.user_id,
            monthly_points=form.cleaned_data["monthly_points"],
            note=form.cleaned_data.get("note", ""),
        )
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj: AllowanceOverride) -> None:
        allowance_override_delete(user_id=obj.user_id)

    def delete_queryset(self, request, queryset) -> None:
        for user_id in queryset.values_list("user_id", flat=True):
            allowance_override_delete(user_id=user_id)

    user_shown = related_as_text(AllowanceOverride, "user")

    def get_fields(self, request, obj=None):
        return ["user_shown" if obj else "user", "monthly_points", "note"]

    def get_readonly_fields(self, request, obj=None):
        return ["user_shown"] if obj else []


class HiddenFilter(admin.SimpleListFilter):
    title = gettext_lazy("shown")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("no", _("In the feed")), ("yes", _("Hidden by HR"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(hidden_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(hidden_at__isnull=False)
        return queryset


class HideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=HIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The giver and the receivers see it."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("Take back the points it gave that have not been spent"))


@admin.register(Recognition)
class RecognitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "giver", "receiver_list", "value", "points", "is_public", "shown"]
    list_filter = ["value", HiddenFilter, "is_public"]
    search_fields = ["message", "giver__email", "receiver_rows__user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["giver", "value"]
    fields = ["giver_shown", "receiver_list", "value", "message", "is_public", "points", "created_at", "moderation"]
    readonly_fields = fields
    giver_shown = related_as_text(Recognition, "giver")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(points_total=Sum("gives__total"))
            .prefetch_related("receiver_rows__user")
        )

    @admin.display(description=gettext_lazy("receivers"))
    def receiver_list(self, obj: Recognition) -> str:
        return ", ".join(row.user.email for row in obj.receiver_rows.all())

    @admin.display(description=gettext_lazy("points"), ordering="points_total")
    def points(self, obj: Recognition) -> str:
        return number(getattr(obj, "points_total", 0) or 0)

    @admin.display(description=gettext_lazy("shown"), boolean=True)
    def shown(self, obj: Recognition) -> bool:
        return not obj.is_hidden

    @admin.display(description=gettext_lazy("moderation"))
    def moderation(self, obj: Recognition) -> str:
        if obj.is_hidden:
            # Plain text: the admin escapes a read-only field's value.
            return _("Hidden on %(at)s by %(who)s: “%(reason)s”") % {
                "at": moment(obj.hidden_at),
                "who": obj.hidden_by,
                "reason": obj.hidden_reason,
            }
        link = reverse("admin:recognition_recognition_hide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', link, _("Hide and take back its points…"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/hide/", wrap(self.hide_view), name="recognition_recognition_hide"),
            *super().get_urls(),
        ]

    def hide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Take a recognition down with a reason: its unspent points go back through the ledger, once."""
        if not request.user.has_perm("recognition.moderate_recognition"):
            raise PermissionDenied
        recognition = get_object_or_404(Recognition.objects.select_related("giver", "value"), pk=object_id[:36])
        form = HideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = recognition_hide(
                    recognition_id=recognition.pk, reason=form.cleaned_data["reason"], hidden_by_id=request.user.pk
                )
            except ShopError as refusal:
                form.add_error("reason", refusal.message)
            else:
                if outcome.replayed and outcome.taken_back:
                    taken = ngettext(
                        "It was hidden already; %(count)s point was taken back now.",
                        "It was hidden already; %(count)s points were taken back now.",
                        outcome.taken_back,
                    )
                    self.message_user(request, taken % {"count": number(outcome.taken_back)}, messages.SUCCESS)
                elif outcome.replayed:
                    self.message_user(
                        request, _("It was hidden already; nothing more was taken back."), messages.WARNING
                    )
                else:
                    hidden = _hidden_text(outcome.taken_back, outcome.already_spent)
                    self.message_user(request, hidden, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recognition_recognition_change", args=[recognition.pk]))
        receivers = format_html_join(", ", "{}", ((row.user.email,) for row in recognition.receiver_rows.all()))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Hide a recognition"),
            "recognition": recognition,
            "receivers": receivers,
            "form": form,
            "reversible_now": recognition_reversible_now(recognition=recognition) if recognition.is_hidden else 0,
        }
        return TemplateResponse(request, "admin/recognition/hide.html", context)


def _hidden_text(taken_back: int, already_spent: int) -> str:
    """What hiding did: the points taken back and, when some had been spent, how many (a sentence
    of its own, its own plural)."""
    taken = ngettext(
        "Hidden. %(count)s point was taken back.", "Hidden. %(count)s points were taken back.", taken_back
    ) % {"count": number(taken_back)}
    if not already_spent:
        return taken
    spent = ngettext("%(count)s had been spent already.", "%(count)s had been spent already.", already_spent) % {
        "count": number(already_spent)
    }
    return f"{taken} {spent}"


class MilestoneDatesForm(forms.ModelForm):
    class Meta:
        model = MilestoneDates
        fields = ["user", "hired_on", "birthday"]


class DatesImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV: e-mail, hire date, birthday (dates like 2021-04-01; the birthday may be empty)."),
    )


@admin.register(MilestoneDates)
class MilestoneDatesAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """HR records hire dates and birthdays; whether a birthday is celebrated is the employee's own
    choice (on their own page under Recognition), shown here and never set here."""

    form = MilestoneDatesForm
    list_display = ["user", "hired_on", "birthday_recorded", "birthday_shared"]
    list_filter = ["birthday_shared"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    change_list_template = "admin/recognition/milestonedates/change_list.html"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    user_shown = related_as_text(MilestoneDates, "user")

    def get_readonly_fields(self, request, obj=None):
        return ["user_shown", "birthday_shared"] if obj else ["birthday_shared"]

    def get_fields(self, request, obj=None):
        return ["user_shown" if obj else "user", "hired_on", "birthday", "birthday_shared"]

    @admin.display(description=gettext_lazy("birthday recorded"), boolean=True)
    def birthday_recorded(self, obj: MilestoneDates) -> bool:
        return obj.birthday is not None

    def save_model(self, request, obj: MilestoneDates, form, change: bool) -> None:
        saved = milestone_dates_save(
            user_id=obj.user_id if change else form.cleaned_data["user"].pk,
            hired_on=form.cleaned_data.get("hired_on"),
            birthday=form.cleaned_data.get("birthday"),
        )
        obj.__dict__.update(saved.__dict__)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("import/", wrap(self.import_view), name="recognition_milestonedates_import"), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request) or not self.has_add_permission(request):
            raise PermissionDenied
        form = DatesImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = milestone_dates_import(upload=form.cleaned_data["file"])
            except ShopError as refusal:
                form.add_error("file", refusal.message)
            else:
                saved = ngettext(
                    "Saved the dates of %(count)s employee (%(changed)s changed).",
                    "Saved the dates of %(count)s employees (%(changed)s changed).",
                    report.saved,
                ) % {"count": number(report.saved), "changed": number(report.changed)}
                self.message_user(request, saved, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:recognition_milestonedates_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import hire dates and birthdays"),
            "form": form,
        }
        return TemplateResponse(request, "admin/recognition/milestonedates/import.html", context)


class MilestoneRuleForm(forms.ModelForm):
    class Meta:
        model = MilestoneRule
        fields = ["kind", "years", "points", "is_active"]


@admin.register(MilestoneRule)
class MilestoneRuleAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    form = MilestoneRuleForm
    list_display = ["__str__", "kind", "years", "points", "is_active"]
    list_filter = ["kind", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # unset "active" instead: awarded milestones keep their rule's meaning

    def save_model(self, request, obj: MilestoneRule, form, change: bool) -> None:
        data = form.cleaned_data
        saved = milestone_rule_save(
            rule_id=obj.pk if change else None,
            kind=data["kind"],
            years=data.get("years"),
            points=data["points"],
            is_active=data.get("is_active", True),
        )
        obj.__dict__.update(saved.__dict__)
