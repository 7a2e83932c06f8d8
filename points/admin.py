from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.selectors import users_with_permission
from accounts.services import employee_create
from audit.admin import form_changes
from awsomeshop.admin_tools import (
    CsvExportMixin,
    ReadOnlyAdminMixin,
    ServicesOwnTheirTransactionsMixin,
    ShopErrorAsMessageMixin,
    related_as_text,
)
from awsomeshop.db import new_id
from awsomeshop.exceptions import ShopError
from awsomeshop.text import day, moment, number

from .budgets import BudgetChanges, LimitEdit, budget_save, budgets_delete
from .csv_awards import award_file_read
from .expiry import expiry_rule
from .forms import AwardFileForm, AwardForm, BudgetForm, BudgetLimitForm, EmployeeForm, RejectionForm, ReversalForm
from .models import AwardBatch, Employee, PointsBudget, PointsBudgetLimit, PointsTransaction
from .selectors import (
    award_batch_same_recent,
    award_repeats_recent,
    award_request_recipients,
    award_requests_waiting_besides,
    budget_standings_today,
    budget_used,
    points_lot_list,
    reversal_state,
    user_points_balances,
)
from .services import (
    Award,
    AwardOutcome,
    award_fingerprint,
    award_request_approve,
    award_request_reject,
    points_award_batch,
    points_reverse,
)

AWARD_FILE_SIGNING_SALT = "points.award-file"
AWARD_FILE_MAX_AGE = 3600  # seconds a preview may wait for its confirmation


