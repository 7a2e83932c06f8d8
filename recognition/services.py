"""Recognition between colleagues: giving from an allowance, adding to a colleague's recognition,
reacting, and HR's moderation. The one writer of the recognition tables; the points move through
`points.ledger` (kind `received`, a reversal when HR hides one) in the same transaction.

Lock order of a give: the giver's allowance row, then the recognition (when adding to one), then
the receivers' accounts in id order (the ledger's lock). Moderation takes the recognition, then
the accounts. No path takes them the other way round, so gives queue instead of deadlocking.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import Change, audit_record, audit_record_many
from awsomeshop.csv_import import csv_rows_read
from awsomeshop.db import atomic_with_retry, in_transaction
from awsomeshop.exceptions import ShopError
from awsomeshop.idempotency import IdempotencyKeyReused, idempotency_key_clean
from awsomeshop.text import TextKind, number, text_clean
from awsomeshop.timezones import company_today
from points import ledger
from points.models import PointsTransaction
from points.selectors import lots_remaining, lots_with_points_left, reversal_state

from .events import notify_recognition_hidden, notify_recognition_received
from .exceptions import (
    AllowanceExceeded,
    InvalidModeration,
    InvalidRecognition,
    RecognitionHidden,
    SelfRecognition,
    UnknownColleague,
    UnknownRecognition,
)
from .models import (
    MESSAGE_MAX_LENGTH,
    Allowance,
    AllowanceOverride,
    AllowancePolicy,
    CompanyValue,
    Credit,
    Give,
    MilestoneDates,
    MilestoneRule,
    Reaction,
    Recognition,
    RecognitionReceiver,
)
from .selectors import allowance_monthly_points, allowance_period_start, allowance_policy, value_id_parse

logger = logging.getLogger(__name__)

RECEIVERS_MAX = 20
HIDE_REASON_MAX_LENGTH = 255


# --- Allowances -------------------------------------------------------------------------------
@in_transaction(message="An allowance is locked inside the give's transaction.")
def _allowance_lock(*, user_id: str, period_start: date) -> Allowance:
    """The giver's row for the period, created on first use and locked until the give commits.
    Created by an upsert: concurrent first gives queue on its exclusive lock instead of each
    taking a shared one on the other's new row and then deadlocking (as `ledger._account_ensure`)."""
    rows = Allowance.objects.filter(user_id=user_id, period_start=period_start)
    if not rows.exists():
        named = transaction.get_connection().features.supports_update_conflicts_with_target
        Allowance.objects.bulk_create(
            [Allowance(user_id=user_id, period_start=period_start, points=0, given=0)],
            update_conflicts=True,
            update_fields=["period_start"],
            unique_fields=["user", "period_start"] if named else None,
        )
    return rows.select_for_update().get()


@in_transaction(message="An allowance is drawn inside the give's transaction.")
def _allowance_draw(*, allowance: Allowance, points: int, monthly_points: int) -> None:
    """Take `points` from the locked allowance, or refuse with what is left. The UPDATE's own
    guard, and the table's CHECK, refuse a draw past the allowance whatever the caller read."""
    left = max(monthly_points - allowance.given, 0)
    if points > left:
        raise AllowanceExceeded(
            _("You have %(left)s points left to give this month; this would give %(points)s.")
            % {"left": number(left), "points": number(points)},
            left=left,
            asked=points,
        )
    drawn = Allowance.objects.filter(pk=allowance.pk, given__lte=monthly_points - points).update(
        given=allowance.given + points, points=monthly_points
    )
    if drawn != 1:  # pragma: no cover - the lock makes the read above final
        raise AllowanceExceeded(_("You have no points left to give this month."), left=0, asked=points)
    allowance.given += points
    allowance.points = monthly_points


# --- Rules for what is given --------------------------------------------------------------------
# What text_clean calls each kind of text when it refuses it (whole sentences; `field` as before).
MESSAGE_TEXT = TextKind(
    field="message",
    not_text=gettext_lazy("The message must be text."),
    unprintable=gettext_lazy("The message contains characters that cannot be printed."),
    too_long=gettext_lazy("The message can be at most %(most)s characters."),
)
HIDE_REASON_TEXT = TextKind(
    field="reason",
    not_text=gettext_lazy("The reason must be text."),
    unprintable=gettext_lazy("The reason contains characters that cannot be printed."),
    too_long=gettext_lazy("The reason can be at most %(most)s characters."),
)
VALUE_NAME_TEXT = TextKind(
    field="name",
    not_text=gettext_lazy("The name must be text."),
    unprintable=gettext_lazy("The name contains characters that cannot be printed."),
    too_long=gettext_lazy("The name can be at most %(most)s characters."),
)


