"""Reading recognition: the feed, one person's page, allowances, @mentions, and the check that
gives, allowances and the ledger agree."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from awsomeshop.timezones import company_today
from points.expiry import month_end
from points.models import PointsTransaction
from points.selectors import lots_remaining, reversal_state

from .models import (
    Allowance,
    AllowanceOverride,
    AllowancePolicy,
    CompanyValue,
    Credit,
    Give,
    Reaction,
    Recognition,
    RecognitionReceiver,
)

# "@maria.garcia": the part of a colleague's e-mail address before the @.
MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._+-]{0,63})")


def allowance_policy() -> AllowancePolicy:
    """The one policy row (the defaults until HR saves it)."""
    return AllowancePolicy.objects.filter(pk=1).first() or AllowancePolicy(pk=1)


def allowance_monthly_points(*, user_id: str) -> int:
    """What this person may give each month: their own allowance if HR set one, else everyone's."""
    own = AllowanceOverride.objects.filter(user_id=user_id).values_list("monthly_points", flat=True).first()
    return own if own is not None else allowance_policy().monthly_points


def allowance_period_start(day: date | None = None) -> date:
    """The first day of the period `day` (default: the company's today) falls in: its month."""
    day = day or company_today()
    return day.replace(day=1)


def value_id_parse(value: object) -> int | None:
    """A company value's id as a form, a query string or JSON gives it; None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
        return value
    return None


def company_value_list() -> QuerySet[CompanyValue]:
    return CompanyValue.objects.filter(is_active=True)


def recognition_feed(
    *, viewer_id: str, value_id: int | None = None, person_id: str | None = None
) -> QuerySet[Recognition]:
    """What this viewer may see, newest first: public recognitions, and private ones they gave or
    received; none that HR hid. Optionally for one value, or one person (given or received)."""
    feed = Recognition.objects.filter(_visible_to(viewer_id), hidden_at__isnull=True)
    if value_id is not None:
        feed = feed.filter(value_id=value_id)
    if person_id is not None:
        feed = feed.filter(
            Q(giver_id=person_id)
            | Q(pk__in=RecognitionReceiver.objects.filter(user_id=person_id).values("recognition"))
        )
    return feed.select_related("giver", "value").prefetch_related(
        Prefetch("receiver_rows", queryset=RecognitionReceiver.objects.select_related("user").order_by("user__email")),
        Prefetch("gives", queryset=Give.objects.select_related("giver").order_by("created_at", "id")),
        Prefetch("reactions", queryset=Reaction.objects.order_by("kind")),
    )


@dataclass(frozen=True)
class FeedEntry:
    """One recognition as the feed shows it."""

    recognition: Recognition
    receivers: list
    points_each: int
    added: list  # [(giver, points each)] by colleagues after the first give
    total: int
    reactions: dict[str, int]
    mine: set[str]
    message_html: SafeString

    @property
    def reaction_buttons(self) -> list[dict]:
        """Each kind of reaction with its count and whether the viewer gave it."""
        return [
            {"kind": kind, "name": name, "count": self.reactions.get(kind, 0), "mine": kind in self.mine}
            for kind, name in Reaction.Kind.choices
        ]


def feed_entries(recognitions, *, viewer_id: str) -> list[FeedEntry]:
    """The page's recognitions with their figures, from what `recognition_feed` prefetched, and
    their @mentions resolved in one query."""
    recognitions = list(recognitions)
    people = mentioned_people(r.message for r in recognitions)
    entries = []
    for recognition in recognitions:
        gives = list(recognition.gives.all())
        receivers = [row.user for row in recognition.receiver_rows.all()]
        reactions: dict[str, int] = {}
        mine = set()
        for reaction in recognition.reactions.all():
            reactions[reaction.kind] = reactions.get(reaction.kind, 0) + 1
            if reaction.user_id == viewer_id:
                mine.add(reaction.kind)
        first = gives[0] if gives else None
        entries.append(
            FeedEntry(
                recognition=recognition,
                receivers=receivers,
                points_each=first.points_each if first else 0,
                added=[(give.giver, give.points_each) for give in gives[1:]],
                total=sum(give.total for give in gives),
                reactions=reactions,
                mine=mine,
                message_html=message_html(recognition.message, people),
            )
        )
    return entries


# Only the first mentions of a message become links: a page of messages full of @names costs a
# few bounded queries (SQLite refuses an OR of a thousand names).
MENTIONS_LINKED = 20
MENTION_LOOKUP_BATCH = 100


def _mentions(message: str) -> list[str]:
    return [name.rstrip(".") for name in MENTION.findall(message)][:MENTIONS_LINKED]


def mentioned_people(messages) -> dict[str, Any]:
    """The active colleagues the messages @mention, by the lower-cased name mentioned."""
    names = sorted({name.lower() for message in messages for name in _mentions(message)})
    people: dict[str, Any] = {}
    for start in range(0, len(names), MENTION_LOOKUP_BATCH):
        query = Q()
        for name in names[start : start + MENTION_LOOKUP_BATCH]:
            query |= Q(email__istartswith=f"{name}@")
        users = get_user_model().objects.filter(query, is_active=True).only("pk", "email", "first_name", "last_name")
        people.update({user.email.split("@", 1)[0].lower(): user for user in users})
    return people


def message_html(message: str, people: dict[str, Any]) -> SafeString:
    """The message as HTML: escaped, line breaks kept, each @mention of a colleague a link to
    their page (an unknown name stays text)."""
    parts, last = [], 0
    for match in list(MENTION.finditer(message))[:MENTIONS_LINKED]:
        name = match.group(1).rstrip(".")
        user = people.get(name.lower())
        if user is None:
            continue
        parts.append(escape(message[last : match.start()]))
        url = reverse("recognition:person", args=[user.pk])
        parts.append(format_html('<a href="{}" class="mention">@{}</a>', url, name))
        last = match.start() + 1 + len(name)
    parts.append(escape(message[last:]))
    return mark_safe("".join(str(part) for part in parts).replace("\n", "<br>"))  # noqa: S308 - escaped above


def recognition_get(*, viewer_id: str, recognition_id: str) -> Recognition | None:
    if not isinstance(recognition_id, str) or len(recognition_id) > 36:
        return None
    return recognition_feed(viewer_id=viewer_id).filter(pk=recognition_id).first()


@dataclass(frozen=True)
class AllowanceState:
    period_start: date
    period_end: date
    monthly_points: int
    given: int

    @property
    def left(self) -> int:
        return max(self.monthly_points - self.given, 0)


def allowance_state(*, user_id: str, day: date | None = None) -> AllowanceState:
    """This person's allowance this period: what they may give, have given and have left."""
    start = allowance_period_start(day)
    given = Allowance.objects.filter(user_id=user_id, period_start=start).values_list("given", flat=True).first()
    return AllowanceState(
        period_start=start,
        period_end=month_end(start),
        monthly_points=allowance_monthly_points(user_id=user_id),
        given=given or 0,
    )


