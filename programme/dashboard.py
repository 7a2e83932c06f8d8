"""The programme dashboard in the admin (HR, superusers): points awarded, corrected, redeemed and
refunded per month, what is outstanding, the budget, top products, the redemption rate and awards
per giver, for a date range; every table also as CSV. The figures are `programme_figures`'s SQL
aggregates; the chart is drawn in the browser by uPlot (static/vendor/uplot) from the same numbers
the accessible table shows."""

from collections.abc import Iterable
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from awsomeshop.csv_export import csv_response
from awsomeshop.text import number
from awsomeshop.timezones import company_today
from recognition.selectors import RecognitionFigures, unrecognised_list

from .selectors import DASHBOARD_MAX_MONTHS, ProgrammeFigures, programme_figures

EXPORTS = (
    "months",
    "products",
    "wished",
    "givers",
    "summary",
    "recognition",
    "values",
    "recognition_givers",
    "receivers",
    "unrecognised",
)
# What a catalog manager (who sees no points figures) may download.
CATALOG_EXPORTS = ("products", "wished")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _default_range() -> tuple[date, date]:
    today = company_today()
    start = today.replace(day=1)
    for _ in range(11):
        start = (start - timedelta(days=1)).replace(day=1)
    return start, today


ISO_DAY = "%Y-%m-%d"


class DateRangeForm(forms.Form):
    # A date input takes only YYYY-MM-DD, whatever the page's language writes days as.
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for value in (start, end):
            if value and not FIRST_DAY <= value <= LAST_DAY:
                raise forms.ValidationError(gettext("Choose days from 2000 to 2099."))
        if start and end:
            if end < start:
                raise forms.ValidationError(gettext("The range must end on or after the day it starts."))
            if (end.year - start.year) * 12 + end.month - start.month >= DASHBOARD_MAX_MONTHS:
                raise forms.ValidationError(
                    ngettext(
                        "Choose at most %(months)s month at a time.",
                        "Choose at most %(months)s months at a time.",
                        DASHBOARD_MAX_MONTHS,
                    )
                    % {"months": number(DASHBOARD_MAX_MONTHS)}
                )
        return cleaned


def _csv(figures: ProgrammeFigures, which: str) -> HttpResponse:
    span = f"{figures.start:%Y-%m-%d}_{figures.end:%Y-%m-%d}"
    if which == "months":
        header = ["month", "awarded", "reversed", "net_awarded", "redeemed", "refunded", "net_redeemed", "expired"]
        rows = [
            [
                f"{m.month:%Y-%m}",
                m.awarded,
                m.reversed,
                m.net_awarded,
                m.redeemed,
                m.refunded,
                m.net_redeemed,
                m.expired,
            ]
            for m in figures.months
        ]
    elif which == "products":
        header = ["product_id", "product", "orders", "points"]
        rows = [[p["product_id"], p["product__name"], p["orders"], p["points"]] for p in figures.top_products]
    elif which == "wished":
        header = ["product_id", "product", "wished_by", "stock", "offered"]
        rows = [
            [
                p["product_id"],
                p["product__name"],
                p["wishes"],
                p["product__stock_quantity"],
                "yes" if p["product__is_active"] else "no",
            ]
            for p in figures.top_wished
        ]
    elif which == "givers":
        header = ["hr_user", "awards", "points", "reversed"]
        rows = [
            [g["awarded_by__email"] or "AWSomeShop", g["awards"], g["points"], g["reversed"]] for g in figures.givers
        ]
    elif which in RECOGNITION_EXPORTS and figures.recognition is not None:
        header, rows = _recognition_csv(figures.recognition, which)
    else:
        rate = figures.redemption_rate
        header = ["figure", "value"]
        rows = [
            ["from", figures.start.isoformat()],
            ["to", figures.end.isoformat()],
            ["awarded", figures.total("awarded")],
            ["reversed", figures.total("reversed")],
            ["redeemed", figures.total("redeemed")],
            ["refunded", figures.total("refunded")],
            ["expired", figures.total("expired")],
            ["outstanding_now", figures.outstanding],
            ["expiring_next_90_days", "" if figures.expiring_90 is None else figures.expiring_90],
            ["redemption_rate", "" if rate is None else round(rate, 4)],  # a number, not text
            ["budget", "" if figures.budget is None else figures.budget.points],
            ["budget_used", "" if figures.budget is None else figures.budget_used],
        ]
    return csv_response(filename=f"programme-{which}-{span}.csv", header=header, rows=rows)