def _balance(employee: Employee, field: str) -> int:
    # No balance row yet means nothing earned yet (the reverse one-to-one raises AttributeError).
    return getattr(getattr(employee, "points", None), field, 0)


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    """HR's view of employees and their balances, with the award screens. Awards go through
    points.services; nothing here writes a balance or a ledger row itself."""

    list_display = ["email", "full_name", "current_points", "total_earned", "total_redeemed", "award_link"]
    search_fields = ["email", "first_name", "last_name", "id"]
    list_filter = ["is_active"]
    list_per_page = 100
    actions = ["award_selected"]
    fields = [
        "id",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "current_points",
        "total_earned",
        "total_redeemed",
        "points_behind_the_balance",
    ]
    readonly_fields = fields
    change_list_template = "admin/points/employee/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employee]:
        return super().get_queryset(request).select_related("points")

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("points.add_employee")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Add an employee (with Cognito, also in the user pool), so HR can award points before
        their first sign-in."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = EmployeeForm(request.POST or None)
        if form.is_valid():
            try:
                employee = employee_create(**form.cleaned_data)
            except ShopError as refusal:
                form.add_error(None, refusal.message)
            else:
                added = (
                    _("Added %(email)s. Cognito has e-mailed them a temporary password.")
                    if settings.AUTH_BACKEND == "cognito"
                    else _("Added %(email)s.")
                )
                self.message_user(request, added % {"email": employee.email}, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:points_employee_changelist"))
        return self._page(request, "add.html", title=_("Add an employee"), form=form)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_award_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("points.award_points")

    @admin.display(description=gettext_lazy("points behind the balance"))
    def points_behind_the_balance(self, employee: Employee) -> str:
        """The open lots, in the order they are spent, with when each expires: what HR needs to
        answer "why did my points expire?" (the ledger row of each expiry names its lot)."""
        rule = expiry_rule()
        lots = points_lot_list(user_id=employee.pk)
        if not lots:
            return _("None: the balance is 0.")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td class='numeric'>{}</td><td>{}</td></tr>",
            (
                (
                    day(timezone.localtime(lot.credited_at).date()),
                    lot.credit.description or lot.credit.get_transaction_type_display(),
                    _("%(left)s of %(points)s") % {"left": number(lot.remaining), "points": number(lot.points)},
                    day(rule.expires_on(lot.credited_at)) if rule else _("never"),
                )
                for lot in lots
            ),
        )
        return format_html(
            "<table><thead><tr><th scope='col'>{}</th><th scope='col'>{}</th><th scope='col'>{}</th>"
            "<th scope='col'>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Earned"),
            _("For"),
            _("Left"),
            _("Expires"),
            rows,
        )

    @admin.display(description=gettext_lazy("name"), ordering="last_name")
    def full_name(self, employee: Employee) -> str:
        return employee.get_full_name()

    @admin.display(description=gettext_lazy("current points"), ordering="points__current_points")
    def current_points(self, employee: Employee) -> str:
        return number(_balance(employee, "current_points"))

    @admin.display(description=gettext_lazy("total earned"), ordering="points__total_earned")
    def total_earned(self, employee: Employee) -> str:
        return number(_balance(employee, "total_earned"))

    @admin.display(description=gettext_lazy("total redeemed"), ordering="points__total_redeemed")
    def total_redeemed(self, employee: Employee) -> str:
        return number(_balance(employee, "total_redeemed"))

    @admin.display(description="")
    def award_link(self, employee: Employee) -> str:
        ledger = reverse("admin:points_pointstransaction_changelist") + f"?user={employee.pk}"
        award = reverse("admin:points_employee_award", args=[employee.pk])
        return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', award, _("Award points"), ledger, _("Ledger"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/award/", wrap(self.award_view), name="points_employee_award"),
            path("award-file/", wrap(self.award_file_view), name="points_employee_award_file"),
            path("award-file/<str:batch_id>/", wrap(self.award_file_result_view), name="points_employee_award_result"),
            *super().get_urls(),
        ]

    def _require_award_permission(self, request: HttpRequest) -> None:
        if not self.has_award_permission(request):
            raise PermissionDenied

    def _page(self, request: HttpRequest, template: str, **context) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.opts, **context}
        return TemplateResponse(request, f"admin/points/employee/{template}", context)

    def award_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Award points to one employee."""
        self._require_award_permission(request)
        employee = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = AwardForm(request.POST or None)
        repeats = self._repeats_to_confirm(request, [employee], form)
        if repeats:
            form = form.asking_to_repeat()
        elif form.is_valid() and self._award(request, [employee], form):
            return HttpResponseRedirect(reverse("admin:points_employee_changelist"))
        title = _("Award points to %(employee)s") % {"employee": employee}
        return self._page(request, "award.html", title=title, form=form, employees=[employee], repeats=repeats)

    @admin.action(description=gettext_lazy("Award points to selected employees…"), permissions=["award"])
    def award_selected(self, request: HttpRequest, queryset: QuerySet[Employee]) -> HttpResponse | None:
        """Award the same amount, with one reason, to every selected employee."""
        form = AwardForm(request.POST if "apply" in request.POST else None)
        employees = list(queryset)
        repeats = self._repeats_to_confirm(request, employees, form)
        if repeats:
            form = form.asking_to_repeat()
        elif form.is_valid() and self._award(request, employees, form):
            return None
        title = ngettext(
            "Award points to %(count)s employee", "Award points to %(count)s employees", len(employees)
        ) % {"count": number(len(employees))}
        return self._page(
            request, "award.html", title=title, form=form, employees=employees, action="award_selected", repeats=repeats
        )

    def _repeats_to_confirm(self, request: HttpRequest, employees: list[Employee], form: AwardForm) -> list:
        """The same awards this HR user gave these employees lately, unless the form already
        says to award again (or is not valid: its errors come first)."""
        if not form.is_valid() or form.cleaned_data["repeat"]:
            return []
        return award_repeats_recent(
            awarded_by_id=request.user.pk,
            user_ids=[employee.pk for employee in employees],
            amount=form.cleaned_data["amount"],
            batch_id=str(form.cleaned_data["key"]),
        )

    def _award(self, request: HttpRequest, employees: list[Employee], form: AwardForm) -> bool:
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        try:
            outcome = points_award_batch(
                awards=[Award(employee.pk, amount, reason) for employee in employees],
                awarded_by_id=request.user.pk,
                source=AwardBatch.Source.FORM,
                batch_id=str(form.cleaned_data["key"]),
            )
        except ShopError as refusal:
            self.message_user(request, _nothing_awarded(refusal), messages.ERROR)
            return False
        if outcome.replayed:
            self.message_user(request, _replayed_message(outcome, from_file=False), messages.WARNING)
            return True
        if outcome.batch.status == AwardBatch.Status.PENDING:
            self.message_user(request, _waiting_message(outcome.batch), messages.WARNING)
            return True
        self.message_user(request, _awarded_message(employees, amount, reason), messages.SUCCESS)
        return True

    def award_file_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV, preview every line, and apply the valid ones on confirmation."""
        self._require_award_permission(request)
        title = _("Award points from a CSV file")
        if "confirm" in request.POST:
            return self._award_file_confirm(request)
        form = AwardFileForm(request.POST or None, request.FILES or None)
        if not form.is_valid():
            return self._page(request, "award_file.html", title=title, form=form)
        try:
            preview = award_file_read(form.cleaned_data["file"], awarded_by_id=request.user.pk)
        except ShopError as refusal:
            form.add_error("file", refusal.message)
            return self._page(request, "award_file.html", title=title, form=form)
        # The batch id is made now and signed with the lines: confirming twice applies it once.
        payload = signing.dumps(
            {"batch": new_id(), "awards": [[a.user_id, a.amount, a.reason] for a in preview.awards()]},
            salt=AWARD_FILE_SIGNING_SALT,
            compress=True,
        )
        same = award_batch_same_recent(fingerprint=award_fingerprint(preview.awards())) if preview.valid else None
        return self._page(
            request,
            "award_file.html",
            title=title,
            form=AwardFileForm(),
            preview=preview,
            payload=payload,
            same_batch=same,
        )

    def _award_file_confirm(self, request: HttpRequest) -> HttpResponse:
        try:
            confirmed = signing.loads(
                request.POST.get("payload", ""), salt=AWARD_FILE_SIGNING_SALT, max_age=AWARD_FILE_MAX_AGE
            )
        except signing.BadSignature:
            confirmed = None
        if not isinstance(confirmed, dict):  # tampered, expired, or signed by an older release
            self.message_user(request, _("That preview has expired; upload the file again."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:points_employee_award_file"))
        try:
            outcome = points_award_batch(
                awards=[Award(*row) for row in confirmed["awards"]],
                awarded_by_id=request.user.pk,
                source=AwardBatch.Source.FILE,
                batch_id=confirmed["batch"],
            )
        except ShopError as refusal:
            self.message_user(request, _nothing_awarded(refusal), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:points_employee_award_file"))
        batch = outcome.batch
        if outcome.replayed:
            self.message_user(request, _replayed_message(outcome, from_file=True), messages.WARNING)
        elif batch.status == AwardBatch.Status.PENDING:
            self.message_user(request, _waiting_message(batch), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:points_awardbatch_change", args=[batch.pk]))
        else:
            awarded = ngettext(
                "Awarded %(points)s points in %(count)s award.",
                "Awarded %(points)s points in %(count)s awards.",
                batch.award_count,
            ) % {"points": number(batch.points_total), "count": number(batch.award_count)}
            self.message_user(request, awarded, messages.SUCCESS)
        # POST/redirect/GET: reloading the result page shows it again and pays nothing.
        return HttpResponseRedirect(reverse("admin:points_employee_award_result", args=[outcome.batch.pk]))

    def award_file_result_view(self, request: HttpRequest, batch_id: str) -> HttpResponse:
        """The ledger rows an applied file made."""
        self._require_award_permission(request)
        batch = get_object_or_404(AwardBatch.objects.select_related("awarded_by"), pk=batch_id)
        rows = batch.transactions.select_related("user").order_by("user__email")
        context = {"transactions": rows, "total": batch.points_total, "batch": batch}
        return self._page(request, "award_result.html", title=_("Points awarded"), **context)


def _nothing_awarded(refusal: ShopError) -> str:
    return _("Nothing was awarded: %(reason)s") % {"reason": refusal.message}


def _awarded_message(employees: list[Employee], amount: int, reason: str) -> str:
    """Who got the points: the first three by name, then how many more."""
    values = {
        "points": number(amount),
        "names": ", ".join(str(e) for e in employees[:3]),
        "more": number(len(employees) - 3),
        "reason": reason,
    }
    if len(employees) > 3:
        return _("Awarded %(points)s points to %(names)s and %(more)s more for “%(reason)s”.") % values
    return _("Awarded %(points)s points to %(names)s for “%(reason)s”.") % values


def _replayed_message(outcome: AwardOutcome, *, from_file: bool) -> str:
    """What a second submit of the same awards did (nothing), a whole sentence for each case."""
    values = {"when": moment(outcome.batch.created_at), "email": outcome.batch.awarded_by.email}
    status = outcome.batch.status
    if status == AwardBatch.Status.PENDING:
        text = (
            _(
                "This file was already asked for on %(when)s by %(email)s and waits for approval; "
                "nothing more was asked."
            )
            if from_file
            else _(
                "These points were already asked for on %(when)s by %(email)s and wait for approval; "
                "nothing more was asked."
            )
        )
    elif status == AwardBatch.Status.REJECTED:
        text = (
            _("This file was already asked for on %(when)s by %(email)s and rejected; nothing was awarded.")
            if from_file
            else _("These points were already asked for on %(when)s by %(email)s and rejected; nothing was awarded.")
        )
    else:
        text = (
            _("This file was already awarded on %(when)s by %(email)s; nothing more was awarded.")
            if from_file
            else _("These points were already awarded on %(when)s by %(email)s; nothing more was awarded.")
        )
    return text % values


def _waiting_message(batch: AwardBatch) -> str:
    return _(
        "Nothing is credited yet: awards above %(limit)s points need another HR user's approval. "
        "They have been asked to review the request (%(points)s points)."
    ) % {"limit": number(settings.POINTS_APPROVAL_ABOVE), "points": number(batch.points_total)}


@admin.register(PointsTransaction)
class PointsTransactionAdmin(CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: append-only, read-only here; filter, search and export it."""

    list_display = [
        "created_at",
        "user_email",
        "kind",
        "signed_points",
        "balance",
        "description",
        "order_number",
        "awarded_by_email",
    ]
    list_filter = ["transaction_type", "created_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "description", "id", "order__id"]
    list_select_related = ["user", "order", "awarded_by"]
    list_per_page = 100
    # The detail page links only where HR may go (not to the user admin, which is the superuser's).
    fields = [
        "id",
        "created_at",
        "user_email",
        "transaction_type",
        "signed_points",
        "balance",
        "description",
        "order_link",
        "awarded_by_email",
        "correction",
    ]
    readonly_fields = fields
    export_filename = "points-ledger.csv"
    export_header = [
        "transaction_id",
        "created_at",
        "user_id",
        "email",
        "type",
        "points",
        "balance_after",
        "description",
        "order_id",
        "awarded_by",
    ]

    # The employee list links to one employee's ledger with ?user=<id>.
    extra_lookups = ("user",)

    @admin.display(description=gettext_lazy("employee"), ordering="user__email")
    def user_email(self, row: PointsTransaction) -> str:
        return format_html("{}<br><small>{}</small>", row.user.get_full_name() or row.user.email, row.user.email)

    @admin.display(description=gettext_lazy("correction"))
    def correction(self, row: PointsTransaction) -> str:
        if row.transaction_type == PointsTransaction.Type.REVERSED:
            award = reverse("admin:points_pointstransaction_change", args=[row.reverses_id])
            # The translated sentence holds the link (the words around it differ by language).
            return format_html(_('Corrects <a href="{url}">this award</a>.'), url=award)
        if row.transaction_type != PointsTransaction.Type.EARNED:
            return "—"
        state = reversal_state(award=row)
        done = (
            _("%(reversed)s of %(points)s points reversed so far.")
            % {"reversed": number(state.reversed), "points": number(state.award_points)}
            + " "
            if state.reversed
            else ""
        )
        if not state.reversible:
            return done + _("Nothing can be reversed now.")
        link = reverse("admin:points_pointstransaction_reverse", args=[row.pk])
        return format_html('{}<a class="button" href="{}">{}</a>', done, link, _("Reverse this award…"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        reverse_url = path(
            "<path:object_id>/reverse/", wrap(self.reverse_view), name="points_pointstransaction_reverse"
        )
        return [reverse_url, *super().get_urls()]

    def reverse_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Take back an award, whole or in part, with a reason: a new ledger row, once."""
        if not request.user.has_perm("points.award_points"):
            raise PermissionDenied
        award = get_object_or_404(
            PointsTransaction.objects.select_related("user", "awarded_by"),
            pk=object_id,
            transaction_type=PointsTransaction.Type.EARNED,
        )
        state = reversal_state(award=award)
        form = ReversalForm(request.POST or None, reversible=state.reversible)
        if form.is_valid():
            try:
                outcome = points_reverse(
                    award_id=award.pk,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    reversed_by_id=request.user.pk,
                    source=AwardBatch.Source.FORM,
                    batch_id=str(form.cleaned_data["key"]),
                )
            except ShopError as refusal:
                form.add_error("amount" if refusal.code == "reversal_too_large" else None, refusal.message)
            else:
                reversed_ = outcome.transaction.points_amount
                values = {
                    "points": number(reversed_),
                    "email": award.user.email,
                    "balance": number(outcome.transaction.balance_after),
                }
                message = (
                    _("This correction was already made; nothing more was taken back (%(points)s points).")
                    if outcome.replayed
                    else _("Took back %(points)s points from %(email)s; their balance is now %(balance)s.")
                ) % values
                self.message_user(request, message, messages.WARNING if outcome.replayed else messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:points_pointstransaction_change", args=[award.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reverse an award to %(name)s") % {"name": award.user.get_full_name() or award.user.email},
            "award": award,
            "state": state,
            "form": form,
        }
        return TemplateResponse(request, "admin/points/pointstransaction/reverse.html", context)

    @admin.display(description=gettext_lazy("order"))
    def order_link(self, row: PointsTransaction) -> str:
        if row.order_id is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[row.order_id]), row.order)

    @admin.display(description=gettext_lazy("awarded by"))
    def awarded_by_email(self, row: PointsTransaction) -> str:
        return row.awarded_by.email if row.awarded_by else "—"

    @admin.display(description=gettext_lazy("type"), ordering="transaction_type")
    def kind(self, row: PointsTransaction) -> str:
        return row.get_transaction_type_display()

    @admin.display(description=gettext_lazy("balance after"), ordering="balance_after")
    def balance(self, row: PointsTransaction) -> str:
        return "—" if row.balance_after is None else number(row.balance_after)

    @admin.display(description=gettext_lazy("order"), ordering="order_id")
    def order_number(self, row: PointsTransaction) -> str:
        if row.order_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:orders_order_change", args=[row.order_id]), row.order.short_number
        )

    @admin.display(description=gettext_lazy("points"), ordering="points_amount")
    def signed_points(self, row: PointsTransaction) -> str:
        return ("+" if row.signed_amount >= 0 else "") + number(row.signed_amount)

    def export_row(self, row: PointsTransaction) -> list[object]:
        return [
            row.pk,
            row.created_at.isoformat(),
            row.user_id,
            row.user.email,
            row.transaction_type,
            row.signed_amount,
            row.balance_after,
            row.description,
            row.order_id,
            row.awarded_by.email if row.awarded_by else "",
        ]


class AwardRequestStatusFilter(admin.SimpleListFilter):
    """The list opens on the requests waiting for a decision; "All" is one click away."""

    title = gettext_lazy("status")
    # Django's own status filter's parameter: links to ?status__exact=pending mean the same still.
    parameter_name = "status__exact"
    default = AwardBatch.Status.PENDING

    def lookups(self, request, model_admin):
        return [("all", _("All")), *AwardBatch.Status.choices]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or self.default) == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == "all":
            return queryset
        return queryset.filter(status=value) if value in AwardBatch.Status.values else queryset.none()