def recognition_message_clean(message: object) -> str:
    text = text_clean(
        message, what=MESSAGE_TEXT, max_length=MESSAGE_MAX_LENGTH, invalid=InvalidRecognition, multiline=True
    )
    if not text:
        raise InvalidRecognition(_("Write a message: say what they did and why it mattered."), field="message")
    return text


def recognition_points_clean(points: object) -> int:
    """Points per receiver: a whole number from 1 to the policy's most per receiver."""
    most = allowance_policy().most_per_receiver
    if not isinstance(points, int) or isinstance(points, bool):
        raise InvalidRecognition(_("The points must be a whole number."), field="points")
    if points < 1 or points > most:
        raise InvalidRecognition(
            _("Give from 1 to %(most)s points to each colleague.") % {"most": number(most)}, field="points", most=most
        )
    return points


def _value_get(value_id: object) -> CompanyValue:
    parsed = value_id_parse(value_id)
    value = CompanyValue.objects.filter(pk=parsed, is_active=True).first() if parsed else None
    if value is None:
        raise InvalidRecognition(_("Choose one of the company values."), field="value")
    return value


def _receivers_resolve(*, giver_id: str, receiver_ids: object) -> list[str]:
    """The receivers' stored ids, sorted (the order their accounts are locked in)."""
    if not isinstance(receiver_ids, list | tuple) or not receiver_ids:
        raise InvalidRecognition(_("Choose at least one colleague to recognise."), field="receivers")
    if not all(isinstance(user_id, str) and 0 < len(user_id) <= 255 for user_id in receiver_ids):
        raise InvalidRecognition(_("Colleagues are named by their user ids."), field="receivers")
    wanted = {user_id.lower() for user_id in receiver_ids}
    if len(wanted) > RECEIVERS_MAX:
        raise InvalidRecognition(
            _("Recognise at most %(most)s colleagues at once.") % {"most": number(RECEIVERS_MAX)}, field="receivers"
        )
    if giver_id.lower() in wanted:
        raise SelfRecognition(_("You cannot give points to yourself."))
    found = list(
        get_user_model().objects.filter(pk__in=set(receiver_ids) | wanted, is_active=True).values_list("pk", flat=True)
    )
    by_folded = {pk.lower(): pk for pk in found}
    missing = sorted(wanted - set(by_folded))
    if missing:
        raise UnknownColleague(_("There is no active colleague with this id."), user_id=missing[0])
    return sorted(by_folded[user_id] for user_id in wanted)


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class GiveOutcome:
    give: Give
    recognition: Recognition
    allowance_left: int
    replayed: bool = False


# --- Giving -----------------------------------------------------------------------------------
def recognition_give(
    *,
    giver_id: str,
    receiver_ids: list[str],
    points_each: int,
    message: str,
    value_id: int | str,
    is_public: bool = True,
    client_key: str | None = None,
) -> GiveOutcome:
    """Recognise colleagues for a company value, giving each `points_each` from the giver's
    allowance, once per `client_key` (a repeat answers with the first give). Refusals say what
    is wrong and write nothing."""
    client_key = idempotency_key_clean(client_key)
    receivers = _receivers_resolve(giver_id=giver_id, receiver_ids=receiver_ids)
    points_each = recognition_points_clean(points_each)
    message = recognition_message_clean(message)
    value = _value_get(value_id)
    if not isinstance(is_public, bool):
        raise InvalidRecognition(_("Public is true or false."), field="is_public")
    return _give_once(
        giver_id=giver_id,
        receivers=receivers,
        points_each=points_each,
        client_key=client_key,
        fingerprint=_fingerprint("recognition", receivers, points_each, message, value.pk, is_public),
        new=dict(message=message, value=value, is_public=is_public),
    )


