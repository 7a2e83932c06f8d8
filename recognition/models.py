"""Colleagues recognising each other: company values, giving allowances, recognitions with the
points given on them, and reactions. `recognition.services` is the one writer of these tables;
the points themselves move through `points.ledger` (kind `received`), in the same transaction."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.dateformat import format as date_formatted
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import ExactCharField, TimestampColumn, new_id
from awsomeshop.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from awsomeshop.text import number

MESSAGE_MAX_LENGTH = 1000


class CompanyValue(models.Model):
    """A value HR keeps ("Customer first"); every recognition names one."""

    name = models.CharField(max_length=60, unique=True, verbose_name=_("name"))
    description = models.CharField(max_length=255, blank=True, default="", verbose_name=_("description"))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Unset to stop offering it; past recognitions keep it.")
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Lower comes first in the lists."), verbose_name=_("position")
    )

    class Meta:
        db_table = "recognition_values"
        ordering = ["position", "name"]
        verbose_name = _("company value")
        verbose_name_plural = _("company values")

    def __str__(self) -> str:
        return self.name


class AllowancePolicy(models.Model):
    """The giving allowance every active employee has each month, unless HR set their own
    (`AllowanceOverride`). One row (id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False, verbose_name=_("id"))
    monthly_points = models.PositiveIntegerField(
        default=100,
        help_text=_("Points each employee may give to colleagues per calendar month; unused points lapse."),
        verbose_name=_("monthly points"),
    )
    most_per_receiver = models.PositiveIntegerField(
        default=50,
        help_text=_("The most one recognition (or one +points on it) gives each receiver."),
        verbose_name=_("most per receiver"),
    )
    updated_at = TimestampColumn(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        db_table = "recognition_allowance_policy"
        verbose_name = _("giving allowance")
        verbose_name_plural = _("giving allowance")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="recognition_allowance_policy_one_row")]

    def __str__(self) -> str:
        return gettext("%(points)s points a month") % {"points": number(self.monthly_points)}