class AwardRequestChangeList(ChangeList):
    """The page's requests with the names of the people they are for, read in one query."""

    def get_results(self, request):
        super().get_results(request)
        names = award_request_recipients(batches=self.result_list)
        removed = _("someone since removed")
        for batch in self.result_list:
            # Each person once: a request may give one person two awards (two reasons).
            people = dict.fromkeys(str(row[0]) for row in batch.requested or [])
            batch.recipient_names = [names.get(user_id, removed) for user_id in people]


# The reasons column shows this many different reasons of a request, then how many more.
REASONS_SHOWN = 2


@admin.register(AwardBatch)
class AwardBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every award request and correction, opening on those waiting for a decision. A large
    award waits here for a second HR user, who opens it and approves or rejects it (never
    their own)."""

    list_display = ["created_at", "kind", "status", "awarded_by", "recipients", "reasons", "points", "decided_by"]
    list_filter = [AwardRequestStatusFilter, "kind", "source"]
    list_select_related = ["awarded_by", "decided_by"]
    search_fields = ["awarded_by__email", "id"]
    list_per_page = 100

    def get_changelist(self, request, **kwargs):
        return AwardRequestChangeList

    @admin.display(description=gettext_lazy("for"))
    def recipients(self, batch: AwardBatch) -> str:
        names = getattr(batch, "recipient_names", None) or []
        if len(names) == 1:
            return names[0]
        count = len(names) or batch.award_count
        return ngettext("%(count)s employee", "%(count)s employees", count) % {"count": number(count)}

    @admin.display(description=gettext_lazy("reason"))
    def reasons(self, batch: AwardBatch) -> str:
        # A request's awards mostly share one reason; several are listed once each, the first few.
        distinct = list(dict.fromkeys(str(row[2]) for row in batch.requested or [] if len(row) > 2 and row[2]))
        if not distinct:
            return "—"
        shown = "; ".join(distinct[:REASONS_SHOWN])
        more = len(distinct) - REASONS_SHOWN
        if more > 0:
            shown += ngettext(" and %(count)s more", " and %(count)s more", more) % {"count": number(more)}
        return Truncator(shown).chars(90)

    @admin.display(description=gettext_lazy("points"), ordering="points_total")
    def points(self, batch: AwardBatch) -> str:
        return number(batch.points_total)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AwardBatch]:
        return super().get_queryset(request).order_by("-created_at")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/decide/", wrap(self.decide_view), name="points_awardbatch_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """The request with its awards, and (while it waits, for another HR user) the decision."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(self.get_queryset(request), pk=object_id)
        return self._decision_page(request, batch, RejectionForm())

    def _decision_page(self, request: HttpRequest, batch: AwardBatch, form: RejectionForm) -> TemplateResponse:
        user_ids = [str(row[0]) for row in batch.requested]
        names = dict(Employee.objects.filter(pk__in=user_ids).values_list("pk", "email"))
        pending = batch.status == AwardBatch.Status.PENDING
        # What the approver weighs: each balance now and after, and the budgets approving draws on.
        balances = user_points_balances(user_ids=user_ids) if pending else {}
        awards = [
            {
                "email": names.get(row[0], row[0]),
                "amount": row[1],
                "reason": row[2],
                "balance": balances.get(str(row[0])),
                "balance_after": balances.get(str(row[0]), 0) + row[1],
            }
            for row in batch.requested
        ]
        standings = budget_standings_today(giver_id=batch.awarded_by_id) if pending else []
        can_decide = (
            pending and request.user.has_perm("points.approve_award") and request.user.pk != batch.awarded_by_id
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Award request: %(request)s") % {"request": batch},
            "batch": batch,
            "awards": awards,
            "pending": pending,
            "budgets": [
                {"standing": standing, "left_after": max(after, 0), "over": max(-after, 0)}
                for standing in standings
                for after in [standing.left_after(batch.points_total)]
            ],
            "others_waiting": award_requests_waiting_besides(batch_id=batch.pk) if standings else (0, 0),
            "transactions": batch.transactions.select_related("user").order_by("user__email"),
            "can_decide": can_decide,
            "own": request.user.pk == batch.awarded_by_id,
            "form": form,
        }
        return TemplateResponse(request, "admin/points/awardbatch/decide.html", context)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:points_awardbatch_change", args=[object_id]))
        if not request.user.has_perm("points.approve_award"):
            raise PermissionDenied
        batch = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = RejectionForm(request.POST if "reject" in request.POST else None)
        try:
            if "approve" in request.POST:
                outcome = award_request_approve(batch_id=batch.pk, approved_by_id=request.user.pk)
                message = (
                    _("You had already approved this request; nothing more was awarded.")
                    if outcome.replayed
                    else _("Approved: %(points)s points are credited.") % {"points": number(outcome.batch.points_total)}
                )
                self.message_user(request, message, messages.WARNING if outcome.replayed else messages.SUCCESS)
            elif "reject" in request.POST and form.is_valid():
                award_request_reject(batch_id=batch.pk, rejected_by_id=request.user.pk, note=form.cleaned_data["note"])
                self.message_user(request, _("Rejected: nothing was awarded."), messages.SUCCESS)
            else:
                batch.refresh_from_db()
                return self._decision_page(request, batch, form)
        except ShopError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:points_awardbatch_change", args=[batch.pk]))