def _give_once(*, giver_id: str, client_key: str | None, fingerprint: str, **give) -> GiveOutcome:
    """The give, unless this giver's `client_key` gave already: then that first give."""
    replay = _replayed(giver_id=giver_id, client_key=client_key, fingerprint=fingerprint)
    if replay is not None:
        return replay
    try:
        return _give_apply(giver_id=giver_id, client_key=client_key, fingerprint=fingerprint, **give)
    except IntegrityError:
        # The same key, committed by a concurrent request between our check and our insert.
        replay = _replayed(giver_id=giver_id, client_key=client_key, fingerprint=fingerprint)
        if replay is None:
            raise
        return replay


def recognition_add_points(
    *, giver_id: str, recognition_id: str, points_each: int, client_key: str | None = None
) -> GiveOutcome:
    """A colleague's "+10" on someone else's recognition: each of its receivers gets
    `points_each` more, from this giver's allowance, once per `client_key`."""
    client_key = idempotency_key_clean(client_key)
    points_each = recognition_points_clean(points_each)
    recognition = _recognition_visible(user_id=giver_id, recognition_id=recognition_id)
    if giver_id in recognition.receiver_rows.values_list("user_id", flat=True):
        raise SelfRecognition(_("You cannot add points to a recognition you received."))
    if recognition.giver_id == giver_id:
        raise SelfRecognition(_("This is the recognition you gave: recognise them again to give more."))
    # Colleagues who have left get nothing more.
    receivers = sorted(recognition.receiver_rows.filter(user__is_active=True).values_list("user_id", flat=True))
    if not receivers:
        raise InvalidRecognition(_("Nobody this recognition thanked works here any more."), field="recognition")
    return _give_once(
        giver_id=giver_id,
        receivers=receivers,
        points_each=points_each,
        client_key=client_key,
        fingerprint=_fingerprint("add", recognition.pk, points_each),
        recognition_id=recognition.pk,
    )


def _replayed(*, giver_id: str, client_key: str | None, fingerprint: str) -> GiveOutcome | None:
    if client_key is None:
        return None
    give = Give.objects.select_related("recognition").filter(giver_id=giver_id, client_key=client_key).first()
    if give is None:
        return None
    if give.fingerprint != fingerprint:
        raise IdempotencyKeyReused(_("This key was already used for another recognition; start again for a new one."))
    if give.recognition.is_hidden:
        raise RecognitionHidden(_("This recognition was given, and then hidden by HR."))
    return GiveOutcome(
        give=give, recognition=give.recognition, allowance_left=allowance_left(user_id=giver_id), replayed=True
    )


def allowance_left(*, user_id: str) -> int:
    """What this person can still give this period (for showing: a give decides under the lock)."""
    monthly = allowance_monthly_points(user_id=user_id)
    given = (
        Allowance.objects.filter(user_id=user_id, period_start=allowance_period_start())
        .values_list("given", flat=True)
        .first()
        or 0
    )
    return max(monthly - given, 0)


@atomic_with_retry
def _give_apply(
    *,
    giver_id: str,
    receivers: list[str],
    points_each: int,
    client_key: str | None,
    fingerprint: str,
    recognition_id: str | None = None,
    new: dict | None = None,
) -> GiveOutcome:
    monthly = allowance_monthly_points(user_id=giver_id)
    allowance = _allowance_lock(user_id=giver_id, period_start=allowance_period_start())
    total = points_each * len(receivers)
    _allowance_draw(allowance=allowance, points=total, monthly_points=monthly)
    if new is not None:
        recognition = Recognition.objects.create(giver_id=giver_id, **new)
        RecognitionReceiver.objects.bulk_create(
            [RecognitionReceiver(recognition=recognition, user_id=user_id) for user_id in receivers]
        )
    else:
        recognition = Recognition.objects.select_for_update().get(pk=recognition_id)
        if recognition.is_hidden:
            raise RecognitionHidden(_("This recognition was hidden by HR; points can no longer be added to it."))
    give = Give.objects.create(
        recognition=recognition,
        giver_id=giver_id,
        allowance=allowance,
        points_each=points_each,
        total=total,
        added=new is None,
        client_key=client_key,
        fingerprint=fingerprint,
    )
    # Kept in the ledger, so written once, in the company's language.
    with translation.override(settings.LANGUAGE_CODE):
        giver_name = _name(giver_id)
        if recognition.value:
            description = _("Recognition from %(giver)s: %(value)s") % {
                "giver": giver_name,
                "value": recognition.value.name,
            }
        else:
            description = _("Recognition from %(giver)s: a milestone") % {"giver": giver_name}
    credits = []
    for user_id in receivers:
        entry = ledger.post(
            user_id=user_id,
            kind=PointsTransaction.Type.RECEIVED,
            amount=points_each,
            description=description,
            awarded_by_id=giver_id,
        )
        credits.append(Credit(give=give, receiver_id=user_id, entry=entry, points=points_each))
        notify_recognition_received(
            recognition=recognition,
            user_id=user_id,
            giver_name=giver_name,
            points=points_each,
            added=recognition_id is not None,
            balance=entry.balance_after or 0,
        )
    Credit.objects.bulk_create(credits)
    audit_record(
        action="recognition.give" if recognition_id is None else "recognition.add_points",
        target=give,
        after={"recognition": recognition.pk, "receivers": receivers, "points_each": points_each, "total": total},
        actor_id=giver_id,
    )
    return GiveOutcome(give=give, recognition=recognition, allowance_left=max(monthly - allowance.given, 0))