RECOGNITION_EXPORTS = ("recognition", "values", "recognition_givers", "receivers", "unrecognised")


def _recognition_csv(rec: RecognitionFigures, which: str) -> tuple[list[str], Iterable[list[object]]]:
    if which == "recognition":
        header = ["month", "recognitions", "points_from_colleagues", "milestone_points"]
        return header, [[f"{m.month:%Y-%m}", m.recognitions, m.points_given, m.milestone_points] for m in rec.months]
    if which == "values":
        header = ["value", "recognitions", "points"]
        return header, [[r["recognition__value__name"], r["recognitions"], r["points"]] for r in rec.by_value]
    if which == "recognition_givers":
        header = ["employee", "recognitions", "points"]
        return header, [[r["giver__email"], r["recognitions"], r["points"]] for r in rec.top_givers]
    if which == "receivers":
        header = ["employee", "recognitions", "points"]
        return header, [[r["receiver__email"], r["recognitions"], r["points"]] for r in rec.top_receivers]
    header = ["user_id", "email", "first_name", "last_name"]
    people = unrecognised_list().iterator(chunk_size=2000)  # streamed, however many there are
    return header, ([p["pk"], p["email"], p["first_name"], p["last_name"]] for p in people)


def programme_dashboard_view(request: HttpRequest, admin_site) -> HttpResponse:
    # HR and superusers see the programme; catalog managers only what sells and what is wished for.
    sees_points = request.user.has_perm("points.view_pointstransaction")
    if not (sees_points or request.user.has_perm("shop.view_product")):
        raise PermissionDenied
    start, end = _default_range()
    form = DateRangeForm(
        request.GET if "start" in request.GET or "end" in request.GET else None, initial={"start": start, "end": end}
    )
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    figures = programme_figures(start=start, end=end, with_recognition=sees_points)
    which = request.GET.get("export")
    if which in EXPORTS and not sees_points and which not in CATALOG_EXPORTS:
        raise PermissionDenied
    if which in EXPORTS and (not form.is_bound or form.is_valid()):
        return _csv(figures, which)
    chart = {
        # Months and the legend's words as the page writes them ("Dec 2026", "Dezember 2026").
        "months": [date_format(m.month, "YEAR_MONTH_FORMAT") for m in figures.months],
        "month_label": gettext("Month"),
        "series": {
            # The legend's names, in the reader's language (static/js/programme-chart.js shows the keys).
            gettext("Awarded, less reversals"): [m.net_awarded for m in figures.months],
            gettext("Redeemed, less refunds"): [m.net_redeemed for m in figures.months],
            gettext("Refunded"): [m.refunded for m in figures.months],
            **({gettext("Expired"): [m.expired for m in figures.months]} if figures.total("expired") else {}),
        },
    }
    if not sees_points:
        chart = {}
    query = f"start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    context = {
        **admin_site.each_context(request),
        "title": gettext("Programme dashboard") if sees_points else gettext("Catalog dashboard"),
        "sees_points": sees_points,
        "form": form,
        "figures": figures,
        "totals": {
            name: figures.total(name)
            for name in ("awarded", "reversed", "net_awarded", "redeemed", "refunded", "net_redeemed", "expired")
        },
        "time_zone": settings.TIME_ZONE,
        # Shown while expiry is on, and for a range in which points expired before it was switched off.
        "show_expiry": figures.expiring_90 is not None or figures.total("expired") > 0,
        "expiry_months": settings.POINTS_EXPIRY_MONTHS,
        "rate_percent": None if figures.redemption_rate is None else round(figures.redemption_rate * 100, 1),
        "chart": chart,
        "rec_totals": {
            name: figures.recognition.total(name) if figures.recognition else 0
            for name in ("recognitions", "points_given", "milestone_points")
        },
        "exports": {which: f"?{query}&export={which}" for which in EXPORTS},
    }
    return TemplateResponse(request, "admin/programme_dashboard.html", context)