class AllowanceOverride(models.Model):
    """One person's own monthly allowance (a manager who thanks more people; 0 for someone who
    should not give)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="allowance_override",
        verbose_name=_("user"),
    )
    monthly_points = models.PositiveIntegerField(verbose_name=_("monthly points"))
    note = models.CharField(max_length=255, blank=True, default="", verbose_name=_("note"))

    class Meta:
        db_table = "recognition_allowance_overrides"
        verbose_name = _("allowance for one person")
        verbose_name_plural = _("allowances for one person")

    def __str__(self) -> str:
        return gettext("%(user)s: %(points)s points a month") % {
            "user": self.user,
            "points": number(self.monthly_points),
        }


class Allowance(models.Model):
    """What one person has given in one period (a calendar month in TIME_ZONE), and the allowance
    in force when they last gave. Locked by every give of theirs, so concurrent gives queue and
    the database refuses `given` past `points`."""

    id = models.BigAutoField(primary_key=True, verbose_name=_("id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allowances", verbose_name=_("user")
    )
    period_start = models.DateField(verbose_name=_("period start"))
    points = models.PositiveIntegerField(
        help_text=_("The allowance in force at the last give."), verbose_name=_("points")
    )
    given = models.PositiveIntegerField(default=0, verbose_name=_("given"))

    class Meta:
        db_table = "recognition_allowances"
        verbose_name = _("allowance used")
        verbose_name_plural = _("allowances used")
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start"], name="recognition_allowance_per_period"),
            models.CheckConstraint(condition=Q(given__lte=F("points")), name="recognition_allowance_not_exceeded"),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s %(month)s: %(given)s of %(points)s") % {
            "user": self.user_id,
            "month": date_formatted(self.period_start, "Y-m"),
            "given": number(self.given),
            "points": number(self.points),
        }


class Recognition(models.Model):
    """One "thank you" to one or more colleagues, for a company value, with points for each."""

    id = models.CharField(primary_key=True, max_length=36, default=new_id, editable=False, verbose_name=_("id"))
    # None for a milestone: AWSomeShop gives it, from no one's allowance.
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recognitions_given",
        null=True,
        blank=True,
        verbose_name=_("giver"),
    )
    receivers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="recognitions_received",
        through="RecognitionReceiver",
        verbose_name=_("receivers"),
    )
    value = models.ForeignKey(
        CompanyValue,
        on_delete=models.PROTECT,
        related_name="recognitions",
        null=True,
        blank=True,
        verbose_name=_("value"),
    )
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH, verbose_name=_("message"))
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Shown in the feed to every employee."))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))
    hidden_at = TimestampColumn(null=True, blank=True, verbose_name=_("hidden at"))
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(max_length=255, blank=True, default="", verbose_name=_("hidden reason"))
    # A milestone the system awarded (years of service, a birthday): no giver's allowance.
    milestone = models.CharField(max_length=40, blank=True, default="", verbose_name=_("milestone"))

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        db_table = "recognitions"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["hidden_at", "created_at"], name="idx_recognition_feed")]
        permissions = [("moderate_recognition", _("Can hide a recognition and take back its points"))]
        constraints = [
            # A colleague's recognition names its giver and a value; a milestone neither.
            models.CheckConstraint(
                condition=Q(milestone="", giver__isnull=False, value__isnull=False)
                | (~Q(milestone="") & Q(giver__isnull=True)),
                name="recognition_giver_or_milestone",
            ),
        ]

    def __str__(self) -> str:
        if self.milestone:
            return gettext("Milestone: %(message)s") % {"message": self.message[:40]}
        return gettext("%(giver)s for %(value)s: %(message)s") % {
            "giver": self.giver,
            "value": self.value,
            "message": self.message[:40],
        }

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class RecognitionReceiver(models.Model):
    recognition = models.ForeignKey(
        Recognition, on_delete=models.CASCADE, related_name="receiver_rows", verbose_name=_("recognition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("recognition receiver")
        verbose_name_plural = _("recognition receivers")
        db_table = "recognition_receivers"
        constraints = [
            models.UniqueConstraint(fields=["recognition", "user"], name="recognition_receiver_once"),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s in %(recognition)s") % {"user": self.user_id, "recognition": self.recognition_id}


class Give(models.Model):
    """Points given on a recognition from one giver's allowance: the recognition's own, or a
    colleague's "+10" on it. `points_each` goes to every receiver; `total` left the allowance.
    `client_key` makes it one-time: a repeat with the same key is this give, never a second."""

    id = models.CharField(primary_key=True, max_length=36, default=new_id, editable=False, verbose_name=_("id"))
    recognition = models.ForeignKey(
        Recognition, on_delete=models.PROTECT, related_name="gives", verbose_name=_("recognition")
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="gives",
        null=True,
        blank=True,
        verbose_name=_("giver"),
    )
    allowance = models.ForeignKey(
        Allowance, on_delete=models.PROTECT, related_name="gives", null=True, blank=True, verbose_name=_("allowance")
    )
    points_each = models.PositiveIntegerField(verbose_name=_("points each"))
    total = models.PositiveIntegerField(verbose_name=_("total"))
    # False for the recognition's own give (or a milestone's), True for a colleague's "+points".
    added = models.BooleanField(default=False, verbose_name=_("added"))
    client_key = ExactCharField(
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH, null=True, blank=True, editable=False, verbose_name=_("client key")
    )  # noqa: DJ001 - NULL: no key
    fingerprint = models.CharField(max_length=64, verbose_name=_("fingerprint"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("give")
        verbose_name_plural = _("gives")
        db_table = "recognition_gives"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["giver", "client_key"], name="recognition_give_client_key_unique"),
            models.CheckConstraint(condition=Q(points_each__gt=0), name="recognition_give_points_positive"),
            models.CheckConstraint(condition=Q(total__gte=F("points_each")), name="recognition_give_total_covers_one"),
        ]

    def __str__(self) -> str:
        # A milestone's give has no giver: the shop gave it.
        giver = (self.giver.get_full_name() or self.giver.email) if self.giver_id else "AWSomeShop"
        return gettext("%(giver)s gave %(points)s each") % {"giver": giver, "points": number(self.points_each)}


class Credit(models.Model):
    """One receiver's points from one give: the ledger row (`received`) that paid them."""

    give = models.ForeignKey(Give, on_delete=models.PROTECT, related_name="credits", verbose_name=_("give"))
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiver")
    )
    entry = models.OneToOneField(
        "points.PointsTransaction",
        on_delete=models.PROTECT,
        related_name="recognition_credit",
        db_column="entry_id",
        verbose_name=_("entry"),
    )
    points = models.PositiveIntegerField(verbose_name=_("points"))

    class Meta:
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        db_table = "recognition_credits"
        constraints = [models.UniqueConstraint(fields=["give", "receiver"], name="recognition_credit_once")]

    def __str__(self) -> str:
        return gettext("%(points)s points to %(receiver)s") % {
            "points": number(self.points),
            "receiver": self.receiver_id,
        }