def _name(user_id: str) -> str:
    user = get_user_model().objects.filter(pk=user_id).only("first_name", "last_name", "email").first()
    return (user.get_full_name() or user.email) if user else _("A colleague")


def _recognition_visible(*, user_id: str, recognition_id: object) -> Recognition:
    """A recognition this person may see: public ones, and private ones they gave or received.
    Hidden ones are refused as such, so nobody adds to what HR took down."""
    if not isinstance(recognition_id, str) or len(recognition_id) > 36:
        raise UnknownRecognition(_("There is no recognition with this id."))
    recognition = Recognition.objects.select_related("value").filter(pk=recognition_id).first()
    if recognition is None or not (
        recognition.is_public
        or recognition.giver_id == user_id
        or recognition.receiver_rows.filter(user_id=user_id).exists()
    ):
        raise UnknownRecognition(_("There is no recognition with this id."))
    if recognition.is_hidden:
        raise RecognitionHidden(_("This recognition was hidden by HR."))
    return recognition


# --- Reactions --------------------------------------------------------------------------------
@atomic_with_retry
def recognition_react(*, user_id: str, recognition_id: str, kind: str, on: bool = True) -> bool:
    """Add (or take back) this person's reaction; repeating either is harmless. Returns whether
    the reaction is there now."""
    if kind not in Reaction.Kind.values:
        raise InvalidRecognition(
            _("A reaction is one of: %(kinds)s.") % {"kinds": ", ".join(Reaction.Kind.values)}, field="kind"
        )
    recognition = _recognition_visible(user_id=user_id, recognition_id=recognition_id)
    # Under the recognition's lock, as a hide takes it: no reaction lands after one.
    if Recognition.objects.select_for_update().filter(pk=recognition.pk, hidden_at__isnull=False).exists():
        raise RecognitionHidden(_("This recognition was hidden by HR."))
    if on:
        Reaction.objects.bulk_create(
            [Reaction(recognition=recognition, user_id=user_id, kind=kind)], ignore_conflicts=True
        )
    else:
        Reaction.objects.filter(recognition=recognition, user_id=user_id, kind=kind).delete()
    return on


# --- Moderation -------------------------------------------------------------------------------
@dataclass(frozen=True)
class HideOutcome:
    recognition: Recognition
    taken_back: int
    already_spent: int
    replayed: bool = False


@atomic_with_retry
def recognition_hide(*, recognition_id: str, reason: str, hidden_by_id: str) -> HideOutcome:
    """HR takes a recognition down: it leaves the feed, and its points are taken back from each
    receiver through the ledger (a reversal of each credit), as far as they have not been spent
    or expired. Giver and receivers are told why. Hiding it again hides nothing more but takes
    back what has become reversible since (a spent order cancelled and refunded): `replayed`."""
    reason = text_clean(reason, what=HIDE_REASON_TEXT, max_length=HIDE_REASON_MAX_LENGTH, invalid=InvalidModeration)
    if not reason:
        raise InvalidModeration(_("Give a reason; the giver and the receivers see it."), field="reason")
    recognition = Recognition.objects.select_for_update().filter(pk=str(recognition_id)[:36]).first()
    if recognition is None:
        raise UnknownRecognition(_("There is no recognition with this id."))
    replayed = recognition.is_hidden
    taken_back, spent = _credits_take_back(recognition=recognition, reason=reason, taken_by_id=hidden_by_id)
    if not replayed:
        recognition.hidden_at = timezone.now()
        recognition.hidden_by_id = hidden_by_id
        recognition.hidden_reason = reason
        recognition.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        notify_recognition_hidden(recognition=recognition)
    if taken_back or not replayed:
        audit_record(
            action="recognition.take_back" if replayed else "recognition.hide",
            target=recognition,
            after={"reason": reason, "points_taken_back": taken_back, "points_already_spent": spent},
        )
    return HideOutcome(recognition=recognition, taken_back=taken_back, already_spent=spent, replayed=replayed)