@dataclass(frozen=True)
class PersonSummary:
    received_count: int
    received_points: int
    given_count: int
    given_points: int


def _visible_to(viewer_id: str, prefix: str = "") -> Q:
    """Recognitions this viewer may see (`prefix`: the path to the recognition, for related rows)."""
    return (
        Q(**{f"{prefix}is_public": True})
        | Q(**{f"{prefix}giver_id": viewer_id})
        | Q(**{f"{prefix}pk__in": RecognitionReceiver.objects.filter(user_id=viewer_id).values("recognition")})
    )


def person_summary(*, user_id: str, viewer_id: str) -> PersonSummary:
    """What a person received and gave, in recognitions and points, of what the viewer may see
    (public ones, and private ones the viewer gave or received); hidden ones left out."""
    shown = Recognition.objects.filter(_visible_to(viewer_id), hidden_at__isnull=True).values("pk")
    received = Credit.objects.filter(receiver_id=user_id, give__recognition__in=shown).aggregate(
        count=Count("give__recognition", distinct=True), points=Sum("points", default=0)
    )
    given = Give.objects.filter(giver_id=user_id, recognition__in=shown).aggregate(
        count=Count("recognition", distinct=True), points=Sum("total", default=0)
    )
    return PersonSummary(
        received_count=received["count"],
        received_points=received["points"],
        given_count=given["count"],
        given_points=given["points"],
    )