class Reaction(models.Model):
    class Kind(models.TextChoices):
        APPLAUSE = "applause", _("Applause")
        HEART = "heart", _("Love it")
        PARTY = "party", _("Celebrate")
        STAR = "star", _("Outstanding")

    recognition = models.ForeignKey(
        Recognition, on_delete=models.CASCADE, related_name="reactions", verbose_name=_("recognition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        db_table = "recognition_reactions"
        constraints = [
            models.UniqueConstraint(fields=["recognition", "user", "kind"], name="recognition_reaction_once"),
        ]

    def __str__(self) -> str:
        return gettext("%(kind)s by %(user)s") % {"kind": self.get_kind_display(), "user": self.user_id}


class MilestoneDates(models.Model):
    """The dates a person's milestones count from: their hire date (HR's), and their birthday only
    where they agreed to it being celebrated (`birthday_shared`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="milestone_dates",
        verbose_name=_("user"),
    )
    hired_on = models.DateField(null=True, blank=True, verbose_name=_("hired on"))
    birthday = models.DateField(
        null=True, blank=True, help_text=_("Only the day and the month are used."), verbose_name=_("birthday")
    )
    birthday_shared = models.BooleanField(
        default=False,
        help_text=_("The employee agreed to their birthday being celebrated (and seen in the feed)."),
        verbose_name=_("birthday shared"),
    )

    class Meta:
        db_table = "recognition_milestone_dates"
        verbose_name = _("milestone dates")
        verbose_name_plural = _("milestone dates")

    def __str__(self) -> str:
        return f"{self.user}"


class MilestoneRule(models.Model):
    """What a milestone earns: years of service (`years`), or a birthday (`years` empty)."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Years of service")
        BIRTHDAY = "birthday", _("Birthday")

    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("kind"))
    years = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("For years of service: after how many."), verbose_name=_("years")
    )
    points = models.PositiveIntegerField(verbose_name=_("points"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("milestone rule")
        verbose_name_plural = _("milestone rules")
        db_table = "recognition_milestone_rules"
        ordering = ["kind", "years"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "years"], name="recognition_milestone_rule_once"),
            models.CheckConstraint(
                condition=Q(kind="service", years__gte=1) | Q(kind="birthday", years__isnull=True),
                name="recognition_milestone_rule_years",
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="recognition_milestone_rule_points"),
        ]

    def __str__(self) -> str:
        figures = {"years": number(self.years or 0), "points": number(self.points)}
        if self.kind == self.Kind.SERVICE:
            return (
                ngettext(
                    "%(years)s year of service: %(points)s points",
                    "%(years)s years of service: %(points)s points",
                    self.years or 0,
                )
                % figures
            )
        return gettext("Birthday: %(points)s points") % figures


class MilestoneAward(models.Model):
    """A milestone awarded: at most one per person and milestone (`key`: "service-5",
    "birthday-2027"), however often or late the daily job runs; the unique key decides."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(max_length=40, verbose_name=_("key"))
    recognition = models.OneToOneField(
        Recognition, on_delete=models.PROTECT, related_name="milestone_award", verbose_name=_("recognition")
    )
    created_at = TimestampColumn(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("milestone award")
        verbose_name_plural = _("milestone awards")
        db_table = "recognition_milestone_awards"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="recognition_milestone_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