@in_transaction
def _credits_take_back(*, recognition: Recognition, reason: str, taken_by_id: str | None) -> tuple[int, int]:
    """Reverse, for each credit of a (hidden) recognition, what of its points is still in the
    receiver's account: what is left in the lot the credit opened (points are spent oldest first,
    and a refunded order's points go back to the lots they came from). Never more than the credit
    gave less what was reversed or expired, and never other points that came in since. Returns
    (taken back now, still out: spent or expired)."""
    taken_back = out = 0
    credits = Credit.objects.filter(give__recognition=recognition).select_related("entry").order_by("receiver_id", "id")
    for credit in credits:
        account = ledger.account_lock(user_id=credit.receiver_id)
        state = reversal_state(award=credit.entry, balance=account.balance)
        still_there = lots_remaining(credit_ids=[credit.entry_id])[credit.entry_id]
        take = min(state.reversible, still_there)
        if take:
            ledger.post(
                user_id=credit.receiver_id,
                kind=PointsTransaction.Type.REVERSED,
                amount=take,
                description=_hidden_description(reason),
                awarded_by_id=taken_by_id,
                reverses_id=credit.entry_id,
                account=account,
            )
        taken_back += take
        out += credit.points - state.reversed - take
    return taken_back, out


def _hidden_description(reason: str) -> str:
    """The take-back's ledger text: kept in the ledger, so written once, in the company's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Recognition hidden by HR: %(reason)s") % {"reason": reason}


def recognitions_hidden_take_back() -> int:
    """The daily job's sweep: points of hidden recognitions that came back into a receiver's
    account since (a spent order cancelled, its points refunded to the lot they came from) go
    back too. Only those: the sweep reads the credits' own lots, never later income. Returns the
    points taken back."""
    hidden_credits = Credit.objects.filter(give__recognition__hidden_at__isnull=False)
    with_points_left = lots_with_points_left(credit_ids=hidden_credits.values("entry_id"))
    recognition_ids = (
        hidden_credits.filter(entry_id__in=with_points_left).values_list("give__recognition_id", flat=True).distinct()
    )
    taken = 0
    for recognition_id in list(recognition_ids):
        taken += _hidden_take_back(recognition_id=recognition_id)
    return taken


@atomic_with_retry
def _hidden_take_back(*, recognition_id: str) -> int:
    recognition = Recognition.objects.select_for_update().get(pk=recognition_id)
    taken_back, spent = _credits_take_back(recognition=recognition, reason=recognition.hidden_reason, taken_by_id=None)
    if taken_back:
        audit_record(
            action="recognition.take_back",
            target=recognition,
            after={"points_taken_back": taken_back, "points_already_spent": spent},
        )
    return taken_back


# --- HR's settings ------------------------------------------------------------------------------
@atomic_with_retry
def company_value_save(
    *, value_id: int | None, name: str, description: str, is_active: bool, position: int
) -> CompanyValue:
    """Add a company value or change one (its recognitions keep it: values are never deleted)."""
    name = text_clean(name, what=VALUE_NAME_TEXT, max_length=60, invalid=InvalidRecognition)
    if not name:
        raise InvalidRecognition(_("Give the value a name."), field="name")
    others = CompanyValue.objects.filter(name__iexact=name)
    if (others.exclude(pk=value_id) if value_id else others).exists():
        raise InvalidRecognition(_("There is a value named “%(name)s” already.") % {"name": name}, field="name")
    value = CompanyValue.objects.select_for_update().get(pk=value_id) if value_id else CompanyValue()
    before = {"name": value.name, "is_active": value.is_active} if value_id else None
    value.name, value.description, value.is_active, value.position = name, description, is_active, position
    value.save()
    audit_record(
        action="recognition.value_save", target=value, before=before, after={"name": name, "is_active": is_active}
    )
    return value


@atomic_with_retry
def allowance_policy_save(*, monthly_points: int, most_per_receiver: int) -> AllowancePolicy:
    """Everyone's monthly allowance, and the most one give may give each receiver. A lower
    allowance applies at once: nobody gives past it, and what was given stands."""
    if monthly_points > 100_000 or most_per_receiver > 100_000:
        raise InvalidRecognition(
            _("An allowance is at most %(most)s points.") % {"most": number(100_000)}, field="monthly_points"
        )
    if most_per_receiver < 1:
        raise InvalidRecognition(_("The most per receiver must be at least 1 point."), field="most_per_receiver")
    policy, _created = AllowancePolicy.objects.select_for_update().get_or_create(pk=1)
    before = {"monthly_points": policy.monthly_points, "most_per_receiver": policy.most_per_receiver}
    policy.monthly_points, policy.most_per_receiver = monthly_points, most_per_receiver
    policy.save()
    audit_record(
        action="recognition.allowance_policy",
        target=policy,
        before=before,
        after={"monthly_points": monthly_points, "most_per_receiver": most_per_receiver},
    )
    return policy


@atomic_with_retry
def allowance_override_save(*, user_id: str, monthly_points: int, note: str = "") -> AllowanceOverride:
    """One person's own monthly allowance (0: they do not give)."""
    if monthly_points > 100_000:
        raise InvalidRecognition(
            _("An allowance is at most %(most)s points.") % {"most": number(100_000)}, field="monthly_points"
        )
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise InvalidRecognition(_("This person is not an active employee."), field="user")
    override, _created = AllowanceOverride.objects.update_or_create(
        user_id=user_id, defaults={"monthly_points": monthly_points, "note": note}
    )
    audit_record(
        action="recognition.allowance_override",
        target=override,
        after={"monthly_points": monthly_points},
        employee_id=user_id,
    )
    return override