def colleague_list(*, exclude_id: str) -> QuerySet:
    """Active people one can recognise, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(pk=exclude_id)
        .only("pk", "email", "first_name", "last_name")
        .order_by("first_name", "last_name", "email")
    )


# --- The ledger check's part --------------------------------------------------------------------
def recognition_problem_list() -> list[tuple[str, str, str]]:
    """(kind, subject, detail) for every disagreement between gives, allowances and the ledger:
    an allowance whose `given` is not the sum of its gives; a give whose total is not its
    points times its credits; a credit whose ledger row is not a `received` row of its receiver
    and amount; and a `received` row that no credit paid."""
    problems = []
    allowances = Allowance.objects.annotate(gives_total=Sum("gives__total", default=0)).exclude(given=F("gives_total"))
    problems += [
        ("allowance", str(pk), f"given {given} but its gives total {total}")
        for pk, given, total in allowances.values_list("pk", "given", "gives_total")
    ]
    gives = Give.objects.annotate(credited=Sum("credits__points", default=0), count=Count("credits")).exclude(
        total=F("credited"), total__gte=F("points_each")
    )
    problems += [
        ("give", pk, f"total {total} but its credits pay {credited}")
        for pk, total, credited in gives.values_list("pk", "total", "credited")
    ]
    wrong = Credit.objects.exclude(
        entry__transaction_type=PointsTransaction.Type.RECEIVED,
        entry__user_id=F("receiver_id"),
        entry__points_amount=F("points"),
        points=F("give__points_each"),
    )
    problems += [("credit", str(pk), "its ledger row does not match it") for pk in wrong.values_list("pk", flat=True)]
    unpaid = PointsTransaction.objects.filter(
        transaction_type=PointsTransaction.Type.RECEIVED, recognition_credit__isnull=True
    )
    problems += [("transaction", pk, "received without a recognition") for pk in unpaid.values_list("pk", flat=True)]
    return problems


# --- The programme dashboard's recognition figures --------------------------------------------------
@dataclass(frozen=True)
class RecognitionMonth:
    month: date
    recognitions: int
    points_given: int
    milestone_points: int


@dataclass(frozen=True)
class RecognitionFigures:
    months: list[RecognitionMonth]
    by_value: list[dict]
    top_givers: list[dict]
    top_receivers: list[dict]
    # Active people who received nothing from a colleague in the last 90 days: how many, and the
    # first few by e-mail (`unrecognised_list` gives them all, for the CSV file).
    unrecognised_count: int
    unrecognised_first: list[Any]
    unrecognised_days: int = 90

    def total(self, name: str) -> int:
        return sum(getattr(month, name) for month in self.months)


def _shown_gives():
    return Give.objects.filter(recognition__hidden_at__isnull=True)


def recognition_figures(
    *, month_bounds: Sequence[tuple[date, datetime, datetime]], since, until, limit: int = 10
) -> RecognitionFigures:
    """Recognitions and points given per month (`month_bounds`: each month with its first and
    next instant), per value, the top givers and receivers in the range, and who received nothing
    in the last 90 days. Hidden recognitions are left out."""
    months = []
    for month, start, end in month_bounds:  # one query a month
        sums = (
            _shown_gives()
            .filter(created_at__gte=start, created_at__lt=end)
            .aggregate(
                recognitions=Count("pk", filter=Q(giver__isnull=False, added=False)),
                colleagues=Sum("total", default=0, filter=Q(giver__isnull=False)),
                milestones=Sum("total", default=0, filter=Q(giver__isnull=True)),
            )
        )
        months.append(RecognitionMonth(month, sums["recognitions"], sums["colleagues"], sums["milestones"]))
    in_range = _shown_gives().filter(created_at__gte=since, created_at__lt=until, giver__isnull=False)
    by_value = list(
        in_range.order_by()
        .values("recognition__value__name")
        .annotate(recognitions=Count("recognition", distinct=True), points=Sum("total"))
        .order_by("-points", "recognition__value__name")
    )
    top_givers = list(
        in_range.order_by()
        .values("giver_id", "giver__email")
        .annotate(recognitions=Count("recognition", distinct=True), points=Sum("total"))
        .order_by("-points", "giver__email")[:limit]
    )
    top_receivers = list(
        Credit.objects.filter(give__in=in_range)
        .order_by()
        .values("receiver_id", "receiver__email")
        .annotate(recognitions=Count("give__recognition", distinct=True), points=Sum("points"))
        .order_by("-points", "receiver__email")[:limit]
    )
    unrecognised = unrecognised_list()
    return RecognitionFigures(
        months, by_value, top_givers, top_receivers, unrecognised.count(), list(unrecognised[:UNRECOGNISED_SHOWN])
    )


UNRECOGNISED_SHOWN = 10


def unrecognised_list(*, days: int = 90) -> QuerySet:
    """Active people who received nothing from a colleague (milestones aside) in the last `days`
    days, by e-mail: a query, read as far as it is iterated."""
    cutoff = timezone.now() - timedelta(days=days)
    recent = Credit.objects.filter(
        give__created_at__gte=cutoff, give__recognition__hidden_at__isnull=True, give__giver__isnull=False
    ).values("receiver_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(pk__in=recent)
        .order_by("email")
        .values("pk", "email", "first_name", "last_name")
    )


def recognition_reversible_now(*, recognition: Recognition) -> int:
    """What its credits could give back now (for showing; a take-back decides under the locks)."""
    credits = list(Credit.objects.filter(give__recognition=recognition).select_related("entry"))
    left = lots_remaining(credit_ids=[credit.entry_id for credit in credits])
    return sum(min(reversal_state(award=credit.entry).reversible, left[credit.entry_id]) for credit in credits)