class PointsBudgetLimitInline(admin.TabularInline):
    model = PointsBudgetLimit
    form = BudgetLimitForm
    extra = 1
    autocomplete_fields: list[str] = []
    giver_shown = related_as_text(PointsBudgetLimit, "giver")

    def get_fields(self, request, obj=None):
        # Seen by someone who may not change it (HR), the giver is a name, not a link to the
        # users' admin, which is the superuser's.
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        # Django's own list ends with the read-only fields, giver_shown among them: once each.
        return list(dict.fromkeys("giver_shown" if name == "giver" else name for name in fields))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.has_change_permission(request, obj) else [*readonly, "giver_shown"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "giver":
            # Only people who can award points have a share of a budget.
            kwargs["queryset"] = users_with_permission(codename="award_points").order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PointsBudget)
class PointsBudgetAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """What HR may award per period (and each HR user's part), set by a superuser; HR sees them.
    A budget and its limits are saved, and deleted, by `points.budgets`' services."""

    form = BudgetForm
    inlines = [PointsBudgetLimitInline]
    list_display = ["starts_on", "ends_on", "budget", "awarded_and_left", "note"]

    def save_model(self, request, obj, form, change):
        """Saved with its limits in `save_related`, by one service call."""

    def save_related(self, request, form, formsets, change):
        (limit_forms,) = formsets
        edits = []
        for limit in limit_forms.forms:
            shown = None if limit.instance._state.adding else limit.instance.pk
            if limit_forms._should_delete_form(limit):
                if shown is not None:
                    edits.append(LimitEdit(limit_id=shown, giver_id=None, points=None))
            elif limit.has_changed() and limit.cleaned_data.get("giver"):
                giver, points = limit.cleaned_data["giver"].pk, limit.cleaned_data["points"]
                edits.append(LimitEdit(limit_id=shown, giver_id=giver, points=points))
        before, after = form_changes(form, formsets)
        data = form.cleaned_data
        budget = budget_save(
            budget_id=form.instance.pk,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            points=data["points"],
            note=data["note"],
            limit_edits=edits,
            saved_by_id=request.user.pk,
            changes=BudgetChanges(before=before, after=after),
        )
        form.instance.pk, form.instance.created_at = budget.pk, budget.created_at
        # Django's change message reads what the inline formset saved; the service saved it.
        limit_forms.new_objects, limit_forms.changed_objects, limit_forms.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        budgets_delete(budget_ids=[obj.pk], deleted_by_id=request.user.pk)

    def delete_queryset(self, request, queryset):
        budgets_delete(budget_ids=list(queryset.values_list("pk", flat=True)), deleted_by_id=request.user.pk)

    @admin.display(description=gettext_lazy("budget"), ordering="points")
    def budget(self, budget: PointsBudget) -> str:
        return number(budget.points)

    @admin.display(description=gettext_lazy("awarded (left)"))
    def awarded_and_left(self, budget: PointsBudget) -> str:
        used = budget_used(budget=budget)  # once per row: its two sums
        return _("%(used)s (%(left)s left)") % {"used": number(used), "left": number(max(budget.points - used, 0))}