@atomic_with_retry
def allowance_override_delete(*, user_id: str) -> None:
    """Back to everyone's allowance."""
    override = AllowanceOverride.objects.filter(user_id=user_id).first()
    if override is not None:
        audit_record(
            action="recognition.allowance_override_delete",
            target=override,
            before={"monthly_points": override.monthly_points},
            employee_id=user_id,
        )
        override.delete()


# --- Milestone dates and rules ----------------------------------------------------------------------
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# An empty cell of an import: the date on record stays.
KEEP = object()


# A birthday without its year, as OIDC's `birthdate` allows (0000-04-01) and vCard writes it
# (--04-01): only the day and month are used, so it is kept in 1904, a leap year (29 February).
YEARLESS_BIRTHDAY = re.compile(r"(?:0000-|--)([0-9]{2})-([0-9]{2})")
YEARLESS_YEAR = 1904


def _date_clean(value: object, *, what: str) -> date | None:
    if value in (None, ""):
        return None
    yearless = YEARLESS_BIRTHDAY.fullmatch(str(value).strip()) if what == "birthday" else None
    if yearless:
        try:
            return date(YEARLESS_YEAR, int(yearless.group(1)), int(yearless.group(2)))
        except ValueError:
            raise InvalidRecognition(
                _("The birthday “%(value)s” is not a day of the year.") % {"value": str(value)[:20]}, field=what
            ) from None
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            if not DATE_PATTERN.fullmatch(text):
                raise ValueError(text)  # fromisoformat also takes 20200101 and 2020-W01-1
            parsed = date.fromisoformat(text)
        except ValueError:
            if what == "birthday":
                message = _("The birthday “%(value)s” is not a date like 2021-04-01.")
            else:
                message = _("The hire date “%(value)s” is not a date like 2021-04-01.")
            raise InvalidRecognition(message % {"value": str(value)[:20]}, field=what) from None
    if not date(1900, 1, 1) <= parsed <= company_today():
        if what == "birthday":
            raise InvalidRecognition(_("The birthday must be a day in the past."), field=what)
        raise InvalidRecognition(_("The hire date must be a day in the past."), field=what)
    return parsed


@atomic_with_retry
def milestone_dates_save(*, user_id: str, hired_on: object, birthday: object) -> MilestoneDates:
    """HR records when someone was hired and their birthday. Whether the birthday is celebrated is
    the employee's own choice (`birthday_sharing_set`), never HR's."""
    return _milestone_dates_write(
        user_id=user_id,
        hired_on=_date_clean(hired_on, what="hire date"),
        birthday=_date_clean(birthday, what="birthday"),
    )


@in_transaction
def _milestone_dates_write(*, user_id: str, hired_on: object, birthday: object) -> MilestoneDates:
    """Write the dates (a date, None to clear, or KEEP for what is on record)."""
    dates, _created = MilestoneDates.objects.select_for_update().get_or_create(user_id=user_id)
    before = {"hired_on": dates.hired_on, "birthday": bool(dates.birthday)}
    # A date or None (cleaned by the callers), or KEEP.
    if hired_on is not KEEP:
        dates.hired_on = cast(date | None, hired_on)
    if birthday is not KEEP:
        dates.birthday = cast(date | None, birthday)
    hired_on, birthday = dates.hired_on, dates.birthday
    dates.save(update_fields=["hired_on", "birthday"])
    # The birthday itself is personal: the trail says whether one is recorded, not which.
    audit_record(
        action="recognition.milestone_dates",
        target=dates,
        before=before,
        after={"hired_on": hired_on, "birthday": bool(birthday)},
        employee_id=user_id,
    )
    return dates


@atomic_with_retry
def birthday_sharing_set(*, user_id: str, shared: bool) -> MilestoneDates:
    """The employee's own consent to their birthday being celebrated in the feed."""
    dates, _created = MilestoneDates.objects.select_for_update().get_or_create(user_id=user_id)
    dates.birthday_shared = bool(shared)
    dates.save(update_fields=["birthday_shared"])
    return dates


@dataclass(frozen=True)
class DatesImport:
    saved: int
    changed: int = 0


DATES_IMPORT_MAX_ROWS = 10_000


def milestone_dates_import(*, upload) -> DatesImport:
    """A CSV file of `email,hired_on,birthday` (a header row is optional; an empty cell keeps the
    date on record), all or nothing: one bad row (an unknown e-mail, a date not like 2021-04-01,
    a person on two lines, more than three columns) refuses the file, naming its line."""
    rows = csv_rows_read(upload, refused=InvalidRecognition, delimiters=",;\t")
    if rows and rows[0][1] and rows[0][1][0].strip().lower() in {"email", "e-mail"}:
        rows = rows[1:]
    if len(rows) > DATES_IMPORT_MAX_ROWS:
        raise InvalidRecognition(
            _("The file has %(rows)s rows; import at most %(most)s at a time (split it).")
            % {"rows": number(len(rows)), "most": number(DATES_IMPORT_MAX_ROWS)},
            rows=len(rows),
        )
    users = dict(
        (email.lower(), pk) for pk, email in get_user_model().objects.filter(is_active=True).values_list("pk", "email")
    )
    wanted: list[tuple[str, object, object]] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        cells = [cell.strip() for cell in cells]
        if any(cells[3:]):
            problems.append(_("line %(line)s has more than three columns") % {"line": line})
            continue
        email, hired_on, birthday = (cells + ["", ""])[:3]
        user_id = users.get(email.lower())
        try:
            if user_id is None:
                raise InvalidRecognition(
                    _("there is no active employee with the e-mail %(email)s") % {"email": email[:80]}
                )
            if user_id in first_line:
                raise InvalidRecognition(
                    _("%(email)s is on line %(line)s too") % {"email": email[:80], "line": first_line[user_id]}
                )
            first_line[user_id] = line
            wanted.append(
                (
                    user_id,
                    _date_clean(hired_on, what="hire date") if hired_on else KEEP,
                    _date_clean(birthday, what="birthday") if birthday else KEEP,
                )
            )
        except ShopError as problem:
            problems.append(_("line %(line)s: %(problem)s") % {"line": line, "problem": problem.message})
    if problems:
        raise InvalidRecognition(
            _("Nothing was imported. %(problems)s") % {"problems": "; ".join(problems[:10])}, problems=problems
        )
    if not wanted:
        raise InvalidRecognition(_("The file has no rows to import."))
    changed = _milestone_dates_import_apply(wanted=wanted)
    return DatesImport(saved=len(wanted), changed=changed)


@atomic_with_retry
def _milestone_dates_import_apply(*, wanted: list[tuple[str, object, object]]) -> int:
    """The whole file in one transaction, saved together or not at all, in a few bulk statements
    (20,000 people took 22 s on MariaDB, 16 s on SQLite; row by row, 10,000 took 30 s: hence the
    file's limit of 10,000 rows, within a request's timeout). Returns how many people's dates changed."""
    user_ids = [user_id for user_id, _hired_on, _birthday in wanted]
    MilestoneDates.objects.bulk_create(
        [MilestoneDates(user_id=user_id) for user_id in user_ids], ignore_conflicts=True, batch_size=1000
    )
    rows = {row.user_id: row for row in MilestoneDates.objects.select_for_update().filter(user_id__in=user_ids)}
    changed, changes = [], []
    for user_id, hired_on, birthday in wanted:
        row = rows[user_id]
        before = {"hired_on": row.hired_on, "birthday": bool(row.birthday)}
        new_hired = row.hired_on if hired_on is KEEP else cast(date | None, hired_on)
        new_birthday = row.birthday if birthday is KEEP else cast(date | None, birthday)
        if (new_hired, new_birthday) == (row.hired_on, row.birthday):
            continue
        row.hired_on, row.birthday = new_hired, new_birthday
        changed.append(row)
        after = {"hired_on": new_hired, "birthday": bool(new_birthday)}
        changes.append(Change(target=row, before=before, after=after, employee_id=user_id))
    MilestoneDates.objects.bulk_update(changed, ["hired_on", "birthday"], batch_size=1000)
    if changes:
        audit_record_many(action="recognition.milestone_dates", changes=changes)
    return len(changed)


@atomic_with_retry
def milestone_rule_save(
    *, rule_id: int | None, kind: str, years: int | None, points: int, is_active: bool
) -> MilestoneRule:
    """Add or change what a milestone earns (years of service, or birthdays)."""
    if kind not in MilestoneRule.Kind.values:
        raise InvalidRecognition(_("Choose years of service or birthday."), field="kind")
    if kind == MilestoneRule.Kind.SERVICE and not (isinstance(years, int) and 1 <= years <= 60):
        raise InvalidRecognition(_("Years of service is a whole number from 1 to 60."), field="years")
    if kind == MilestoneRule.Kind.BIRTHDAY:
        years = None
    if not (isinstance(points, int) and 1 <= points <= 100_000):
        raise InvalidRecognition(
            _("A milestone gives from 1 to %(most)s points.") % {"most": number(100_000)}, field="points"
        )
    clash = MilestoneRule.objects.filter(kind=kind, years=years)
    if (clash.exclude(pk=rule_id) if rule_id else clash).exists():
        raise InvalidRecognition(_("There is a rule for this milestone already; change that one."), field="years")
    rule = MilestoneRule.objects.select_for_update().get(pk=rule_id) if rule_id else MilestoneRule()
    rule.kind, rule.years, rule.points, rule.is_active = kind, years, points, is_active
    rule.save()
    audit_record(
        action="recognition.milestone_rule", target=rule, after={"kind": kind, "years": years, "points": points}
    )
    return rule


@in_transaction
def milestone_dates_from_directory(*, user_id: str, hire_date: str, birthdate: str) -> bool:
    """The user pool's dates for a person (`sync_cognito_users`), in the sync's transaction: a
    value that is not a past date like 2021-04-01 is logged and left out, never failing the sync;
    an empty one keeps what is on record. Consent to a birthday stays the employee's. Returns
    whether anything changed."""
    wanted = {}
    for field, text, what in (("hired_on", hire_date, "hire date"), ("birthday", birthdate, "birthday")):
        if not text:
            continue
        try:
            wanted[field] = _date_clean(text, what=what)
        except InvalidRecognition:
            logger.warning("The user pool's %s for %s is not a past date like 2021-04-01: %r", what, user_id, text[:40])
    current = dict(MilestoneDates.objects.filter(user_id=user_id).values("hired_on", "birthday").first() or {})
    if not wanted or all(current.get(field) == value for field, value in wanted.items()):
        return False
    _milestone_dates_write(
        user_id=user_id, hired_on=wanted.get("hired_on", KEEP), birthday=wanted.get("birthday", KEEP)
    )
    return True


def on_directory_dates_seen(sender, *, user_id: str, hire_date: str, birthdate: str, **kwargs) -> None:
    milestone_dates_from_directory(user_id=user_id, hire_date=hire_date, birthdate=birthdate)
